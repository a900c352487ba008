"""Tokens/s through the answer pipeline vs the bare llama_cpp call on the same prompt (side by side, one run).

    python evals/bench_llm.py --index .rag/index --llm llamacpp:qwen2.5-0.5b --reps 3

Timings on shared machines are noisy: read the ratios, which are measured interleaved in one process.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from rag import NewsDesk
from rag.answer import evidence_messages


def bare(llm, messages, max_tokens):
    """The plain llama_cpp call: create_chat_completion, streamed, greedy."""
    raw = llm._llm
    raw.reset()  # no KV-cache reuse between runs
    t0 = time.perf_counter()
    first, n = None, 0
    for ch in raw.create_chat_completion(messages=messages, max_tokens=max_tokens, temperature=0.0, top_k=1,
                                         stream=True, seed=0, repeat_penalty=llm.repeat_penalty):
        if ch["choices"][0].get("delta", {}).get("content"):
            first = first or time.perf_counter() - t0
            n += 1
    total = time.perf_counter() - t0
    return first, total, n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--index", required=True)
    ap.add_argument("--llm", default="llamacpp:qwen2.5-0.5b")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--question", default="What was the two-way trade between Vietnam and Laos in 2025?")
    a = ap.parse_args()
    desk = NewsDesk(index=a.index, llm=a.llm)
    llm = desk.llm
    res = desk.search(a.question, k=desk.settings.top_k)
    evidence, _ = desk.evidence.select(a.question, res.qvec, res.passages, llm.count_tokens,
                                       max_sentences=desk.settings.evidence_sentences,
                                       max_tokens=desk.settings.evidence_tokens)
    messages = evidence_messages(res.lang, a.question, evidence)
    prompt_tokens = sum(llm.count_tokens(m["content"]) for m in messages)
    rows = {"pipeline_chat": [], "bare_llama_cpp": [], "pipeline_ask_total_s": []}
    for _ in range(a.reps):
        llm._llm.reset()
        out = llm.chat(messages, max_tokens=desk.settings.max_answer_tokens, temperature=0.0)
        rows["pipeline_chat"].append((out.first_token_s, out.seconds, out.completion_tokens))
        rows["bare_llama_cpp"].append(bare(llm, messages, desk.settings.max_answer_tokens))
        llm._llm.reset()
        t0 = time.perf_counter()
        desk.ask(a.question)
        rows["pipeline_ask_total_s"].append(time.perf_counter() - t0)

    def rates(rs):
        p = statistics.median(prompt_tokens / f for f, _, _ in rs)
        g = statistics.median(n / max(1e-9, t - f) for f, t, n in rs)
        return round(p, 1), round(g, 1)

    pp, pg = rates(rows["pipeline_chat"])
    bp, bg = rates(rows["bare_llama_cpp"])
    report = {"llm": a.llm, "prompt_tokens": prompt_tokens, "reps": a.reps,
              "pipeline": {"prompt_tok_s": pp, "gen_tok_s": pg},
              "bare": {"prompt_tok_s": bp, "gen_tok_s": bg},
              "ratio_pipeline_over_bare": {"prompt": round(pp / bp, 3), "gen": round(pg / bg, 3)},
              "ask_seconds_median": round(statistics.median(rows["pipeline_ask_total_s"]), 2)}
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
