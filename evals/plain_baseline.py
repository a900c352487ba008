"""The plain-prompt baseline the answer path must beat: same model, dense top-3 passages, one instruction, no checks.

Runs through ``rag eval``'s own loop and scorer (``rag.evaluate.evaluate``) with the desk's ``ask`` replaced by the
plain prompt, so both are measured on the same index, questions and metrics. The instruction is STACK.md's naive
RAG: answer from the numbered passages, cite [n], say you don't know, answer in the question's language.

    python evals/plain_baseline.py evals/data/dev_qa.jsonl --index .rag/eval-dev --out evals/reports/answers/plain-dev
    python evals/plain_baseline.py evals/data/xquad/xquad.vi.dev.json --limit 100 --out evals/reports/answers/plain-xquad-vi
    python evals/plain_baseline.py evals/data/xquad/xquad.vi.dev.json --questions-from evals/data/xquad/xquad.en.dev.json \
        --limit 100 --out evals/reports/answers/plain-xquad-en-over-vi
    # against the confidence report's fresh rows (XQuAD questions 401-500): add --skip 400 --limit 100
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

from rag import NewsDesk  # noqa: E402
from rag.evaluate import EvalConfig, evaluate  # noqa: E402
from rag.lang import detect_question  # noqa: E402

INSTRUCTION = ("Answer the question using only the numbered passages below. Cite the passage you use as [n]. "
               "If the passages do not contain the answer, say you don't know. Answer in {language}.")
DONT_KNOW = re.compile(r"don['’]?t know|do not know|not (?:contain|mention|provide)|no information|không biết|"
                       r"không (?:có|chứa|đề cập)[^.]{0,30}thông tin|không rõ", re.I)


@dataclass
class _Cite:
    passage: object


@dataclass
class PlainAnswer:
    answer: str
    abstained: bool
    citations: list
    timings_ms: dict
    flags: list = field(default_factory=list)
    usage: dict = field(default_factory=dict)
    signals: dict = field(default_factory=dict)
    # the plain prompt has no states: every answer it shows is presented alike, as answered
    confidence: float = 1.0
    quote: object = None

    @property
    def state(self):
        from rag.confidence import State
        return State.NOT_IN_ARTICLES if self.abstained else State.ANSWERED


class PlainDesk:
    """A NewsDesk whose ``ask`` is the plain prompt (dense top-3, one instruction, no checks)."""

    def __init__(self, desk: NewsDesk):
        self._desk = desk

    def __getattr__(self, name):
        return getattr(self._desk, name)

    def ask(self, question: str, **_) -> PlainAnswer:
        t0 = time.perf_counter()
        passages = self._desk.search(question, k=3).passages[:3]
        t1 = time.perf_counter()
        lang = "Vietnamese" if detect_question(question) == "vi" else "English"
        ctx = "\n\n".join(f"[{i}] {p.text}" for i, p in enumerate(passages, 1))
        msgs = [{"role": "system", "content": INSTRUCTION.format(language=lang)},
                {"role": "user", "content": f"Passages:\n{ctx}\n\nQuestion: {question}"}]
        res = self._desk.llm.chat(msgs, max_tokens=160, temperature=0.0)
        t2 = time.perf_counter()
        text = res.text.strip()
        cited = sorted({int(n) for n in re.findall(r"\[(\d+)\]", text) if 1 <= int(n) <= len(passages)})
        return PlainAnswer(answer=text, abstained=bool(DONT_KNOW.search(text)) or not text,
                           citations=[_Cite(passages[n - 1]) for n in cited],
                           timings_ms={"retrieve": (t1 - t0) * 1000, "generate": (t2 - t1) * 1000,
                                       "total": (t2 - t0) * 1000})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dataset")
    ap.add_argument("--index", default=None)
    ap.add_argument("--questions-from", default=None)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--skip", type=int, default=0, help="leave out the first N questions (before --limit)")
    ap.add_argument("--llm", default=None)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    over = {"fusion": "dense"}
    if a.llm:
        over["llm"] = a.llm

    def factory(index=None):
        idx = index or a.index
        return PlainDesk(NewsDesk(**({"index": idx} if idx else {}), **over))

    cfg = EvalConfig(datasets=[a.dataset], questions_from=a.questions_from, limit=a.limit,
                     skip=a.skip)
    evaluate(factory, cfg, Path(a.out), progress=lambda i, n, _id: print(f"\r{i}/{n}", end="", file=sys.stderr))
    print(file=sys.stderr)


if __name__ == "__main__":
    main()
