"""Sampled agreement as a confidence signal (issue 25): do other readings of the same prompt agree with the answer?

    python evals/self_consistency.py run [--out evals/reports/self_consistency] [--samples 3] [--limit 80]
    python evals/self_consistency.py report [--out ...]

``run`` answers XQuAD questions 1-N and 301-(300+N), both directions (Vietnamese questions; English questions over
the Vietnamese paragraphs), through the desk's own path (``rag eval``, default settings) with the embedded model
wrapped so that, right after each answer draft (the greedy call with the evidence prompt), the same prompt is
sampled ``--samples`` more times (temperature 0.7, top-k 40, top-p 0.95, a different seed each, at most 24 tokens).
The prompt is then in the KV cache, so a sample costs its generated tokens only; the seconds are recorded. The
drafts and samples go to ``samples.jsonl``; the ``rag eval`` reports to ``<out>/<set>/``.

``report`` reads agreement off the samples (word F1 of each sample's first sentence against the draft's, citation
markers and NOT_FOUND handled; mean over samples) and measures, on shown answers: AUROC of agreement alone and of
the shipped confidence; a calibrator with and without agreement fitted on rows 1-N (the shipped signals, L2 30)
and judged on rows 301-(300+N), which it never saw: AURC, ECE, precision and coverage at the shipped targets.
XQuAD: CC BY-SA 4.0.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "evals"))

X = ROOT / "evals/data/xquad"
SETS = {  # name: (skip, questions-from English?)
    "vi-fit": (0, False), "envi-fit": (0, True), "vi-held": (300, False), "envi-held": (300, True)}


class SampledLLM:
    """Wraps the embedded model: after each greedy answer draft, samples the same prompt more times."""

    def __init__(self, inner, path: Path, samples: int):
        from rag import prompts

        self.inner, self.name, self.n_ctx = inner, inner.name, inner.n_ctx
        self.path, self.samples = path, samples
        self._systems = {prompts.load("evidence_system", lang) for lang in ("en", "vi")}

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def side(self):
        return self.inner.side()

    def chat(self, messages, max_tokens=256, temperature=0.0, on_token=None, stop=None):
        res = self.inner.chat(messages, max_tokens=max_tokens, temperature=temperature, on_token=on_token, stop=stop)
        if temperature == 0 and messages and messages[0].get("content") in self._systems:
            m = re.search(r"\n(?:Question|Câu hỏi): (.*)\n", messages[-1]["content"])
            if m is None:
                return res
            out = []
            llm = self.inner._llm
            for seed in range(1, self.samples + 1):
                t0 = time.perf_counter()
                with self.inner._lock:
                    r = llm.create_chat_completion(messages=messages, max_tokens=24, temperature=0.7, top_k=40,
                                                   top_p=0.95, seed=seed, stop=stop, repeat_penalty=1.0)
                out.append({"text": r["choices"][0]["message"]["content"], "seconds": round(time.perf_counter() - t0, 3)})
            with self.path.open("a", encoding="utf-8") as f:
                f.write(json.dumps({"question": m.group(1), "draft": res.text, "samples": out},
                                   ensure_ascii=False) + "\n")
        return res


def run(out: Path, samples: int, limit: int) -> None:
    import os

    from click.testing import CliRunner

    from rag import llm as llm_mod
    from rag.cli import cli

    out.mkdir(parents=True, exist_ok=True)
    base = llm_mod.BACKENDS["llamacpp"]

    @llm_mod.register_backend("sampled")
    def _sampled(model, settings):
        return SampledLLM(base(model, settings), out / "samples.jsonl", samples)

    os.environ["HF_HUB_OFFLINE"] = "1"
    for name, (skip, en) in SETS.items():
        if (out / name / "report.json").exists():
            continue
        args = ["--llm", "sampled:qwen2.5-1.5b", "eval", str(X / "xquad.vi.dev.json"), "--skip", str(skip),
                "--limit", str(limit), "--out", str(out / name), "--json"]
        if en:
            args[4:4] = ["--questions-from", str(X / "xquad.en.dev.json")]
        print(name, flush=True)
        r = CliRunner().invoke(cli, args, catch_exceptions=False)
        if r.exit_code:
            raise SystemExit(r.output)


_WORD = re.compile(r"\w+", re.UNICODE)


def _first(text: str) -> str:
    t = re.sub(r"\[\d+\]", " ", text or "").strip()
    return re.split(r"(?<=[.!?])\s", t, maxsplit=1)[0]


def _f1(a: str, b: str) -> float:
    if "NOT_FOUND" in a or "NOT_FOUND" in b:
        return float(("NOT_FOUND" in a) == ("NOT_FOUND" in b))
    x, y = _WORD.findall(a.lower()), _WORD.findall(b.lower())
    if not x or not y:
        return 0.0
    common = sum(min(x.count(w), y.count(w)) for w in set(x))
    if not common:
        return 0.0
    p, r = common / len(y), common / len(x)
    return 2 * p * r / (p + r)


def agreement(draft: str, samples: list[str]) -> float:
    """Mean word F1 of the samples' first sentences against the draft's (24 sampled tokens: compare prefixes)."""
    d = _first(draft)
    n = len(_WORD.findall(d))
    return sum(_f1(d, " ".join(_WORD.findall(_first(s))[: max(n, 1)])) for s in samples) / len(samples)


def report(out: Path) -> None:
    import numpy as np
    from fit_confidence import gain_cells, signal_gain, write_report
    from sklearn.metrics import roc_auc_score

    from rag.confidence import row_pair, shown_right

    by_q: dict[str, dict] = {}
    for line in (out / "samples.jsonl").open(encoding="utf-8"):
        r = json.loads(line)
        by_q.setdefault(r["question"], r)  # the first draft of a question (later calls are repairs)
    secs = sorted(s["seconds"] for r in by_q.values() for s in r["samples"])
    rows: dict[str, list[dict]] = {"fit": [], "held-out": []}
    for name in SETS:
        rep = json.loads((out / name / "report.json").read_text(encoding="utf-8"))
        for res in rep["results"].values():
            for row in res["rows"]:
                if row.get("abstained") is not False or "signals" not in row:
                    continue
                s = by_q.get(row["question"])
                row["signals"]["agreement"] = agreement(s["draft"], [x["text"] for x in s["samples"]]) if s else None
                rows["fit" if name.endswith("fit") else "held-out"].append(row)
    md = ["# Sampled agreement as a confidence signal", "",
          f"`python evals/self_consistency.py run && python evals/self_consistency.py report`. Median {np.median(secs):.2f} s "
          f"per sample ({len(secs)} samples; the prompt is cached, so this is generation only), "
          f"{len(by_q)} drafts. Calibrators fitted on the shown answers of XQuAD rows 1-N (both directions), judged on "
          "rows 301-(300+N) (other articles). XQuAD: CC BY-SA 4.0.", "",
          "| rows | pair | shown | right | AUROC: agreement alone | AUROC: shipped confidence | AUROC without / with | "
          "AURC without / with | ECE without / with | precision / coverage at target: without | with |",
          "|---|---|---|---|---|---|---|---|---|---|---|"]
    summary = {}
    for setname in ("fit", "held-out"):
        for pair in ("vi-vi", "en-vi", "all"):
            sel = [r for r in rows[setname] if pair == "all" or row_pair(r) == pair]
            if len(sel) < 10:
                continue
            right = [shown_right(r) for r in sel]
            ag = [r["signals"]["agreement"] if r["signals"]["agreement"] is not None else 0.5 for r in sel]
            auc = lambda s: roc_auc_score(right, s) if 0 < sum(right) < len(right) else float("nan")  # noqa: E731
            res = signal_gain(rows["fit"], sel, pair, "agreement")
            shipped = auc([r.get("confidence", 0.5) for r in sel])
            summary[f"{setname}|{pair}"] = {"n": len(sel), "auroc_agreement": auc(ag), "auroc_shipped": shipped, **res}
            md.append(f"| {setname} | {pair} | {len(sel)} | {sum(right):.0f} | {auc(ag):.3f} | {shipped:.3f} | "
                      f"{res['without']['auroc']:.3f} / {res['with']['auroc']:.3f} | {gain_cells(res)}")
    md += ["", f"Standardized weight of agreement in the refit: {res['with']['weight']:+.3f}.", "",
           "*without*: the shipped signals refitted on these fit rows (L2 30); *with*: the same plus agreement, so "
           "the two differ only by it. Coverage is over shown answers. Thresholds are chosen on the fit rows of each "
           "pair for its target (vi-vi 0.90, en-vi 0.80)."]
    write_report(out, md, summary)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("cmd", choices=("run", "report"))
    ap.add_argument("--out", default=str(ROOT / "evals/reports/self_consistency"))
    ap.add_argument("--samples", type=int, default=3)
    ap.add_argument("--limit", type=int, default=80)
    a = ap.parse_args()
    if a.cmd == "run":
        run(Path(a.out), a.samples, a.limit)
    else:
        report(Path(a.out))


if __name__ == "__main__":
    main()
