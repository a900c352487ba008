"""Retrieval quality on the seeds: the gold article is in the top 3 for the large majority, per language."""

import json

import pytest

from conftest import ROOT


def _questions(lang):
    rows = [json.loads(l) for l in (ROOT / "evals/data/seeds_qa.jsonl").read_text(encoding="utf-8").splitlines()]
    return [r for r in rows if r["lang"] == lang and r["gold_docs"]]


@pytest.mark.parametrize("lang", ["en", "vi"])
@pytest.mark.parametrize("fusion", ["blend", "rrf"])
def test_gold_doc_in_top3(seeded_desk, lang, fusion):
    qs = _questions(lang)
    assert len(qs) >= 15
    hits = sum(bool(set(q["gold_docs"]) & {p.doc_id for p in seeded_desk.search(q["question"], k=3, fusion=fusion).passages})
               for q in qs)
    assert hits / len(qs) >= 0.85, f"{lang}/{fusion}: {hits}/{len(qs)}"


def test_bm25_matches_unaccented_vietnamese(seeded_desk):
    from conftest import DOC_A

    res = seeded_desk.search("kim ngach thuong mai hai chieu 2025", k=1, fusion="bm25").passages
    assert res and res[0].doc_id == DOC_A and "2,6 tỷ USD" in res[0].text


def test_lexical_tokenizer_and_fold():
    from rag.lexical import fold, tokenize

    assert tokenize("Kim ngạch đạt 2,6 tỷ USD.") == ["kim", "ngạch", "đạt", "2,6", "tỷ", "usd"]
    assert fold("Đảng thương mại") == "Dang thuong mai"
