#!/usr/bin/env bash
# Issue 10: the answer-path reports in evals/reports/answers/ (~35 min on 2 idle cores). Run from the repo root.
# The "before" row is the pipeline as of commit c8ce362 (whole chunks in the prompt), run on the same dev set:
#   git worktree add /tmp/old c8ce362 && (cd /tmp/old && PYTHONPATH=. ../path/.venv/bin/python -m rag.cli ...)
set -euo pipefail
export HF_HUB_OFFLINE=1
R=.venv/bin/rag
IDX=${IDX:-.rag/eval-dev}
X=evals/data/xquad
O=evals/reports/answers
.venv/bin/python evals/build_dev.py > /dev/null
$R --index "$IDX" ingest seeds evals/data/dev_corpus.jsonl --json > /dev/null
# the dev set, both splits (report.md breaks every metric down by split; frozen = report-only)
$R --index "$IDX" eval evals/data/dev_qa.jsonl --out $O/dev-1.5b --json > /dev/null
.venv/bin/python evals/calibrate.py $O/dev-1.5b/report.json --out $O/dev-1.5b/calibration.png > $O/dev-1.5b/calibration.json
# XQuAD bars: 100 questions each, Vietnamese and English over the Vietnamese corpus
$R eval $X/xquad.vi.dev.json --limit 100 --out $O/xquad-vi-1.5b --json > /dev/null
$R eval $X/xquad.vi.dev.json --questions-from $X/xquad.en.dev.json --limit 100 --out $O/xquad-en-over-vi-1.5b --json > /dev/null
