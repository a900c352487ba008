"""Answer path against the plain-prompt baseline: accuracy, precision of the answers shown, false abstention.

    python evals/answers_vs_plain.py NAME=REPORT_DIR ... [--out evals/reports/answers/vs-plain.md]

accuracy = answerable questions answered right / answerable questions (and, stricter, right with the answer in the
question's language: a plain prompt often pastes the Vietnamese passage into its English answer); precision = right / answers shown
(answerable questions not abstained on, plus unanswerable ones answered); false abstention = answerable questions
abstained on / answerable; traps answered = unanswerable questions answered / unanswerable; where the rows have states (issue 25): answered
precision / coverage (right among the answers shown as *answered* / answerable questions shown as answered, over
answerable questions) and the share of answerable questions whose first quote holds the answer. Broken down by the
question's language and, for the dev set, by split (frozen = never tuned on) and for the English questions over
the Vietnamese archive (``archive-en-over-vi``).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def _stats(rows: list[dict]) -> dict:
    ans = [r for r in rows if r.get("answerable")]
    una = [r for r in rows if not r.get("answerable")]
    shown = [r for r in ans if not r.get("abstained")] + [r for r in una if not r.get("abstained")]
    right = [r for r in ans if r.get("correct") == 1.0]
    sure = [r for r in rows if r.get("state") == "answered"]
    quoted = [r for r in ans if "quote_has_answer" in r]
    in_lang = [r for r in right if r.get("lang_match") != 0.0]  # None: too few words to tell ("1973 [1]")
    return {"n": len(rows), "accuracy": len(right) / len(ans) if ans else None,
            "accuracy_in_lang": len(in_lang) / len(ans) if ans else None,
            "answered_precision": sum(1 for r in sure if r.get("correct") == 1.0) / len(sure) if sure else None,
            "answered_coverage": len([r for r in sure if r.get("answerable")]) / len(ans) if ans and quoted else None,
            "quote_holds": sum(1 for r in quoted if r.get("quote_has_answer")) / len(quoted) if quoted else None,
            "precision": len(right) / len(shown) if shown else None,
            "false_abstention": sum(1 for r in ans if r.get("abstained")) / len(ans) if ans else None,
            "traps_answered": sum(1 for r in una if not r.get("abstained")) / len(una) if una else None}


def _quotes_against_vietnamese_gold(rows: list[dict]) -> None:
    """An English question's quote is a Vietnamese sentence: judged against XQuAD's parallel Vietnamese answer
    too (as evals/fit_confidence.py does)."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from fit_confidence import vietnamese_gold
    from rag.scoring import contains_answer

    vi = vietnamese_gold()
    for r in rows:
        if r.get("answerable") and r.get("quote"):
            r["quote_has_answer"] = float(contains_answer(r["quote"], vi.get(r["id"], []) + [x for f in r.get("gold", []) for x in f]))


def slices(rows: list[dict]) -> dict[str, dict]:
    out = {"all": _stats(rows)}
    for lang in ("vi", "en"):
        out[f"lang={lang}"] = _stats([r for r in rows if r.get("lang") == lang])
    if any(r.get("split") for r in rows):
        for sp in ("tune", "frozen"):
            out[f"split={sp}"] = _stats([r for r in rows if r.get("split") == sp])
    if any(r.get("type") == "archive-en-over-vi" for r in rows):
        out["type=archive-en-over-vi"] = _stats([r for r in rows if r.get("type") == "archive-en-over-vi"])
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("runs", nargs="+", help="NAME=REPORT_DIR")
    ap.add_argument("--out")
    ap.add_argument("--limit", type=int, help="only each report's first N questions (to compare with a shorter run)")
    a = ap.parse_args()
    lines = ["| run | slice | n | accuracy | accuracy, answer in the question's language | precision of shown answers | false abstention | traps answered | "
             "answered: precision | answered: coverage | first quote holds answer |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    f = lambda v: "–" if v is None else f"{v:.3f}"  # noqa: E731
    for spec in a.runs:
        name, d = spec.split("=", 1)
        rep = json.loads((Path(d) / "report.json").read_text(encoding="utf-8"))
        rows = [r for res in rep["results"].values() for r in res["rows"]][: a.limit]
        if rep["config"].get("questions_from") and any("quote" in r for r in rows):
            _quotes_against_vietnamese_gold(rows)
        for sl, s in slices(rows).items():
            if s["n"]:
                lines.append(f"| {name} | {sl} | {s['n']} | {f(s['accuracy'])} | {f(s['accuracy_in_lang'])} | {f(s['precision'])} | "
                             f"{f(s['false_abstention'])} | {f(s['traps_answered'])} | {f(s['answered_precision'])} | "
                             f"{f(s['answered_coverage'])} | {f(s['quote_holds'])} |")
    text = "\n".join(lines) + "\n"
    if a.out:
        cmd = " ".join(a.runs) + (f" --limit {a.limit}" if a.limit else "")
        Path(a.out).write_text(f"Command: `python evals/answers_vs_plain.py {cmd}`\n\n" + text,
                               encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
