"""Ingest against its physical limit (issue 12): a real ingest timed beside the bare embedder on the same texts.

    .venv/bin/python evals/bench_ingest.py evals/data/dev_corpus.jsonl --out evals/reports/bench

Ingest embeds each chunk *and* each sentence (the sentence vectors are what the answer path selects evidence
with), so two ratios are reported, measured in one run on the same machine: ingest vs the bare embedder on the
chunks alone, and vs the bare embedder on chunks + sentences (the same embedding work ingest does). With
``--llama-index`` (needs ``llama-index-vector-stores-chroma``), also LlamaIndex's default path on the same files:
``VectorStoreIndex.from_documents`` into a Chroma collection with the same embedder (wrapped as a LlamaIndex
``BaseEmbedding``; its default batch of 10) and a ``SentenceSplitter`` of the same 160/40-token budget counted by
the same tokenizer (its default tokenizer is tiktoken, which downloads its encodings); and our ingest with
``sentence_vectors`` off, which does the same work (chunk vectors only).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path


def llama_index_ingest(docs, emb, st, work: Path) -> tuple[float, int]:
    """LlamaIndex's default ``VectorStoreIndex.from_documents`` into Chroma, timed; returns (seconds, nodes)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from llama_index.core import Document as LIDocument
    from llama_index.core import StorageContext, VectorStoreIndex
    from llama_index.core.embeddings import BaseEmbedding
    from llama_index.core.node_parser import SentenceSplitter
    from llama_index.vector_stores.chroma import ChromaVectorStore

    class Same(BaseEmbedding):  # the desk's embedder, as LlamaIndex calls it
        def _get_text_embedding(self, text):
            return emb.embed_passages([text])[0].tolist()

        def _get_text_embeddings(self, texts):
            return [v.tolist() for v in emb.embed_passages(texts)]

        def _get_query_embedding(self, query):
            return emb.embed_query(query).tolist()

        async def _aget_query_embedding(self, query):
            return self._get_query_embedding(query)

    client = chromadb.PersistentClient(path=str(work / "li-chroma"), settings=ChromaSettings(anonymized_telemetry=False))
    col = client.get_or_create_collection("llama_index", embedding_function=None, metadata={"hnsw:space": "cosine"})
    splitter = SentenceSplitter(chunk_size=st.chunk_tokens, chunk_overlap=st.chunk_overlap_tokens,
                                tokenizer=lambda t: [0] * emb.count_tokens(t))
    li_docs = [LIDocument(text=d.text, doc_id=d.doc_id, metadata={"date": d.date or ""}) for d in docs]
    t0 = time.perf_counter()
    VectorStoreIndex.from_documents(li_docs, storage_context=StorageContext.from_defaults(
        vector_store=ChromaVectorStore(chroma_collection=col)), embed_model=Same(), transformations=[splitter])
    return time.perf_counter() - t0, col.count()


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", type=Path, nargs="+")
    ap.add_argument("--out", type=Path)
    ap.add_argument("--llama-index", action="store_true", help="also time LlamaIndex's default ingest path")
    a = ap.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from rag import NewsDesk
    from rag.chunking import chunk_document, sentence_spans
    from rag.ingest import IngestReport, load_all

    work = Path(tempfile.mkdtemp(prefix="rag-bench-ingest-"))
    try:
        desk = NewsDesk(index=work / "index")
        emb, st = desk.embedder, desk.settings
        docs = load_all(a.corpus, IngestReport())
        # per document, as ingest calls the embedder (one call for all texts pads every text to the longest and
        # measured 1.7x slower than ingest itself: not the bare embedder's best)
        per_doc_chunks = [[c.text for c in chunk_document(d, emb.count_tokens, st.chunk_tokens,
                                                          st.chunk_overlap_tokens)] for d in docs]
        per_doc_sents = [[d.text[s.start:s.end] for s in sentence_spans(d.text, emb.count_tokens, st.chunk_tokens)]
                         for d in docs]
        chunks = [t for ts in per_doc_chunks for t in ts]
        sents = [t for ts in per_doc_sents for t in ts]
        emb.embed_passages(["warm up"])
        t0 = time.perf_counter()
        for ts in per_doc_chunks:
            emb.embed_passages(ts)
        bare_chunks = time.perf_counter() - t0
        t0 = time.perf_counter()
        for ts in per_doc_sents:
            if ts:
                emb.embed_passages(ts)
        bare_sents = time.perf_counter() - t0
        t0 = time.perf_counter()
        rep = desk.ingest(a.corpus)
        ingest_s = time.perf_counter() - t0
        li = llama_index_ingest(docs, emb, st, work) if a.llama_index else None
        lean_s = None
        if a.llama_index:  # the same work LlamaIndex does: chunk vectors only (sentence_vectors off)
            lean = NewsDesk(index=work / "index-lean", sentence_vectors=False)
            t0 = time.perf_counter()
            lean.ingest(a.corpus)
            lean_s = time.perf_counter() - t0
    finally:
        shutil.rmtree(work, ignore_errors=True)
    out = {"documents": len(docs), "chunks": len(chunks), "sentences": len(sents), "ingest_s": round(ingest_s, 2),
           "bare_embedder_chunks_s": round(bare_chunks, 2), "bare_embedder_chunks_and_sentences_s":
           round(bare_chunks + bare_sents, 2), "ingest_chunks_per_s": round(len(chunks) / ingest_s, 1),
           "ratio_vs_bare_chunks": round(bare_chunks / ingest_s, 3),
           "ratio_vs_bare_chunks_and_sentences": round((bare_chunks + bare_sents) / ingest_s, 3),
           "errors": rep.errors}
    if li:
        out.update({"llama_index_s": round(li[0], 2), "llama_index_nodes": li[1],
                    "ingest_speedup_vs_llama_index": round(li[0] / ingest_s, 2),
                    "llama_index_vs_bare_chunks": round(bare_chunks / li[0], 3),
                    "ingest_chunks_only_s": round(lean_s, 2),
                    "chunks_only_speedup_vs_llama_index": round(li[0] / lean_s, 2),
                    "chunks_only_ratio_vs_bare_chunks": round(bare_chunks / lean_s, 3)})
    if a.out:
        a.out.mkdir(parents=True, exist_ok=True)
        (a.out / "ingest.json").write_text(json.dumps(out, indent=1, ensure_ascii=False), encoding="utf-8")
    print(json.dumps(out, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
