"""Crash-safety proof: kill ``rag ingest`` with SIGKILL at random points, re-run it, and check it converges.

The corpus is real text: the 120 news-like paragraphs of ``evals/data/dev_corpus.jsonl`` as 40 one-paragraph
files and 10 eight-paragraph files (so the run writes several batches of chunks), ingested into an index that
already holds the two seed articles and an older version of 10 of the files (so a kill can land in the middle of
an update as well as an add). Each kill point:

1. copies that base index, starts ``rag ingest`` on the corpus (written in batches of 32 chunks, so one run
   writes several batches), and SIGKILLs it: a third of the points after a random delay drawn uniformly over the
   length of an uninterrupted run (measured first, in the same process), a third at a random chunk inside the
   store's lexical-index transactions, a third right after a random Chroma add or delete returned (vectors
   written, registry not committed) -- the step counts come from the uninterrupted run;
2. records what the kill left (documents ``pending`` in the registry, vectors in Chroma vs chunks);
3. re-runs ``rag ingest`` (a lock left by the killed process must not block it: the run has a timeout);
4. compares the index to a clean reference built from scratch: the same documents (ids and content hashes),
   the same chunk ids, the same sentence rows, Chroma's ids equal to the registry's chunk ids (no orphans, no
   duplicates), the FTS5 index equal term by term, nothing ``pending``, and the seed articles still there.

    python evals/kill_points.py --points 30 --out evals/reports/reliability

writes ``kill_points.json`` and prints a table. ``tests/test_reliability.py`` runs a handful of points in CI.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


# small write batches (the default is 256 chunks) so one run writes many batches and kills land inside them
BATCH = "32"

# The child: ``rag ingest`` itself, run through rag.cli.main. With KILL_AT=<step>:<n> it SIGKILLs itself at the
# n-th time the store reaches <step> -- ``fts`` (a chunk's lexical row, inside the intent or commit transaction)
# or ``vectors`` (just after a Chroma add or delete returned, before the registry commit). KILL_AT=count:<file>
# counts both over a whole run. Nothing in the package knows about this: the wrapper patches from outside.
CHILD = """
import atexit, json, os, signal, sys
mode, arg = os.environ.get("KILL_AT", "none:0").split(":", 1)
counts = {"fts": 0, "vectors": 0}
def hit(step):
    counts[step] += 1
    if mode == step and counts[step] == int(arg):
        os.kill(os.getpid(), signal.SIGKILL)
if mode != "none":
    from rag import lexical
    import chromadb.api.models.Collection as C
    fts = lexical.fts_columns
    def fts_columns(text):
        hit("fts")
        return fts(text)
    lexical.fts_columns = fts_columns
    for name in ("add", "delete"):
        def wrap(orig):
            def f(self, *a, **k):
                out = orig(self, *a, **k)
                hit("vectors")
                return out
            return f
        setattr(C.Collection, name, wrap(getattr(C.Collection, name)))
if mode == "count":
    atexit.register(lambda: open(arg, "w").write(json.dumps(counts)))
from rag.cli import main
sys.argv = ["rag"] + sys.argv[1:]
main()
"""


def _env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_") and k != "KILL_AT"}
    env.update({"HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False", "PYTHONPATH": str(ROOT),
                "RAG_WRITE_BATCH_CHUNKS": BATCH, **extra})
    return env


def _ingest_cmd(index: Path, src: Path) -> list[str]:
    return [sys.executable, "-c", CHILD, "--index", str(index), "ingest", str(src), "--json"]


def rag(index: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rag.cli", "--index", str(index), *args], capture_output=True,
                          text=True, timeout=timeout, env=_env(), cwd=ROOT)


def write_corpus(dst: Path, old: bool = False) -> Path:
    """The corpus as files; ``old=True`` writes an earlier version of the first 10 files only."""
    recs = [json.loads(line) for line in (ROOT / "evals" / "data" / "dev_corpus.jsonl").open(encoding="utf-8")]
    dst.mkdir(parents=True, exist_ok=True)
    files = [(f"p{i:02d}", [r]) for i, r in enumerate(recs[:40])]
    files += [(f"long{j}", recs[40 + 8 * j:48 + 8 * j]) for j in range(10)]
    for n, (name, group) in enumerate(files):
        if old and n >= 10:
            break
        text = "\n\n".join(r["text"] for r in group)
        if old:  # an earlier report of the same story: a paragraph fewer, one figure different
            text = text.split("\n\n")[0][: len(text) // 2] + " (bản tin cũ, 2025)"
        (dst / f"{name}.txt").write_text(f" date 2026-0{1 + n % 9}-1{n % 10}\n{text}\n", encoding="utf-8")
    return dst


def snapshot(index: Path) -> dict:
    """Everything that must match the reference, read straight from the files (not through the package)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    db = sqlite3.connect(index / "registry.sqlite")
    docs = dict(db.execute("SELECT doc_id, content_hash FROM docs WHERE state='ok'"))
    pending = [r[0] for r in db.execute("SELECT doc_id FROM docs WHERE state!='ok'")]
    chunks = sorted(r[0] for r in db.execute("SELECT chunk_id FROM chunks"))
    sentences = db.execute("SELECT count(*) FROM sentences").fetchone()[0]
    fts = sorted(db.execute("SELECT term, doc, cnt FROM chunks_fts_vocab"))
    n_fts = db.execute("SELECT count(*) FROM chunks_fts").fetchone()[0]
    db.close()
    client = chromadb.PersistentClient(path=str(index / "chroma"),
                                       settings=ChromaSettings(anonymized_telemetry=False))
    col = client.get_collection("chunks")  # rag.store.COLLECTION
    vec_ids = col.get(include=[])["ids"]
    return {"docs": docs, "pending": pending, "chunks": chunks, "sentences": sentences, "fts": fts,
            "n_fts": n_fts, "vector_ids": sorted(vec_ids), "vector_dupes": len(vec_ids) - len(set(vec_ids))}


def differences(got: dict, ref: dict, seeds: set[str]) -> list[str]:
    out = []
    if got["pending"]:
        out.append(f"pending documents left: {got['pending']}")
    if got["docs"] != ref["docs"]:
        miss = sorted(set(ref["docs"]) - set(got["docs"]))
        extra = sorted(set(got["docs"]) - set(ref["docs"]))
        stale = sorted(k for k in set(got["docs"]) & set(ref["docs"]) if got["docs"][k] != ref["docs"][k])
        out.append(f"documents differ: missing {miss}, extra {extra}, stale {stale}")
    if not seeds <= set(got["docs"]):
        out.append(f"earlier documents lost: {sorted(seeds - set(got['docs']))}")
    if got["chunks"] != ref["chunks"]:
        out.append(f"chunk ids differ ({len(got['chunks'])} vs {len(ref['chunks'])})")
    if got["vector_ids"] != got["chunks"]:
        orphans = len(set(got["vector_ids"]) - set(got["chunks"]))
        missing = len(set(got["chunks"]) - set(got["vector_ids"]))
        out.append(f"Chroma and registry disagree: {orphans} orphan vectors, {missing} chunks without a vector")
    if got["vector_dupes"]:
        out.append(f"{got['vector_dupes']} duplicate vector ids")
    if got["sentences"] != ref["sentences"]:
        out.append(f"sentence rows {got['sentences']} vs {ref['sentences']}")
    if got["fts"] != ref["fts"] or got["n_fts"] != len(got["chunks"]):
        out.append("the FTS5 lexical index differs from the reference")
    return out


def run(points: int, seed: int, work: Path, log=print) -> dict:
    # the base index: the seeds and an older version of 10 of the files, at the paths the corpus then updates
    corpus = write_corpus(work / "corpus", old=True)
    base = work / "base"
    for src in (ROOT / "seeds", corpus):
        r = rag(base, "ingest", str(src), "--json")
        assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    write_corpus(corpus)
    seeds = {p.stem for p in (ROOT / "seeds").glob("*.txt")}
    # the reference: seeds + the corpus, ingested from scratch, never interrupted
    ref_index = work / "reference"
    for src in (ROOT / "seeds", corpus):
        r = rag(ref_index, "ingest", str(src), "--json")
        assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    ref = snapshot(ref_index)
    # an uninterrupted update run over the base index: its length and its store steps are what kills are drawn from
    full = work / "full"
    shutil.copytree(base, full)
    t0 = time.perf_counter()
    r = subprocess.run(_ingest_cmd(full, corpus), capture_output=True, text=True, timeout=900, cwd=ROOT,
                       env=_env(KILL_AT=f"count:{work / 'counts.json'}"))
    run_s = time.perf_counter() - t0
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    steps = json.loads((work / "counts.json").read_text())
    rep0 = json.loads(r.stdout)
    assert not differences(snapshot(full), ref, seeds), differences(snapshot(full), ref, seeds)
    log(f"uninterrupted run: {run_s:.1f}s, {rep0['docs_added']} added, {rep0['docs_updated']} updated, "
        f"{rep0['chunks_added']} chunks in batches of {BATCH}, store steps {steps}; "
        f"reference {len(ref['docs'])} documents, {len(ref['chunks'])} chunks")
    rng = random.Random(seed)
    rows = []
    for i in range(points):
        idx = work / f"k{i}"
        shutil.copytree(base, idx)
        # a third at a random time, a third inside a lexical-index transaction, a third right after a vector write
        kind = ("time", "fts", "vectors")[i % 3]
        delay = rng.uniform(0.2, run_s) if kind == "time" else None
        at = rng.randint(1, steps[kind]) if kind != "time" else None
        proc = subprocess.Popen(_ingest_cmd(idx, corpus), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                env=_env(KILL_AT=f"{kind}:{at}" if at else "none:0"), cwd=ROOT)
        if delay is not None:
            time.sleep(delay)
            finished = proc.poll() is not None
            if not finished:
                proc.send_signal(signal.SIGKILL)
            proc.wait()
        else:
            finished = proc.wait(timeout=900) != -signal.SIGKILL
        db = sqlite3.connect(idx / "registry.sqlite")
        left_pending = db.execute("SELECT count(*) FROM docs WHERE state!='ok'").fetchone()[0]
        ok_docs = db.execute("SELECT count(*) FROM docs WHERE state='ok'").fetchone()[0]
        db.close()
        t1 = time.perf_counter()
        try:  # a lock the killed process held must not block the re-run
            r = subprocess.run(_ingest_cmd(idx, corpus), capture_output=True, text=True, env=_env(), cwd=ROOT,
                               timeout=max(120.0, 4 * run_s))
            diffs = ([f"re-run failed: {r.stdout[-300:]} {r.stderr[-500:]}"] if r.returncode != 0
                     else differences(snapshot(idx), ref, seeds))
        except subprocess.TimeoutExpired:
            diffs = ["re-run blocked (timed out)"]
        rerun_s = time.perf_counter() - t1
        rows.append({"point": i, "kind": kind, "delay_s": round(delay, 2) if delay else None, "step": at,
                     "killed": not finished,
                     "docs_ok_at_kill": ok_docs, "docs_pending_at_kill": left_pending,
                     "rerun_s": round(rerun_s, 1), "converged": not diffs, "differences": diffs})
        where = f"{delay:5.1f}s" if delay else f"{kind} #{at}"
        log(f"kill {i:2d} at {where:>12}: {ok_docs:3d} ok, {left_pending:2d} pending -> re-run {rerun_s:4.1f}s "
            f"{'converged' if not diffs else 'DIVERGED: ' + '; '.join(diffs)}")
        shutil.rmtree(idx, ignore_errors=True)
    return {"created": time.strftime("%Y-%m-%dT%H:%M:%S"), "seed": seed, "points": points,
            "uninterrupted_s": round(run_s, 1), "store_steps": steps, "write_batch_chunks": int(BATCH), "reference": {"documents": len(ref["docs"]),
                                                              "chunks": len(ref["chunks"])},
            "killed": sum(r["killed"] for r in rows),
            "half_written": sum(r["docs_pending_at_kill"] > 0 for r in rows),
            "converged": sum(r["converged"] for r in rows), "rows": rows}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--points", type=int, default=30)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--out", type=Path, default=ROOT / "evals" / "reports" / "reliability")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="killpoints-") as tmp:
        rep = run(a.points, a.seed, Path(tmp))
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / "kill_points.json").write_text(json.dumps(rep, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"{rep['converged']}/{rep['points']} converged ({rep['killed']} killed mid-run, "
          f"{rep['half_written']} left a half-written document) -> {a.out / 'kill_points.json'}")
    sys.exit(0 if rep["converged"] == rep["points"] else 1)


if __name__ == "__main__":
    main()
