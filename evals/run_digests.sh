#!/usr/bin/env bash
# Issue 11: the summary/briefing reports in evals/reports/digests/ (~10 min on 2 idle cores). Run from the repo root.
# Gold: evals/data/digests.jsonl (built by evals/build_digest_gold.py; split frozen = report-only).
# The "before" row is the map-reduce pipeline of commit dcac372, run on the same gold and index.
set -euo pipefail
export HF_HUB_OFFLINE=1
R=.venv/bin/rag
IDX=${IDX:-.rag/eval-digests}
O=${OUT:-evals/reports/digests/after-1.5b}
.venv/bin/python evals/build_digest_gold.py > /dev/null
$R --index "$IDX" ingest seeds evals/data/dev_corpus.jsonl evals/data/digest_corpus_en.jsonl --json > /dev/null
$R --index "$IDX" eval evals/data/digests.jsonl --out "$O" --json > /dev/null
