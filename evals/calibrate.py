"""Calibration of the abstention signals from an eval report (issue 10): how often is a question answerable, and
how often is the answer right, as a function of the evidence score? Fits the retrieval gate and the quote
threshold on the ``tune`` split only and reports what they do on both splits.

    python evals/calibrate.py evals/reports/dev-1.5b/report.json --out evals/reports/dev-1.5b/calibration.png

Signals (``row["signals"]``, written by ``rag eval``): ``best_dense`` (best chunk cosine, the pre-LLM gate) and
``best_evidence`` (best evidence-sentence score). Rows that abstained at the gate have only ``best_dense``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def _bins(rows, key, edges):
    out = []
    for lo, hi in zip(edges, edges[1:]):
        rs = [r for r in rows if lo <= r["signals"].get(key, -1) < hi]
        if rs:
            out.append(((lo + hi) / 2, len(rs), sum(r["answerable"] for r in rs) / len(rs),
                        sum(bool(r.get("correct")) for r in rs) / len(rs)))
    return out


def gate_for(rows, key, max_false_abstention=0.02):
    """Highest threshold on ``key`` that turns away at most ``max_false_abstention`` of answerable questions."""
    ans = sorted(r["signals"][key] for r in rows if r["answerable"] and key in r.get("signals", {}))
    if not ans:
        return None
    i = int(max_false_abstention * len(ans))
    return round(ans[i] - 1e-4, 4)


def effect(rows, key, t):
    ans = [r for r in rows if r["answerable"] and key in r.get("signals", {})]
    un = [r for r in rows if not r["answerable"] and key in r.get("signals", {})]
    return {"threshold": t, "answerable_turned_away": round(sum(r["signals"][key] < t for r in ans) / max(1, len(ans)), 3),
            "unanswerable_caught": round(sum(r["signals"][key] < t for r in un) / max(1, len(un)), 3)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("report")
    ap.add_argument("--out", help="PNG of the calibration curves")
    a = ap.parse_args()
    rep = json.loads(Path(a.report).read_text(encoding="utf-8"))
    rows = [r for res in rep["results"].values() for r in res["rows"] if r.get("signals")]
    tune = [r for r in rows if r.get("split") == "tune"]
    frozen = [r for r in rows if r.get("split") == "frozen"]
    out = {}
    for key in ("best_dense", "best_evidence"):
        t = gate_for(tune or rows, key)
        out[key] = {"fitted_on": "tune" if tune else "all", "tune": effect(tune or rows, key, t),
                    "frozen": effect(frozen, key, t) if frozen else None}
    print(json.dumps(out, indent=1))
    if a.out:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, axes = plt.subplots(1, 2, figsize=(10, 4))
        for ax, key, edges in ((axes[0], "best_dense", [0.70 + 0.02 * i for i in range(15)]),
                               (axes[1], "best_evidence", [0.74 + 0.02 * i for i in range(16)])):
            for split, rs, style in (("tune", tune, "-o"), ("frozen", frozen, "--s")):
                b = _bins(rs, key, edges)
                if b:
                    ax.plot([x[0] for x in b], [x[2] for x in b], style, label=f"{split}: P(answerable)")
                    ax.plot([x[0] for x in b], [x[3] for x in b], style, alpha=0.5, label=f"{split}: P(right answer)")
            if out[key]["tune"]["threshold"] is not None:
                ax.axvline(out[key]["tune"]["threshold"], color="grey", lw=1)
            ax.set_xlabel(key)
            ax.set_ylim(-0.05, 1.05)
            ax.legend(fontsize=7)
        axes[0].set_title("retrieval gate signal")
        axes[1].set_title("evidence sentence score")
        fig.tight_layout()
        fig.savefig(a.out, dpi=110)


if __name__ == "__main__":
    main()
