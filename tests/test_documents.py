import json

import pytest

from rag.documents import LoadError, load_path


def test_txt_date_header_and_no_header(tmp_path):
    from conftest import SEEDS

    (doc,), errs = load_path(next(SEEDS.glob("000_*.txt")))
    assert doc.date == "2026-02-04" and not errs
    assert doc.text.startswith("Theo Đại sứ Lào")
    p = tmp_path / "plain.txt"
    p.write_text("Just text. No header here.", encoding="utf-8")
    (d2,), _ = load_path(p)
    assert d2.date is None and d2.doc_id == "plain"


def test_html_drops_scripts_and_styles(tmp_path):
    p = tmp_path / "page.html"
    p.write_text("<html><head><title>Tin tức</title><style>body{color:red}</style>"
                 "<script>var secret = 1;</script></head><body><p>Hà Nội có mưa lớn vào chiều nay.</p>"
                 "<p>Nhiệt độ giảm xuống 18 độ C.</p></body></html>", encoding="utf-8")
    (d,), _ = load_path(p)
    assert "Hà Nội có mưa lớn" in d.text and "secret" not in d.text and "color" not in d.text


def test_markdown_title(tmp_path):
    p = tmp_path / "note.md"
    p.write_text("# Big news\n\nSomething **important** happened in [Hanoi](http://x).\n", encoding="utf-8")
    (d,), _ = load_path(p)
    assert d.title == "Big news" and "Something important happened in Hanoi." in d.text


def test_json_and_jsonl_records(tmp_path):
    p = tmp_path / "a.json"
    p.write_text(json.dumps([{"id": "x1", "text": "Alpha.", "date": "2026-01-02", "title": "T", "url": "http://u"},
                             {"text": "Beta."}]), encoding="utf-8")
    docs, errs = load_path(p)
    assert [d.doc_id for d in docs] == ["x1", "a-1"] and docs[0].source == "http://u" and not errs
    q = tmp_path / "b.jsonl"
    q.write_text('{"id": "r1", "text": "One."}\n{not json}\n{"id": "r3", "text": ""}\n{"id": "r4", "text": "Four.", "date": "soon"}\n',
                 encoding="utf-8")
    docs, errs = load_path(q)
    assert [d.doc_id for d in docs] == ["r1"]
    msgs = [str(e) for e in errs]
    assert any("b.jsonl:2" in m and "malformed JSON" in m for m in msgs)
    assert any("b.jsonl:3" in m and "'text'" in m for m in msgs)
    assert any("b.jsonl:4" in m and "'date'" in m for m in msgs)


@pytest.mark.parametrize("name,content,reason", [
    ("empty.txt", b"   \n", "empty file"),
    ("bin.txt", b"\x00\x01\x02binary", "binary"),
    ("latin.txt", "café".encode("latin-1"), "invalid UTF-8"),
    ("data.csv", b"a,b\n1,2\n", "unsupported extension"),
    ("bad.json", b"{\"text\": ", "malformed JSON"),
    ("deep.json", b"[" * 10_000 + b"]" * 10_000, "nested too deeply"),  # was a RecursionError traceback
])
def test_bad_inputs_name_the_file_and_reason(tmp_path, name, content, reason):
    p = tmp_path / name
    p.write_bytes(content)
    with pytest.raises(LoadError) as ei:
        load_path(p)
    assert name in str(ei.value) and reason in str(ei.value)


def test_an_id_that_is_not_a_string_or_number_is_an_error(tmp_path):
    p = tmp_path / "objid.json"
    p.write_text('[{"id": {"nested": 1}, "text": "Một bài báo."}, {"id": 7, "text": "Bài hai."}]', encoding="utf-8")
    docs, errs = load_path(p)
    assert [d.doc_id for d in docs] == ["7"]  # was "{'nested': 1}"
    assert "objid.json[0]" in str(errs[0]) and "'id' must be a string or a number" in str(errs[0])


def test_front_matter_is_metadata_and_front_matter_alone_is_an_error(tmp_path):
    p = tmp_path / "fm.md"
    p.write_text("---\ntitle: Giá lúa tăng\ndate: 2026-03-02\ntags: [a, b]\n---\nGiá lúa tăng 5% tại Cần Thơ.\n",
                 encoding="utf-8")
    (d,) = load_path(p)[0]
    assert d.title == "Giá lúa tăng" and d.date == "2026-03-02" and d.text == "Giá lúa tăng 5% tại Cần Thơ."
    only = tmp_path / "only.md"
    only.write_text("---\ntitle: x\ndate: 2026-03-02\n---\n", encoding="utf-8")  # was ingested as raw YAML
    with pytest.raises(LoadError, match="no text after the front matter"):
        load_path(only)


def test_a_fifo_never_blocks_and_a_folders_other_files_are_reported(tmp_path):
    import os

    from rag.documents import Skipped, iter_files

    d = tmp_path / "in"
    d.mkdir()
    os.mkfifo(d / "pipe.txt")  # reading it would block forever
    (d / "photo.png").write_bytes(b"\x89PNG")
    (d / "ok.txt").write_text("Một bài báo ngắn.", encoding="utf-8")
    got = {p.name: e for p, e in iter_files([d])}
    assert got["ok.txt"] is None
    assert isinstance(got["pipe.txt"], Skipped) and "not a regular file" in got["pipe.txt"].reason
    assert isinstance(got["photo.png"], Skipped) and ".png" in got["photo.png"].reason
    with pytest.raises(LoadError, match="not a regular file"):
        load_path(d / "pipe.txt")
