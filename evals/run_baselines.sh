#!/usr/bin/env bash
# Reproduces the baseline reports in evals/reports/ (takes ~1.5 h on 2 cores; XQuAD generation runs use the first 40 questions). Run from the repo root.
set -euo pipefail
export HF_HUB_OFFLINE=1
R=.venv/bin/rag
IDX=${IDX:-.rag/eval-seeds}
X=evals/data/xquad
$R --index "$IDX" ingest seeds --json > /dev/null
for m in 0.5b 1.5b; do
  $R --index "$IDX" --llm llamacpp:qwen2.5-$m eval evals/data/seeds_qa.jsonl --out evals/reports/seeds-$m --json > /dev/null
  # summaries/briefings: see evals/run_digests.sh (issue 11)
done
for m in 0.5b 1.5b; do
  $R --llm llamacpp:qwen2.5-$m eval $X/xquad.vi.dev.json --limit 40 --out evals/reports/xquad-vi-$m --json > /dev/null
  $R --llm llamacpp:qwen2.5-$m eval $X/xquad.vi.dev.json --questions-from $X/xquad.en.dev.json --limit 40 \
     --out evals/reports/xquad-en-over-vi-$m --json > /dev/null
done
# retrieval ablations (no LLM): fusion, chunk size, k is an LLM-side knob
for f in dense bm25 blend rrf; do
  $R --index "$IDX" eval evals/data/seeds_qa.jsonl --no-generate --fusion $f --out evals/reports/retrieval/seeds-$f --json > /dev/null
  $R eval $X/xquad.vi.dev.json --no-generate --fusion $f --out evals/reports/retrieval/xvi-$f --json > /dev/null
  $R eval $X/xquad.vi.dev.json --questions-from $X/xquad.en.dev.json --no-generate --fusion $f --out evals/reports/retrieval/xen-$f --json > /dev/null
done
for c in 96 160 256; do
  $R eval $X/xquad.vi.dev.json --questions-from $X/xquad.en.dev.json --no-generate --chunk-tokens $c --out evals/reports/retrieval/xen-chunk$c --json > /dev/null
  $R eval $X/xquad.vi.dev.json --no-generate --chunk-tokens $c --out evals/reports/retrieval/xvi-chunk$c --json > /dev/null
done
# k (passages given to the LLM), default 5
for k in 3 8; do
  $R --index "$IDX" --llm llamacpp:qwen2.5-1.5b eval evals/data/seeds_qa.jsonl -k $k --out evals/reports/ablations/seeds-1.5b-k$k --json > /dev/null
done
