"""Fit the answer-confidence calibrator and report trust, fitted rows and held-out rows apart (issue 25).

    python evals/fit_confidence.py [--reports evals/reports/confidence] [--write-model]

Rows come from ``evals/run_confidence.sh`` (``rag eval`` reports, each row with its recorded ``signals``):

* fitted on: the dev set's *tune* split and XQuAD dev questions 1-120 in both directions (Vietnamese questions,
  English questions over the Vietnamese paragraphs);
* held out (never used to fit or to choose a threshold): the dev set's *frozen* split and XQuAD questions 301-400
  (other articles);
* fresh (``*-fresh``, XQuAD questions 401-500, other articles again): run once, after every choice was made —
  the held-out rows above had been seen in aggregate in earlier reports.

Reports precision and coverage per state, AURC and expected calibration error per language pair, "before" (the
desk without states: every answer it shows looks the same) against "after"; which signal groups earn their place
(each left out in turn, measured on the held-out rows); a risk-coverage plot and a reliability diagram.
``--write-model`` ships the fit as ``rag/data/confidence.json``.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rag.confidence import (ABSTAIN_FEATURES, ANSWER_FEATURES, MODEL_FILE, Calibrator, ConfidenceModel,  # noqa: E402
                            apply, ece, fit, reliability, risk_coverage, row_pair, shown_right, trust_metrics)

TARGETS = {"vi-vi": 0.90, "en-vi": 0.80, "en-en": 0.90, "vi-en": 0.80, "*": 0.85}
GROUPS = {
    "retrieval and evidence scores": ("best_dense", "best_evidence", "evidence_margin", "cited_score", "cited_is_top"),
    "token log-probabilities": ("lp_mean", "lp_min"),
    "claim checks (dropped, cut, quoted, conflict)": ("dropped", "cut", "quoted", "conflict"),
    "answer held by its cited sentence": ("cited_overlap", "figures_in_cited"),
    "question kind, language pair, length": ("cross", "q_count", "q_who", "q_when", "answer_words"),
}


def vietnamese_gold() -> dict[str, list[str]]:
    """XQuAD's Vietnamese answers by question id: an English question's quote is a Vietnamese sentence, so whether
    it holds the answer is judged against the parallel Vietnamese answer (and the English one: names, numbers)."""
    d = json.loads((ROOT / "evals/data/xquad/xquad.vi.dev.json").read_text(encoding="utf-8"))
    return {q["id"]: [a["text"] for a in q["answers"]] for art in d["data"] for p in art["paragraphs"]
            for q in p["qas"]}


def load_rows(reports: Path, add: list[tuple[str, Path]] = ()) -> dict[str, list[dict]]:
    """Rows by set. The set of a report folder under ``reports`` is read off its name (``dev``: its tune split is
    fitted on, its frozen split held out; ``*-fit``, ``*-heldout``, ``*-fresh``; a symbolic link is read as its name says); ``add``: more
    (set, folder) pairs."""
    from rag.scoring import contains_answer

    vi_gold = vietnamese_gold()
    sets: dict[str, list[dict]] = {"fit": [], "held-out": [], "fresh": []}
    dirs = [(None, p) for p in sorted(reports.iterdir()) if (p / "report.json").exists()] + list(add)
    for forced, d in dirs:
        rep = json.loads((d / "report.json").read_text(encoding="utf-8"))
        over_vi = "en-over-vi" in d.name or bool(rep.get("config", {}).get("questions_from"))
        name = d.name if forced is None or d.name.startswith("xquad") else f"{d.parent.name}/{d.name}"
        for r in rep["results"].values():
            for row in r["rows"]:
                if "abstained" not in row:
                    continue
                row["set"] = name
                if over_vi and row.get("quote") and row["answerable"]:
                    alts = vi_gold.get(row["id"], []) + [a for f in row.get("gold", []) for a in f]
                    row["quote_has_answer"] = float(contains_answer(row["quote"], alts))
                if forced is not None:
                    sets[forced].append(row)
                elif d.name == "dev":
                    sets["fit" if row.get("split") == "tune" else "held-out"].append(row)
                elif d.name.endswith("-fit"):
                    sets["fit"].append(row)
                elif d.name.endswith("-heldout"):
                    sets["held-out"].append(row)
                elif d.name.endswith("-fresh"):
                    sets["fresh"].append(row)
    return {k: v for k, v in sets.items() if v}


def before(rows: list[dict]) -> dict:
    """The desk without states: every shown answer is presented alike."""
    shown = [r for r in rows if not r["abstained"]]
    return {"coverage": round(len(shown) / len(rows), 4) if rows else None,
            "precision": round(sum(shown_right(r) for r in shown) / len(shown), 4) if shown else None}


def by_pair(rows: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for r in rows:
        out.setdefault(row_pair(r), []).append(r)
    return {k: v for k, v in sorted(out.items()) if len(v) >= 10}


def median_seconds(rows):
    t = sorted(r["latency_ms"]["total"] / 1000 for r in rows if "total" in r.get("latency_ms", {}))
    return round(t[len(t) // 2], 2) if t else None


def ablation(fit_rows, held_rows, l2: float = 1.0) -> list[dict]:
    """AURC and ECE on the held-out answers with every group, and with each group left out."""
    fa = [r for r in fit_rows if not r["abstained"]]
    ha = [r for r in held_rows if not r["abstained"]]
    out = []
    for name, drop in [("all signals", ())] + [(f"without {g}", f) for g, f in GROUPS.items()]:
        feats = tuple(f for f in ANSWER_FEATURES if f not in drop)
        cal = Calibrator.fit(feats, [r["signals"] for r in fa], [shown_right(r) for r in fa], l2)
        conf = [cal.predict(r["signals"]) for r in ha]
        right = [shown_right(r) for r in ha]
        from rag.confidence import aurc
        out.append({"model": name, "aurc": aurc(conf, right), "ece": ece(conf, right)})
    return out


def signal_gain(fit_shown: list[dict], shown: list[dict], pair: str, extra: str, n_rows: int | None = None,
                l2: float = 30.0) -> dict[str, dict]:
    """The shipped answer signals refitted on the shown answers ``fit_shown`` without and with the signal ``extra``
    (in each row's ``signals``), each judged on the shown answers ``shown`` of language pair ``pair`` ("all": any):
    AUROC, AURC, ECE, and precision / coverage at the pair's target precision, its threshold chosen on the fitted
    rows of that pair. Coverage is over ``n_rows`` (default: ``len(shown)``)."""
    from sklearn.metrics import roc_auc_score

    from rag.confidence import aurc, choose_threshold, row_pair

    right = [shown_right(r) for r in shown]
    fsel = [r for r in fit_shown if pair == "all" or row_pair(r) == pair]
    out = {}
    for name, feats in (("without", tuple(ANSWER_FEATURES)), ("with", tuple(ANSWER_FEATURES) + (extra,))):
        cal = Calibrator.fit(feats, [r["signals"] for r in fit_shown], [shown_right(r) for r in fit_shown], l2)
        conf = [cal.predict(r["signals"]) for r in shown]
        t = choose_threshold([cal.predict(r["signals"]) for r in fsel], [shown_right(r) for r in fsel],
                             TARGETS.get(pair, TARGETS["*"]))
        ans = [x for c, x in zip(conf, right) if c >= t]
        out[name] = {"auroc": roc_auc_score(right, conf) if 0 < sum(right) < len(right) else float("nan"),
                     "aurc": aurc(conf, right), "ece": ece(conf, right),
                     "precision": round(sum(ans) / len(ans), 3) if ans else None,
                     "coverage": round(len(ans) / (n_rows or len(shown)), 3), "weight": dict(zip(feats, cal.coef)).get(extra)}
    return out


def gain_cells(res: dict[str, dict]) -> str:
    """Table cells of a ``signal_gain`` result: AURC, ECE, then precision / coverage, without and with the signal."""
    w, x = res["without"], res["with"]
    return (f"{w['aurc']:.3f} / {x['aurc']:.3f} | {w['ece']:.3f} / {x['ece']:.3f} | "
            f"{w['precision']} / {w['coverage']} | {x['precision']} / {x['coverage']} |")


def write_report(out: Path, md: list[str], summary: dict) -> None:
    """``report.md`` and ``summary.json`` into ``out``, and the report to stdout."""
    (out / "report.md").write_text("\n".join(md) + "\n", encoding="utf-8")
    (out / "summary.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
    print("\n".join(md))


def cross_validate(fit_rows, grid=(0.3, 1, 3, 10, 30, 100), folds=5) -> list[dict]:
    """5-fold cross-validated AURC and ECE of the answer calibrator on the fitted rows, per L2 weight."""
    import numpy as np

    from rag.confidence import aurc

    fa = [r for r in fit_rows if not r["abstained"]]
    idx = np.random.default_rng(0).permutation(len(fa))
    parts = np.array_split(idx, folds)
    out = []
    for l2 in grid:
        conf = [0.0] * len(fa)
        for part in parts:
            held = set(part.tolist())
            tr = [fa[i] for i in idx if i not in held]
            cal = Calibrator.fit(ANSWER_FEATURES, [r["signals"] for r in tr], [shown_right(r) for r in tr], l2)
            for i in part:
                conf[i] = cal.predict(fa[i]["signals"])
        right = [shown_right(r) for r in fa]
        out.append({"l2": l2, "aurc": aurc(conf, right), "ece": ece(conf, right)})
    return out


def plot(sets: dict[str, list[dict]], path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.4))
    ax = axes[0]
    for name, rows in sets.items():
        for pair, rs in by_pair(rows).items():
            shown = [r for r in rs if not r["abstained"]]
            curve = risk_coverage([r["confidence"] for r in shown], [shown_right(r) for r in shown], total=len(rs))
            ax.plot([c for c, _ in curve], [1 - k for _, k in curve], label=f"{name} · {pair}",
                    linestyle={"held-out": "-", "fresh": "--"}.get(name, ":"))
    ax.set_xlabel("coverage (share of questions answered, most confident first)")
    ax.set_ylabel("precision of the answered")
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title("Risk-coverage (as precision)")
    ax = axes[1]
    for name, rows in sets.items():
        shown = [r for r in rows if not r["abstained"]]
        rel = reliability([r["confidence"] for r in shown], [shown_right(r) for r in shown])
        ax.plot([b["confidence"] for b in rel], [b["accuracy"] for b in rel], {"held-out": "o-", "fresh": "^--"}.get(name, "s:"),
                label=f"{name} (n per bin: {', '.join(str(b['n']) for b in rel)})")
    ax.plot([0, 1], [0, 1], color="grey", linewidth=0.8)
    ax.set_xlabel("confidence")
    ax.set_ylabel("share right")
    ax.set_title("Reliability of shown answers")
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def fmt(x):
    return "–" if x is None else (f"{x:.3f}" if isinstance(x, float) else str(x))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reports", type=Path, default=ROOT / "evals/reports/confidence")
    ap.add_argument("--write-model", action="store_true")
    ap.add_argument("--l2", type=float, help="L2 weight (default: chosen by 5-fold CV AURC on the fitted rows)")
    ap.add_argument("--add", action="append", default=[], metavar="SET=DIR",
                    help="a `rag eval` report folder whose rows join SET (fit, held-out, fresh)")
    ap.add_argument("--out", type=Path, help="where the report goes (default: --reports)")
    a = ap.parse_args()
    add = [(x.split("=", 1)[0], Path(x.split("=", 1)[1])) for x in a.add]
    sets = load_rows(a.reports, add)
    out = a.out or a.reports
    out.mkdir(parents=True, exist_ok=True)
    if not sets["fit"]:
        sys.exit(f"no fitted rows under {a.reports}: run evals/run_confidence.sh first")
    cv = cross_validate(sets["fit"])
    l2 = a.l2 if a.l2 is not None else min(cv, key=lambda x: x["aurc"])["l2"]
    fit_dirs = sorted({r["set"] for r in sets["fit"]})
    model = fit(sets["fit"], TARGETS, l2=l2, source=f"{a.reports.name}: " + ", ".join(fit_dirs))
    shipped = ConfidenceModel.load(MODEL_FILE)  # before: the calibrator the package ships, on the same rows
    was = {}
    for name, rows in sets.items():
        old_rows = apply(shipped, copy.deepcopy(rows))
        was[name] = {pair: trust_metrics(rs) for pair, rs in {"all": old_rows, **by_pair(old_rows)}.items()}
    if a.write_model:
        old = ConfidenceModel.load(MODEL_FILE)  # the bullet calibrator has its own rows (bullet_confidence.py)
        model.bullet = old.bullet
        if "bullet" in old.thresholds:
            model.thresholds["bullet"], model.targets["bullet"] = old.thresholds["bullet"], old.targets.get("bullet")
            model.fitted_on["bullet"] = old.fitted_on.get("bullet")
        model.save(MODEL_FILE)
    summary: dict = {"thresholds": model.thresholds, "targets": model.targets, "l2": l2, "cv": cv, "sets": {}}
    lines = ["# Answer confidence: fitted rows and held-out rows", "",
             f"`python evals/fit_confidence.py {' '.join(sys.argv[1:])}`".replace(" `", "`").replace(str(ROOT) + "/", "")
             + ". Fitted on: the dev set's tune split and "
             + ", ".join(d for d in fit_dirs if d != "dev") + "; held out: the dev set's frozen split and "
             + (", ".join(sorted({r['set'] for r in sets.get('held-out', []) if r['set'] != 'dev'})) or "nothing else")
             + "; fresh (run once, after every choice): "
             + (", ".join(sorted({r['set'] for r in sets.get('fresh', [])})) or "none") + ". "
             "XQuAD: CC BY-SA 4.0. Right = the shown answer contains the gold answer, or \"not in "
             "the articles\" for a question the articles cannot answer. Before = the desk without states (every "
             "answer it shows looks alike).", "",
             f"L2 weight {l2} (5-fold cross-validated AURC on the fitted rows: "
             + ", ".join(f"{x['l2']}: {x['aurc']}" for x in cv) + ").", "",
             "Thresholds (lowest confidence shown as *answered*), chosen on the fitted rows for the target precision: "
             + ", ".join(f"{p} {t} (target {TARGETS.get(p)})" for p, t in model.thresholds.items()), "",
             "| rows | pair | n | before: shown precision | before: coverage | answered precision | answered "
             "coverage | uncertain precision | uncertain coverage | not in articles precision | unanswerable shown "
             "as answered | AURC | ECE (answers) | ECE (all) | first quote holds answer | median s |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, rows in sets.items():
        apply(model, rows)
        groups = {"all": rows, **by_pair(rows)}
        summary["sets"][name] = {}
        for pair, rs in groups.items():
            t, b = trust_metrics(rs), before(rs)
            summary["sets"][name][pair] = {"before": b, **t}
            lines.append(f"| {name} | {pair} | {t['n']} | {fmt(b['precision'])} | {fmt(b['coverage'])} | "
                         f"{fmt(t['answered']['precision'])} | {fmt(t['answered']['coverage'])} | "
                         f"{fmt(t['uncertain']['precision'])} | {fmt(t['uncertain']['coverage'])} | "
                         f"{fmt(t['not_in_articles']['precision'])} | {fmt(t['unanswerable_answered'])} | "
                         f"{fmt(t['aurc'])} | {fmt(t['ece_answers'])} | {fmt(t['ece_all'])} | "
                         f"{fmt(t['first_quote_has_answer'])} | {fmt(median_seconds(rs))} |")
    lines += ["", "## Before and after: the calibrator the package shipped before this fit, on the same rows", "",
              "| rows | pair | answered precision: shipped → refit | answered coverage | AURC | ECE (answers) | "
              "ECE (all) |", "|---|---|---|---|---|---|---|"]
    for name, pairs in summary["sets"].items():
        for pair, t in pairs.items():
            b = was[name][pair]
            lines.append(f"| {name} | {pair} | {fmt(b['answered']['precision'])} → {fmt(t['answered']['precision'])} | "
                         f"{fmt(b['answered']['coverage'])} → {fmt(t['answered']['coverage'])} | "
                         f"{fmt(b['aurc'])} → {fmt(t['aurc'])} | {fmt(b['ece_answers'])} → {fmt(t['ece_answers'])} | "
                         f"{fmt(b['ece_all'])} → {fmt(t['ece_all'])} |")
    summary["shipped_before"] = was
    abl = ablation(sets["fit"], sets.get("held-out") or sets.get("fresh", []), l2)
    summary["ablation"] = abl
    lines += ["", "## What each signal group adds (held-out answers; lower is better)", "",
              "| calibrator | AURC | ECE |", "|---|---|---|"]
    lines += [f"| {x['model']} | {fmt(x['aurc'])} | {fmt(x['ece'])} |" for x in abl]
    lines += ["", "## The fitted answer calibrator (standardized weights: + raises confidence)", "",
              "| signal | weight |", "|---|---|"]
    lines += [f"| {f} | {w:+.3f} |" for f, w in sorted(zip(model.answer.features, model.answer.coef),
                                                          key=lambda t: -abs(t[1]))]
    lines += ["", "Refusal calibrator (probability that \"not in the articles\" is right): "
              + ", ".join(f"{f} {w:+.3f}" for f, w in zip(model.abstain.features, model.abstain.coef)),
              "", "![risk-coverage and reliability](report.png)", ""]
    (out / "report.md").write_text("\n".join(lines), encoding="utf-8")
    (out / "summary.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
    plot(sets, out / "report.png")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
