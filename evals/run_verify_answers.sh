#!/usr/bin/env bash
# Issue 24: the answer path with rag.verify against the plain-prompt baseline (~1 h on 2 idle cores). Run from the
# repo root. "Before" rows: evals/reports/answers/{dev-1.5b,xquad-vi-1.5b,xquad-en-over-vi-1.5b} (their first 50
# XQuAD questions are the ones asked here). Table: evals/answers_vs_plain.py (command in the report's first line).
set -euo pipefail
export HF_HUB_OFFLINE=1
R=.venv/bin/rag
P=.venv/bin/python
IDX=${IDX:-.rag/eval-dev}
X=evals/data/xquad
O=evals/reports/answers
$P evals/build_dev.py > /dev/null
$R --index "$IDX" ingest seeds evals/data/dev_corpus.jsonl --json > /dev/null
$P evals/plain_baseline.py evals/data/dev_qa.jsonl --index "$IDX" --out $O/plain-dev
$R --index "$IDX" eval evals/data/dev_qa.jsonl --out $O/dev-verify --json > /dev/null
$R eval $X/xquad.vi.dev.json --questions-from $X/xquad.en.dev.json --limit 50 --out $O/xquad-en-over-vi-verify --json > /dev/null
$P evals/plain_baseline.py $X/xquad.vi.dev.json --questions-from $X/xquad.en.dev.json --limit 50 --out $O/plain-xquad-en-over-vi
$R eval $X/xquad.vi.dev.json --limit 50 --out $O/xquad-vi-verify --json > /dev/null
$P evals/plain_baseline.py $X/xquad.vi.dev.json --limit 50 --out $O/plain-xquad-vi
