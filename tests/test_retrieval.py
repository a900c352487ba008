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


def test_fts5_ranking_matches_the_reference_bm25(seeded_desk):
    """SQLite FTS5 ranks like the BM25 formula of rag.lexical (computed here in Python over every chunk)."""
    from rag import lexical

    rows = seeded_desk.store.db.execute("SELECT chunk_id, text FROM chunks").fetchall()
    postings, lens = {}, {}
    for cid, text in rows:
        tf, n = lexical.index_terms(text)
        lens[cid] = n
        for t, k in tf.items():
            postings.setdefault(t, []).append((cid, k))
    for q in ("kim ngạch thương mại hai chiều 2,6 tỷ USD", "Đại sứ Khamphao Ernthavanh", "lễ buộc chỉ cổ tay Baci",
              "dai su lao tai viet nam"):
        ref = lexical.bm25_scores(lexical.query_terms(q), postings, lens, len(rows), sum(lens.values()) / len(rows))
        top_ref = [c for c, _ in sorted(ref.items(), key=lambda kv: -kv[1])[:5]]
        top_fts = [c for c, _ in seeded_desk.store.bm25_search(q, 5)]
        assert top_fts[0] == top_ref[0], q
        assert len(set(top_fts) & set(top_ref)) >= 3, q  # FTS5 floors the idf of very common terms


def test_common_syllables_are_left_out_of_the_lexical_query():
    from rag.lexical import fts_query

    df = {"của": 900, "và": 950, "kim": 12, "ngạch": 10}
    q = fts_query("kim ngạch của và", df, 1000)
    assert '"kim"' in q and '"ngạch"' in q and '"của"' not in q and '"và"' not in q
    assert '"của"' in fts_query("của và", df, 1000)  # nothing rarer: keep them
    # a budget of postings: the rarest first, the common ones only while it lasts
    df2 = {"kim": 3000, "ngạch": 2500, "thương": 4000, "mại": 3900, "ngach": 2600, "thuong": 4100, "mai": 9000}
    q2 = fts_query("kim ngạch thương mại", df2, 100_000, max_postings=10_000)
    assert '"kim"' in q2 and '"ngạch"' in q2 and '"mại"' not in q2 and '"thương"' not in q2
    assert fts_query('a "quoted" 2,6', {}, 0).count('"2_6"') == 2  # one token, in both fields


def test_an_index_with_the_old_postings_table_is_migrated(index_copy):
    import sqlite3

    from rag import NewsDesk

    db = sqlite3.connect(index_copy / "registry.sqlite")
    db.execute("INSERT INTO chunks_fts(chunks_fts) VALUES ('delete-all')")
    db.execute("DELETE FROM meta WHERE key='lexical'")
    db.execute("CREATE TABLE postings (term TEXT NOT NULL, chunk_id TEXT NOT NULL, tf INTEGER NOT NULL)")
    db.commit()
    db.close()
    desk = NewsDesk(index=index_copy)
    hits = desk.search("kim ngach thuong mai hai chieu 2025", k=1, fusion="bm25").passages
    assert hits and hits[0].doc_id == "000_833a92ec386289a5"
    tables = {r[0] for r in desk.store.db.execute("SELECT name FROM sqlite_master")}
    assert "postings" not in tables and desk.store._meta("lexical") == "fts5"
