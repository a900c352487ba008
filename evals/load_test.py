"""Load test: concurrent clients asking through the app's APIs while an upload is ingested, then a burst past the
queue limit.

Starts ``rag serve`` (the Gradio app with the /v1 chat API on the same port) over an index holding the seed
articles, with the fast 0.5B model. Half the clients ask through the app's Gradio API (``/ask``, with
``gradio_client``), half through ``/v1/chat/completions`` (``httpx``), each asking the 50 seed-set questions in its
own order. While they ask, a ninth client uploads 40 articles through ``/ingest``, and readers must never see a
half-written article (every cited passage's article is complete in the index afterwards). Then a burst of
``3 × --max-queue`` simultaneous /v1 requests checks that the queue is bounded: the ones past the limit are told
to retry (503) at once, none fails otherwise.

    python evals/load_test.py --clients 8 --questions 50 --out evals/reports/reliability

writes ``load.json`` and ``load.png`` (latency distribution per API).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return round(xs[min(len(xs) - 1, int(q * (len(xs) - 1) + 0.5))], 2) if xs else 0.0


def run(clients: int, questions: int, llm: str, max_queue: int, work: Path, log=print) -> dict:
    import httpx

    env = {**{k: v for k, v in os.environ.items() if not k.startswith("RAG_")}, "HF_HUB_OFFLINE": "1",
           "GRADIO_ANALYTICS_ENABLED": "False", "ANONYMIZED_TELEMETRY": "False", "PYTHONPATH": str(ROOT)}
    index = work / "index"
    r = subprocess.run([sys.executable, "-m", "rag.cli", "--index", str(index), "ingest", str(ROOT / "seeds"),
                        "--json"], capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "rag.cli", "--index", str(index), "--llm", llm, "serve",
                               "--port", str(port), "--max-queue", str(max_queue)], env=env,
                              stdout=subprocess.DEVNULL, stderr=open(work / "server.log", "w"))
    try:
        deadline = time.time() + 180
        while time.time() < deadline:
            try:
                if httpx.get(f"{url}/v1/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        else:
            raise RuntimeError("the server did not start: " + (work / "server.log").read_text()[-2000:])
        qs = [json.loads(line)["question"] for line in (ROOT / "evals" / "data" / "seeds_qa.jsonl").open()][:questions]
        httpx.post(f"{url}/v1/chat/completions", json={"messages": [{"role": "user", "content": qs[0]}]},
                   timeout=300)  # the model is loaded before the clock starts
        rows: list[dict] = []
        lock = threading.Lock()

        def client(n: int) -> None:
            api = "gradio" if n % 2 == 0 else "v1"
            order = qs[:]
            random.Random(n).shuffle(order)
            gc = None
            if api == "gradio":
                from gradio_client import Client

                gc = Client(url, verbose=False)
            with httpx.Client(timeout=600) as h:
                for q in order:
                    t0 = time.perf_counter()
                    err, cited = None, []
                    try:
                        if gc is not None:
                            out = gc.predict(q, api_name="/ask")
                            cited = [c["doc_id"] for c in out.get("citations", [])]
                            ok = isinstance(out.get("answer"), str) and out["answer"]
                        else:
                            resp = h.post(f"{url}/v1/chat/completions",
                                          json={"messages": [{"role": "user", "content": q}]})
                            body = resp.json()
                            ok = resp.status_code == 200 and body["choices"][0]["message"]["content"]
                            cited = [c["doc_id"] for c in body.get("citations", [])]
                            if not ok:
                                err = f"HTTP {resp.status_code}: {body.get('error')}"
                        if not ok and err is None:
                            err = "empty answer"
                    except Exception as e:  # every failure is counted, none stops the run
                        err = f"{type(e).__name__}: {e}"
                    with lock:
                        rows.append({"client": n, "api": api, "s": time.perf_counter() - t0, "error": err,
                                     "cited": cited})

        corpus = work / "upload"
        corpus.mkdir()
        recs = [json.loads(line) for line in (ROOT / "evals" / "data" / "dev_corpus.jsonl").open(encoding="utf-8")]
        for i, rec in enumerate(recs[:40]):
            (corpus / f"up{i:02d}.txt").write_text(rec["text"], encoding="utf-8")
        upload: dict = {}

        def uploader() -> None:
            from gradio_client import Client, handle_file

            time.sleep(5)
            t0 = time.perf_counter()
            try:
                upload["report"] = Client(url, verbose=False).predict(
                    [handle_file(str(p)) for p in sorted(corpus.iterdir())], api_name="/ingest")
            except Exception as e:
                upload["error"] = f"{type(e).__name__}: {e}"
            upload["s"] = round(time.perf_counter() - t0, 1)

        t0 = time.perf_counter()
        threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
        threads.append(threading.Thread(target=uploader))
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - t0
        log(f"{len(rows)} questions from {clients} clients in {wall:.0f}s; upload {upload.get('s')}s")

        # a burst past the queue limit: the extra requests are refused at once with 503, nothing else fails
        burst: list[tuple[int, float]] = []

        def one() -> None:
            t1 = time.perf_counter()
            try:
                code = httpx.post(f"{url}/v1/chat/completions", timeout=600,
                                  json={"messages": [{"role": "user", "content": random.choice(qs)}]}).status_code
            except httpx.HTTPError:
                code = -1
            with lock:
                burst.append((code, time.perf_counter() - t1))

        bt = [threading.Thread(target=one) for _ in range(3 * max_queue)]
        for t in bt:
            t.start()
        for t in bt:
            t.join()
        stats = httpx.get(f"{url}/v1/models", timeout=10).status_code
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    # no reader saw a half-written article: every cited article is complete in the index now
    import sqlite3

    db = sqlite3.connect(index / "registry.sqlite")
    complete = {d for d, n, m in db.execute(
        "SELECT d.doc_id, d.n_chunks, (SELECT count(*) FROM chunks c WHERE c.doc_id=d.doc_id) FROM docs d "
        "WHERE state='ok'") if n == m}
    docs_after = db.execute("SELECT count(*) FROM docs WHERE state='ok'").fetchone()[0]
    db.close()
    cited = {d for r in rows for d in r["cited"]}
    by_api = {}
    for api in ("gradio", "v1"):
        xs = [r["s"] for r in rows if r["api"] == api and not r["error"]]
        by_api[api] = {"n": len([r for r in rows if r["api"] == api]), "p50_s": pct(xs, 0.5),
                       "p95_s": pct(xs, 0.95), "max_s": pct(xs, 1.0)}
    lat = [r["s"] for r in rows if not r["error"]]
    codes = {}
    for c, _ in burst:
        codes[str(c)] = codes.get(str(c), 0) + 1
    refused = [s for c, s in burst if c == 503]
    return {
        "created": time.strftime("%Y-%m-%dT%H:%M:%S"), "llm": llm, "clients": clients,
        "questions_per_client": len(qs), "requests": len(rows), "errors": sum(bool(r["error"]) for r in rows),
        "error_examples": [r["error"] for r in rows if r["error"]][:5], "wall_s": round(wall, 1),
        "answers_per_min": round(60 * len(rows) / wall, 1), "p50_s": pct(lat, 0.5), "p95_s": pct(lat, 0.95),
        "by_api": by_api, "upload": {"s": upload.get("s"), "error": upload.get("error"),
                                     "docs_added": (upload.get("report") or {}).get("docs_added"),
                                     "errors": (upload.get("report") or {}).get("errors")},
        "docs_after": docs_after, "cited_articles": sorted(cited), "cited_all_complete": cited <= complete,
        "burst": {"requests": len(burst), "max_queue": max_queue, "status_codes": codes,
                  "refused_p95_s": pct(refused, 0.95), "server_alive_after": stats == 200},
        "latencies": [round(x, 3) for x in lat], "apis": [r["api"] for r in rows if not r["error"]],
    }


def plot(rep: dict, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    for api in ("gradio", "v1"):
        xs = sorted(x for x, a in zip(rep["latencies"], rep["apis"]) if a == api)
        if xs:
            ax.plot(xs, [(i + 1) / len(xs) for i in range(len(xs))], label=f"{api} (n={len(xs)})")
    ax.set_xlabel("seconds per answer (queueing included)")
    ax.set_ylabel("fraction of requests")
    ax.set_title(f"{rep['clients']} clients x {rep['questions_per_client']} questions, {rep['llm']}: "
                 f"{rep['errors']} errors")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(out, dpi=110)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--questions", type=int, default=50)
    ap.add_argument("--llm", default="llamacpp:qwen2.5-0.5b")
    ap.add_argument("--max-queue", type=int, default=16)
    ap.add_argument("--out", type=Path, default=ROOT / "evals" / "reports" / "reliability")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="load-") as tmp:
        rep = run(a.clients, a.questions, a.llm, a.max_queue, Path(tmp))
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / "load.json").write_text(json.dumps(rep, indent=1), encoding="utf-8")
    plot(rep, a.out / "load.png")
    print(json.dumps({k: v for k, v in rep.items() if k not in ("latencies", "apis", "cited_articles")}, indent=1))
    ok = (rep["errors"] == 0 and not rep["upload"]["error"] and rep["cited_all_complete"]
          and set(rep["burst"]["status_codes"]) <= {"200", "503"} and rep["burst"]["server_alive_after"])
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
