"""Ingest against its physical limit (issue 12): a real ingest timed beside the bare embedder on the same texts.

    .venv/bin/python evals/bench_ingest.py evals/data/dev_corpus.jsonl --out evals/reports/bench

Ingest embeds each chunk *and* each sentence (the sentence vectors are what the answer path selects evidence
with), so two ratios are reported, measured in one run on the same machine: ingest vs the bare embedder on the
chunks alone, and vs the bare embedder on chunks + sentences (the same embedding work ingest does).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", type=Path, nargs="+")
    ap.add_argument("--out", type=Path)
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
        chunks = [c.text for d in docs for c in chunk_document(d, emb.count_tokens, st.chunk_tokens,
                                                                 st.chunk_overlap_tokens)]
        sents = [d.text[s.start:s.end] for d in docs for s in sentence_spans(d.text, emb.count_tokens, st.chunk_tokens)]
        emb.embed_passages(["warm up"])
        t0 = time.perf_counter()
        emb.embed_passages(chunks)
        bare_chunks = time.perf_counter() - t0
        t0 = time.perf_counter()
        emb.embed_passages(sents)
        bare_sents = time.perf_counter() - t0
        t0 = time.perf_counter()
        rep = desk.ingest(a.corpus)
        ingest_s = time.perf_counter() - t0
    finally:
        shutil.rmtree(work, ignore_errors=True)
    out = {"documents": len(docs), "chunks": len(chunks), "sentences": len(sents), "ingest_s": round(ingest_s, 2),
           "bare_embedder_chunks_s": round(bare_chunks, 2), "bare_embedder_chunks_and_sentences_s":
           round(bare_chunks + bare_sents, 2), "ingest_chunks_per_s": round(len(chunks) / ingest_s, 1),
           "ratio_vs_bare_chunks": round(bare_chunks / ingest_s, 3),
           "ratio_vs_bare_chunks_and_sentences": round((bare_chunks + bare_sents) / ingest_s, 3),
           "errors": rep.errors}
    if a.out:
        a.out.mkdir(parents=True, exist_ok=True)
        (a.out / "ingest.json").write_text(json.dumps(out, indent=1, ensure_ascii=False), encoding="utf-8")
    print(json.dumps(out, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
