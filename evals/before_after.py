"""Before/after table for the answer path (issue 10): metrics of two dev-set reports, per split and subset.

    .venv/bin/python evals/before_after.py evals/reports/answers/dev-before-c8ce362 evals/reports/answers/dev-1.5b
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from rag.evaluate import aggregate

SPLITS = {json.loads(l)["id"]: json.loads(l)["split"]
          for l in (Path(__file__).parent / "data" / "dev_qa.jsonl").read_text(encoding="utf-8").splitlines() if l}
KEYS = ["accuracy", "false_abstention_rate", "abstention_recall", "citation_precision", "median_seconds",
        "prompt_tokens", "prompt_tokens_new"]


def rows(d: str) -> list[dict]:
    rep = json.loads((Path(d) / "report.json").read_text(encoding="utf-8"))
    return [r for res in rep["results"].values() for r in res["rows"]]


def main() -> None:
    runs = {Path(d).name: rows(d) for d in sys.argv[1:]}
    print("| run | slice | n | " + " | ".join(KEYS) + " |")
    print("|---" * (len(KEYS) + 3) + "|")
    for slice_name, pred in (("frozen", lambda r: SPLITS.get(r["id"]) == "frozen"),
                             ("tune", lambda r: SPLITS.get(r["id"]) == "tune"),
                             ("EN questions", lambda r: r["lang"] == "en"),
                             ("VI questions", lambda r: r["lang"] == "vi")):
        for name, rs in runs.items():
            m = aggregate([r for r in rs if pred(r)])
            vals = [m.get(k) for k in KEYS]
            print(f"| {name} | {slice_name} | {m['n']} | " + " | ".join("–" if v is None else f"{v:.3f}" if isinstance(v, float) else str(v) for v in vals) + " |")


if __name__ == "__main__":
    main()
