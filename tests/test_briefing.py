"""Summaries and briefings: the faithfulness checker (unit) and the real embedded model on the seeds."""

import pytest

from conftest import DOC_A, DOC_B
from rag.briefing import check_bullet, parse_bullets
from rag.documents import Passage
from rag.facts import unsupported
from rag.lang import detect_question

SRC = [Passage("a#0", DOC_A, "Đại sứ Khamphao Ernthavanh cho biết kim ngạch thương mại hai chiều Việt Nam – Lào đã đạt "
               "2,6 tỷ USD trong năm 2025.", 1.0, date="2026-02-04"),
       Passage("b#0", DOC_B, "Ngày 5/2, Tổng Bí thư Tô Lâm kết thúc chuyến thăm cấp Nhà nước tới Lào.", 1.0,
               date="2026-02-06")]


def test_checker_catches_a_wrong_number_and_a_wrong_name():
    b, bad, _ = check_bullet("Two-way trade reached US$3.6 billion in 2025 [1].", SRC)
    assert b is None and "3.6 billion" in bad
    b, bad, _ = check_bullet("General Secretary Nguyen Phu Trong ended the visit on 5 February [2].", SRC)
    assert b is None and any("Nguyen Phu Trong" in x for x in bad)
    b, bad, _ = check_bullet("Two-way trade reached US$2.6 million in 2025 [1].", SRC)
    assert b is None


def test_checker_passes_a_correct_cross_language_pair_and_recites():
    en, bad, n = check_bullet("Two-way trade reached US$2.6 billion in 2025, said Khamphao Ernthavanh [1].", SRC)
    assert en is not None and not bad and n >= 3 and en.citations == [1]
    vi, bad, _ = check_bullet("Kim ngạch thương mại hai chiều đạt 2,6 tỷ USD năm 2025 [1].", SRC)
    assert vi is not None and not bad
    moved, bad, _ = check_bullet("To Lam concluded the state visit to Laos on 5 February [1].", SRC)
    assert moved is not None and moved.citations == [2]
    assert unsupported("The visit ended on February 5.", [SRC[1].text]) == []


def test_parse_bullets_drops_degenerate_lines():
    raw = "1. Trade reached 2.6 billion USD in 2025 [1].\n- - - - - -\n(published 2026-02-04): [1]\n2. Laos and Vietnam agreed on a target [2]."
    assert parse_bullets(raw) == ["Trade reached 2.6 billion USD in 2025 [1].", "Laos and Vietnam agreed on a target [2]."]


def _assert_faithful(dg):
    for sec in dg.sections:
        for b in sec.bullets:
            assert b.citations, b.text
            assert all(f"[{c}]" in b.text for c in b.citations)
            srcs = [dg.sources[c - 1].text + " " + (dg.sources[c - 1].date or "") for c in b.citations]
            assert unsupported(b.text, srcs) == [], b.text


@pytest.fixture(scope="module")
def large_desk(seeded_index):
    from rag import NewsDesk

    return NewsDesk(index=seeded_index, llm="llamacpp:qwen2.5-1.5b")


@pytest.mark.parametrize("doc,figures", [
    (DOC_A, ["2.6 billion", "10 billion", "5 billion", "10-15%", "10–15%", "Khamphao Ernthavanh"]),
    (DOC_B, ["February 5", "5 February", "10 billion", "Thongloun Sisoulith"]),
])
def test_summary_of_each_seed_has_key_figures_with_citations(large_desk, doc, figures):
    dg = large_desk.summarize([doc], words=120)
    text = " ".join(b.text for b in dg.sections[0].bullets)
    assert dg.kind == "summary" and dg.sections[0].lang == "en" and len(dg.sections[0].bullets) >= 2
    assert dg.covered_docs == [doc]
    hit = [f for f in figures if f in text]
    assert hit, text
    # the bullet carrying the figure cites a passage of this article
    b = next(b for b in dg.sections[0].bullets if any(f in b.text for f in hit))
    assert all(dg.sources[c - 1].doc_id == doc for c in b.citations)
    _assert_faithful(dg)
    assert all(detect_question(b.text) == "en" for b in dg.sections[0].bullets)


def test_briefing_over_both_seeds_has_parallel_sections(large_desk):
    dg = large_desk.brief(since="2026-02-01", until="2026-02-28", words=120)
    d = dg.to_dict()
    vi, en = d["sections"]
    assert vi["lang"] == "vi" and en["lang"] == "en" and vi["bullets"] and len(vi["bullets"]) == len(en["bullets"])
    assert [b["citations"] for b in vi["bullets"]] == [b["citations"] for b in en["bullets"]]
    assert all(detect_question(b["text"]) == "vi" for b in vi["bullets"])
    assert all(detect_question(b["text"]) == "en" for b in en["bullets"])
    assert set(d["covered_docs"]) <= {DOC_A, DOC_B} and d["covered_docs"]
    assert d["date_range"] == {"from": "2026-02-01", "to": "2026-02-28"}
    assert d["checks"]["facts_checked"] > 0 and isinstance(d["checks"]["unsupported"], list)
    _assert_faithful(dg)
    md = dg.to_markdown()
    assert "## Tiếng Việt" in md and "## English" in md
