"""A second reading as a confidence signal (issue 25): does it earn its time?

    python evals/second_reading.py score [--reports evals/reports/confidence] [--out evals/reports/second_reading]
    python evals/second_reading.py report [--out ...]

``score`` asks the embedded model, for every shown answer recorded by ``evals/run_confidence.sh``, whether the
sentence the answer rests on states it (``prompts/second_reading.en.txt``; one forward pass, no generation) and
records P(Yes) = softmax over the "Yes" / "No" first tokens, and the seconds the call took. ``report`` refits the
answer calibrator with and without that signal on the fitted rows and compares AURC, ECE and precision/coverage at
the shipped targets on the held-out and fresh rows, which were not used to fit.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "evals"))


def _yes_no_ids(llm) -> tuple[list[int], list[int]]:
    tok = lambda s: llm._llm.tokenize(s.encode(), add_bos=False, special=False)  # noqa: E731
    yes = {tok(w)[0] for w in ("Yes", " Yes", "yes", "YES")}
    no = {tok(w)[0] for w in ("No", " No", "no", "NO")}
    return sorted(yes), sorted(no)


def p_yes(llm, quote: str, question: str, answer: str) -> tuple[float, float]:
    """P(Yes) for the second-reading prompt, and the seconds it took."""
    from rag import prompts

    user = prompts.render("second_reading", "en", quote=quote, question=question, answer=answer)
    yes, no = _yes_no_ids(llm)
    got: dict = {}

    def grab(_ids, scores):
        s = np.asarray(scores, dtype=np.float64)
        m = s.max()
        lse = m + np.log(np.exp(s - m).sum())
        got["y"] = float(np.exp(np.logaddexp.reduce(s[yes]) - lse))
        got["n"] = float(np.exp(np.logaddexp.reduce(s[no]) - lse))
        return scores

    t0 = time.perf_counter()
    with llm._lock:
        llm._llm.create_chat_completion(messages=[{"role": "user", "content": user}], max_tokens=1, temperature=0,
                                        top_k=1, logits_processor=[grab], seed=0)
    dt = time.perf_counter() - t0
    y, n = got.get("y", 0.0), got.get("n", 0.0)
    return (y / (y + n) if y + n > 0 else 0.5), dt


def score(reports: Path, out: Path) -> None:
    from rag.config import Settings
    from rag.llm import get_llm

    llm = get_llm(Settings())
    out.mkdir(parents=True, exist_ok=True)
    path = out / "scores.jsonl"
    done = {json.loads(l)["key"] for l in path.open(encoding="utf-8")} if path.exists() else set()
    todo = []
    for d in sorted(p for p in reports.iterdir() if (p / "report.json").exists()):
        rep = json.loads((d / "report.json").read_text(encoding="utf-8"))
        for r in rep["results"].values():
            for row in r["rows"]:
                key = f"{d.name}/{row['id']}"
                if row.get("abstained") is False and row.get("quote") and key not in done:
                    todo.append((key, row))
    print(f"{len(todo)} answers to read a second time", flush=True)
    with path.open("a", encoding="utf-8") as f:
        for i, (key, row) in enumerate(todo, 1):
            p, dt = p_yes(llm, row["quote"], row["question"], row["answer"])
            f.write(json.dumps({"key": key, "p_yes": round(p, 5), "seconds": round(dt, 3)}) + "\n")
            f.flush()
            if i % 25 == 0:
                print(f"  {i}/{len(todo)}", flush=True)


def report(reports: Path, out: Path) -> None:
    from fit_confidence import gain_cells, load_rows, signal_gain, write_report

    from rag.confidence import row_pair, shown_right

    scores = {}
    for l in (out / "scores.jsonl").open(encoding="utf-8"):
        r = json.loads(l)
        scores[r["key"]] = r
    sets = load_rows(reports)
    for rows in sets.values():
        for r in rows:
            s = scores.get(f"{r['set']}/{r['id']}")
            r["signals"]["second_reading"] = s["p_yes"] if s else None
    fa = [r for r in sets["fit"] if not r["abstained"]]
    md = ["# Second reading as a confidence signal", "",
          "`python evals/second_reading.py score && python evals/second_reading.py report` — P(Yes) from the embedded "
          "model asked whether the answer's quoted sentence states the answer (`prompts/second_reading.en.txt`). "
          "Calibrators fitted on the fitted rows only (L2 30, as shipped); held-out and fresh rows were not used to fit.", ""]
    secs = sorted(s["seconds"] for s in scores.values())
    md += [f"Second reading: median {secs[len(secs) // 2]:.2f} s per answer over {len(secs)} calls "
           "(this run, one process; the answer calls in the rows were timed in other runs, so compare with care).", ""]
    md += ["| rows | pair | n shown | AUROC of P(Yes) alone | AURC without / with | ECE without / with | "
           "precision / coverage at target, without | with |", "|---|---|---|---|---|---|---|---|"]
    summary = {}
    for setname in ("fit", "held-out", "fresh"):
        rows = sets.get(setname, [])
        for pair in sorted({row_pair(r) for r in rows}) + ["all"]:
            sel = [r for r in rows if pair == "all" or row_pair(r) == pair]
            shown = [r for r in sel if not r["abstained"]]
            if len(shown) < 10:
                continue
            right = [shown_right(r) for r in shown]
            py = [r["signals"]["second_reading"] or 0.5 for r in shown]
            from sklearn.metrics import roc_auc_score

            auroc = roc_auc_score(right, py) if 0 < sum(right) < len(right) else float("nan")
            res = signal_gain(fa, shown, pair, "second_reading", n_rows=len(sel))
            summary[f"{setname}|{pair}"] = {"auroc_p_yes": auroc, **res}
            md.append(f"| {setname} | {pair} | {len(shown)} | {auroc:.3f} | {gain_cells(res)}")
    md += ["", "*AUROC of P(Yes) alone*: how well the second reading ranks right above wrong answers by itself. "
           "*with*: the shipped signals plus P(Yes), refitted on the same rows; thresholds chosen on the fitted rows "
           "for each pair's target (vi-vi 0.90, en-vi 0.80)."]
    write_report(out, md, summary)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("cmd", choices=("score", "report"))
    ap.add_argument("--reports", default=str(ROOT / "evals/reports/confidence"))
    ap.add_argument("--out", default=str(ROOT / "evals/reports/second_reading"))
    a = ap.parse_args()
    (score if a.cmd == "score" else report)(Path(a.reports), Path(a.out))


if __name__ == "__main__":
    main()
