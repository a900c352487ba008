"""Before/after table for summaries and briefings (issue 11), from two `rag eval evals/data/digests.jsonl` reports.

    .venv/bin/python evals/digest_before_after.py BEFORE_DIR AFTER_DIR [--index INDEX] > table.md

Both reports are re-scored with today's metrics (`recheck_digest`) and the gold's splits and traps, so a report
written before those metrics existed compares like for like. Reports whose sources carry no text (the map-reduce
pipeline cited whole chunks) get the cited chunks' text from ``--index`` (the index both runs used).
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

from rag.evaluate_digests import recheck_digest, score_digest

GOLD = {json.loads(l)["id"]: json.loads(l)
        for l in (Path(__file__).parent / "data" / "digests.jsonl").read_text(encoding="utf-8").splitlines() if l}
COLS = ["key_fact_recall", "wrong_roles", "mixed_language_lines", "checker_recheck_total", "bullets", "seconds"]


def load(d: str, store) -> list[dict]:
    rep = json.loads((Path(d) / "report.json").read_text(encoding="utf-8"))
    out = []
    for res in rep["results"].values():
        for r in res["rows"]:
            if "digest" not in r or r["id"] not in GOLD:
                continue
            g = GOLD[r["id"]]
            r["gold"], r["traps"], r["split"] = g["key_facts"], g.get("traps", []), g.get("split", "")
            r["articles"] = r.get("articles") or len(g.get("docs") or g.get("doc_ids") or []) or None
            srcs = r["digest"]["sources"]
            if store is not None and srcs and "text" not in srcs[0]:
                ps = store.passages([s["chunk_id"] for s in srcs])
                for s in srcs:
                    s["text"] = ps[s["chunk_id"]].text if s["chunk_id"] in ps else ""
            score_digest(r)
            recheck_digest(r)
            r["seconds"] = r["latency_ms"]["total"] / 1000
            out.append(r)
    return out


def agg(rows: list[dict]) -> dict:
    m = {"n": len(rows)}
    for k in COLS:
        vals = [r[k] for r in rows]
        m[k] = (sum(vals) if k in ("wrong_roles", "mixed_language_lines", "checker_recheck_total")
                else statistics.fmean(vals)) if vals else None
    return m


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("runs", nargs="+")
    ap.add_argument("--index")
    a = ap.parse_args()
    store = None
    if a.index:
        from rag import NewsDesk

        store = NewsDesk(index=a.index).store
    print("| run | slice | n | " + " | ".join(COLS) + " |")
    print("|---" * (len(COLS) + 3) + "|")
    for d in a.runs:
        rows = load(d, store)
        slices = [("frozen", lambda r: r["split"] == "frozen"), ("tune", lambda r: r["split"] == "tune"),
                  ("all", lambda r: True), ("2 articles", lambda r: r.get("articles") == 2),
                  ("10 articles", lambda r: r.get("articles") == 10)]
        for name, pred in slices:
            m = agg([r for r in rows if pred(r)])
            cells = [f"{m[k]:.3f}" if isinstance(m[k], float) and k == "key_fact_recall" else
                     (f"{m[k]:.1f}" if isinstance(m[k], float) else str(m[k])) for k in COLS]
            print(f"| {Path(d).name} | {name} | {m['n']} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
