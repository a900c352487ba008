"""Ablation (issue 10, "quote, then answer"): the answer model must name its evidence item before it writes
anything — a llama.cpp grammar forces the output to start with "[n] " (or be exactly NOT_FOUND) — and the rest of
the pipeline (checks, repairs, abstention) is unchanged. Runs `rag` with that grammar on every answer call:

    python evals/ablation_quote_first.py --index .rag/eval-dev eval evals/data/dev_qa.jsonl --split tune --limit 30 \
        --out evals/reports/answers/ablations/quote-first-grammar-tune30

Measured and dropped (README, "Answers"): on the first 30 tune questions 17 -> 11 of 25 answerable right,
abstentions 3 -> 10 — forced to commit to an item first, the 1.5B model more often picks one that lacks the
answer and then says so.
"""

import os
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import rag.llm as L  # noqa: E402
from llama_cpp import LlamaGrammar  # noqa: E402

GRAMMAR = r'''root ::= "NOT_FOUND" | "[" [1-9] "] " ans
ans ::= [^\n\[]+ ("[" [1-9] "]")? [^\n]*'''
_EVIDENCE_PROMPTS = ("Bạn là trợ lý tòa soạn", "You are a careful news desk")


def _patch() -> None:
    grammar = LlamaGrammar.from_string(GRAMMAR, verbose=False)
    orig_init = L.LlamaCppLLM.__init__

    def init(self, *a, **k):
        orig_init(self, *a, **k)
        create = self._llm.create_chat_completion

        def constrained(messages, **kw):
            first = messages[0]["content"] if messages and messages[0]["role"] == "system" else ""
            if first.startswith(_EVIDENCE_PROMPTS):  # answer calls only (not condensing, not briefings)
                kw["grammar"] = grammar
            return create(messages=messages, **kw)

        self._llm.create_chat_completion = constrained

    L.LlamaCppLLM.__init__ = init


if __name__ == "__main__":
    _patch()
    from rag.cli import cli

    cli(args=sys.argv[1:], prog_name="rag")
