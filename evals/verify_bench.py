"""Benchmark of the claim checker: recall per planted error kind and false alarms on faithful pairs.

Pairs: ``evals/data/verify_pairs.jsonl`` (``build_verify_pairs.py``: XQuAD EN/VI sentence pairs, faithful and with
one planted error) and ``evals/data/verify_model_pairs.jsonl`` (English bullets the embedded model wrote for news
sentences, labelled by hand). Each row is checked by

* ``verify`` — ``rag.verify.check`` (the checker answers and briefings use), and
* ``legacy`` — the briefing's sentence check as it stood before ``rag.verify`` (kept here, frozen, for comparison).

A planted row counts as *flagged* when the checker reports any problem and *right kind* when one of them is the
expected kind; a faithful row flagged is a false alarm. The ``frozen`` split (a third of the topics) is reported and
never used to tune; ``--misses tune KIND`` prints the tune rows a checker gets wrong (refuses the frozen split).

    python evals/verify_bench.py [--out evals/reports/verify]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

from evals.legacy_checker import lost_negation, unsupported_across_languages  # noqa: E402
from rag import facts  # noqa: E402
from rag import verify  # noqa: E402
from rag.lang import detect_question  # noqa: E402

KINDS = ["number", "year", "scale", "month", "name", "neg_added", "neg_removed", "swap"]


def legacy_check(claim: str, source: str, lang: str = "en") -> list[str]:
    """The briefing's sentence check as it stood before rag.verify (check_line without the 'no fact' rule)."""
    body = facts.CITATION.sub("", claim).strip().strip('"“”').strip()
    srcs = [source]
    bad = facts.unsupported(body, srcs)
    if bad:
        body, _ = facts.repair_names(body, bad, srcs)
    body, _ = facts.repair_roles(body, srcs)
    if lang == "en":
        body, _ = facts.repair_places(body)
    bad = unsupported_across_languages(body, srcs)
    problems = [f"name: {b}" for b in bad]
    problems += [f"office: {r}" for r in facts.unsupported_roles(body, srcs)]
    problems += [f"office: {r}" for r in facts.unstated_roles(body, srcs)]
    if detect_question(body) != lang:
        problems.append("other_language")
    if facts.other_language_words(body, lang):
        problems.append("other_language")
    if lost_negation(body, source, lang):
        problems.append("lost_negation")
    return problems


LEGACY_KIND = {"number": "name", "date": "name", "amount": "name"}  # legacy reports figures as "not in the sentence"


def run(rows: list[dict]) -> dict:
    out = {}
    for name, fn in (("legacy", lambda r: legacy_check(r["claim"], r["source"], r["claim_lang"])),
                     ("verify", lambda r: [p.kind.value for p in verify.check(r["claim"], [r["source"]], r["claim_lang"])])):
        t0 = time.perf_counter()
        res = []
        for r in rows:
            probs = fn(r)
            kinds = {p.split(":")[0] for p in probs} if name == "legacy" else set(probs)
            res.append({"id": r["id"], "flagged": bool(probs), "kinds": sorted(kinds), "problems": probs})
        out[name] = {"results": res, "seconds": time.perf_counter() - t0}
    return out


def score(rows: list[dict], results: list[dict]) -> dict:
    agg: dict = defaultdict(lambda: {"n": 0, "flagged": 0, "right": 0})
    for r, res in zip(rows, results):
        for grp in (r["kind"], "planted" if r["expected"] else None):
            if grp is None:
                continue
            a = agg[(r["split"], r.get("source_set", "xquad"), grp)]
            a["n"] += 1
            a["flagged"] += res["flagged"]
            exp = set(r["expected"])
            a["right"] += bool(exp & set(res["kinds"])) if exp else (not res["flagged"])
    return {f"{s}|{src}|{k}": v for (s, src, k), v in agg.items()}


def table(scores: dict[str, dict], split: str, src: str) -> list[str]:
    lines = [f"| kind | n | legacy flagged | verify flagged | verify right kind |", "|---|---|---|---|---|"]
    for k in ["faithful", "model-faithful", *KINDS, "model-wrong", "planted"]:
        key = f"{split}|{src}|{k}"
        a, b = scores["legacy"].get(key), scores["verify"].get(key)
        if not b:
            continue
        f = lambda x: f"{x['flagged'] / x['n']:.2f}"  # noqa: E731
        label = {"faithful": "**faithful (false alarms)**", "model-faithful": "**faithful bullets (false alarms)**",
                 "model-wrong": "wrong bullets", "planted": "**all wrong**"}.get(k, k)
        lines.append(f"| {label} | {b['n']} | {f(a)} | {f(b)} | {b['right'] / b['n']:.2f} |")
    return lines


def plot(scores: dict, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(12, 4), sharey=True)
    for ax, split in zip(axes, ("tune", "frozen")):
        labels = ["faithful\n(false alarm)", *KINDS]
        xs = range(len(labels))
        for i, name in enumerate(("legacy", "verify")):
            vals = []
            for k in ["faithful", *KINDS]:
                a = scores[name].get(f"{split}|xquad|{k}")
                vals.append(a["flagged"] / a["n"] if a and a["n"] else 0)
            ax.bar([x + (i - 0.5) * 0.38 for x in xs], vals, 0.38, label=name)
        ax.set_xticks(list(xs), labels, rotation=45, ha="right", fontsize=8)
        ax.set_title(f"XQuAD EN claim / VI source — {split} split")
        ax.axhline(0.9, color="grey", lw=0.5, ls="--")
        ax.axhline(0.1, color="grey", lw=0.5, ls=":")
    axes[0].set_ylabel("share flagged")
    axes[0].legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def load_rows() -> list[dict]:
    rows = [json.loads(l) for l in open(ROOT / "data/verify_pairs.jsonl", encoding="utf-8")]
    extra = ROOT / "data/verify_model_pairs.jsonl"
    if extra.exists():
        for l in open(extra, encoding="utf-8"):
            r = json.loads(l)
            r["source_set"] = "model"
            rows.append(r)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=str(ROOT / "reports/verify"))
    ap.add_argument("--misses", nargs=2, metavar=("SPLIT", "KIND"), help="print a checker's wrong rows (tune only)")
    ap.add_argument("--checker", default="verify")
    args = ap.parse_args()
    rows = load_rows()
    if args.misses:
        split, kind = args.misses
        if split != "tune":
            sys.exit("the frozen split is never inspected: --misses tune KIND")
        sel = [r for r in rows if r["split"] == "tune" and r["kind"] == kind]
        res = run(sel)[args.checker]["results"]
        for r, x in zip(sel, res):
            wrong = x["flagged"] if kind == "faithful" else not (set(r["expected"]) & set(x["kinds"]))
            if wrong:
                print(f"- {r['id']}\n  claim: {r['claim']}\n  source: {r['source']}\n  got: {x['problems']}")
        return
    res = run(rows)
    scores = {name: score(rows, v["results"]) for name, v in res.items()}
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    md = ["# Claim checker benchmark", "",
          "`python evals/verify_bench.py` — pairs from `evals/data/verify_pairs.jsonl` (XQuAD dev, CC BY-SA 4.0: the "
          "English sentence is the claim, its Vietnamese sentence the source; `evals/build_verify_pairs.py`)"
          + (" and `evals/data/verify_model_pairs.jsonl` (the embedded model's bullets, labelled by hand)."
             if (ROOT / "data/verify_model_pairs.jsonl").exists() else "."),
          "*flagged*: any problem reported; *right kind*: the expected kind among them (for faithful rows: not flagged).",
          "The frozen split (a third of the topics) was never inspected while tuning.", ""]
    for split in ("tune", "frozen"):
        for src in ("xquad", "model"):
            if not any(k.startswith(f"{split}|{src}|") for k in scores["verify"]):
                continue
            md += [f"## {split} split — {'XQuAD pairs' if src == 'xquad' else 'model-written bullets'}", ""]
            md += table(scores, split, src) + [""]
    md += [f"Time: legacy {res['legacy']['seconds']:.1f} s, verify {res['verify']['seconds']:.1f} s for {len(rows)} rows.",
           "", "![recall per kind](bench.png)", ""]
    (out / "report.md").write_text("\n".join(md), encoding="utf-8")
    (out / "scores.json").write_text(json.dumps(scores, indent=1), encoding="utf-8")
    plot(scores, out / "bench.png")
    print("\n".join(md))


if __name__ == "__main__":
    main()
