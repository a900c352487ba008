"""The LlamaIndex integration against the real llama-index-core: retriever, the desk's query engine, LlamaIndex's own
RetrieverQueryEngine on the desk's retriever and model, and ingestion of LlamaIndex Documents."""

import pytest

pytest.importorskip("llama_index.core")

from llama_index.core import Document  # noqa: E402
from llama_index.core.query_engine import RetrieverQueryEngine  # noqa: E402

from rag import NewsDesk  # noqa: E402
from rag.integrations.llama_index import (NewsDeskLLM, NewsDeskQueryEngine, NewsDeskRetriever,  # noqa: E402
                                          ingest_documents)

TRADE_DOC = "000_833a92ec386289a5"


def test_retriever_puts_the_right_seed_first_with_metadata(seeded_desk):
    nodes = NewsDeskRetriever(seeded_desk, k=3).retrieve("What was the two-way trade between Vietnam and Laos in 2025?")
    assert len(nodes) == 3
    first = nodes[0]
    assert first.node.metadata["doc_id"] == TRADE_DOC
    assert {"doc_id", "chunk_id", "title", "date", "source"} <= set(first.node.metadata)
    assert first.node.metadata["date"] == "2026-02-04"
    assert "2,6 tỷ USD" in " ".join(n.node.get_content() for n in nodes)


def test_query_engines_answer_with_source_nodes(answer_desk):
    q = "What was the two-way trade between Vietnam and Laos in 2025?"
    res = NewsDeskQueryEngine(desk=answer_desk).query(q)
    assert "2.6" in str(res) and "[1]" in str(res) and not res.metadata["abstained"]
    assert res.source_nodes and res.source_nodes[0].node.metadata["doc_id"] == TRADE_DOC
    # LlamaIndex's own engine over the desk's retriever and local model (no OpenAI default anywhere)
    engine = RetrieverQueryEngine.from_args(NewsDeskRetriever(answer_desk, k=3), llm=NewsDeskLLM(desk=answer_desk))
    res = engine.query(q)
    assert res.source_nodes and res.source_nodes[0].node.metadata["doc_id"] == TRADE_DOC
    assert str(res).strip()


def test_llama_index_documents_are_ingested_idempotently(index_copy):
    desk = NewsDesk(index=index_copy)
    docs = [Document(text="Hà Nội công bố tuyến metro số 3 chạy thử từ ngày 1/3/2026 với 12 ga.",
                     metadata={"id": "metro-3", "title": "Metro số 3", "date": "2026-02-20"}),
            Document(text="", metadata={"id": "empty"})]
    rep = ingest_documents(desk, docs)
    assert rep.docs_added == 1 and len(rep.errors) == 1 and "text" in rep.errors[0]["error"]
    again = ingest_documents(desk, docs[:1])
    assert again.docs_unchanged == 1 and again.docs_added == 0
    hit = desk.search("tuyến metro số 3 chạy thử", k=1).passages[0]
    assert hit.doc_id == "metro-3" and hit.date == "2026-02-20" and hit.title == "Metro số 3"
