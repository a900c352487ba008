"""How would a calibrator fitted on more articles do on articles it has not seen? Leave-articles-out (issue 25).

    python evals/confidence_cv.py [--reports evals/reports/confidence-wide] [--folds 6] [--out evals/reports/confidence-wide]

Every XQuAD row is now seen: the 612 questions of `evals/data/xquad/` (CC BY-SA 4.0), rows 1-600 run in earlier
stops (1-120 fitted on; 301-400, 401-500 and 501-600 each run once as held-out or fresh rows); 601-612 are too few
to be a test set. So a fit on all of them is measured by cross-validation *grouped by article*: the rows of each
fold's articles are predicted by a calibrator (both the answer and the refusal one, the shipped L2 weight, thresholds
for the same target precision) fitted on the other articles' rows only. The dev set's rows form one group per split.
Beside it, the calibrator the package ships (fitted on the dev tune split and XQuAD 1-120) on the rows it never saw.
Reported per language pair: AURC, calibration error (answers; all rows), answered precision and coverage.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fit_confidence import TARGETS, by_pair, load_rows  # noqa: E402

from rag.confidence import MODEL_FILE, ConfidenceModel, apply, fit, trust_metrics  # noqa: E402


def article_of() -> dict[str, str]:
    d = json.loads((ROOT / "evals/data/xquad/xquad.vi.dev.json").read_text(encoding="utf-8"))
    return {q["id"]: art.get("title") or str(i) for i, art in enumerate(d["data"]) for p in art["paragraphs"]
            for q in p["qas"]}


def fmt(x):
    return "–" if x is None else (f"{x:.3f}" if isinstance(x, float) else str(x))


def table(name: str, rows: list[dict]) -> list[str]:
    out = []
    for pair, rs in {"all": rows, **by_pair(rows)}.items():
        t = trust_metrics(rs)
        out.append(f"| {name} | {pair} | {t['n']} | {fmt(t['aurc'])} | {fmt(t['ece_answers'])} | {fmt(t['ece_all'])} | "
                   f"{fmt(t['answered']['precision'])} | {fmt(t['answered']['coverage'])} |")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reports", type=Path, default=ROOT / "evals/reports/confidence-wide")
    ap.add_argument("--folds", type=int, default=6)
    ap.add_argument("--l2", type=float, default=30.0)
    ap.add_argument("--out", type=Path)
    a = ap.parse_args()
    out = a.out or a.reports
    sets = load_rows(a.reports)
    rows = [r for rs in sets.values() for r in rs]
    art = article_of()
    group = {id(r): (art.get(r["id"]) if r["set"] != "dev" else f"dev-{r.get('split') or 'tune'}") for r in rows}
    groups = sorted({g for g in group.values() if g})
    folds = [groups[i::a.folds] for i in range(a.folds)]
    cv_rows = []
    for f in folds:
        test = [copy.deepcopy(r) for r in rows if group[id(r)] in f]
        train = [r for r in rows if group[id(r)] not in f]
        cv_rows += apply(fit(train, TARGETS, l2=a.l2), test)
    shipped = ConfidenceModel.load(MODEL_FILE)
    fitted_by_shipped = {"dev": "tune"}
    unseen = [copy.deepcopy(r) for r in rows
              if not (r["set"] == "dev" and r.get("split") == fitted_by_shipped["dev"]) and "1-120" not in r["set"]]
    apply(shipped, unseen)
    cv_unseen = [r for r in cv_rows if not (r["set"] == "dev" and r.get("split") == "tune") and "1-120" not in r["set"]]
    lines = ["# The answer calibrator on articles it has not seen", "",
             f"`python evals/confidence_cv.py {' '.join(sys.argv[1:])}`".replace(" `", "`").replace(str(ROOT) + "/", ""),
             "", f"Rows: {len(rows)} ({', '.join(sorted({r['set'] for r in rows}))}); {len(groups)} article groups in "
             f"{a.folds} folds; L2 weight {a.l2}; thresholds for the target precision per pair ({TARGETS}). XQuAD: "
             "CC BY-SA 4.0.", "",
             "| calibrator, rows | pair | n | AURC | ECE (answers) | ECE (all) | answered precision | answered coverage |",
             "|---|---|---|---|---|---|---|---|"]
    lines += table("shipped (dev tune + XQuAD 1-120), on the rows it did not fit", unseen)
    lines += table("fitted on other articles (grouped CV), same rows", cv_unseen)
    lines += table("fitted on other articles (grouped CV), every row", cv_rows)
    model = fit(rows, TARGETS, l2=a.l2)
    lines += ["", "A fit on every row (what `--write-model` would ship): thresholds "
              + ", ".join(f"{p} {t}" for p, t in model.thresholds.items()), ""]
    out.mkdir(parents=True, exist_ok=True)
    (out / "cv.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
