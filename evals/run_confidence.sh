#!/usr/bin/env bash
# Issue 25: the rows the confidence calibrator is fitted on and measured with (~1.5 h on 2 idle cores), run from the
# repo root. Fit: the dev set's tune split + XQuAD dev questions 1-120 (both directions); report apart: the dev
# set's frozen split and XQuAD questions 301-400 (other articles), never used to fit or choose thresholds.
# Then: python evals/fit_confidence.py (writes rag/data/confidence.json and evals/reports/confidence/).
set -euo pipefail
export HF_HUB_OFFLINE=1
R=.venv/bin/rag
IDX=${IDX:-.rag/eval-dev}
X=evals/data/xquad
O=evals/reports/confidence
.venv/bin/python evals/build_dev.py > /dev/null
$R --index "$IDX" ingest seeds evals/data/dev_corpus.jsonl --json > /dev/null
$R --index "$IDX" eval evals/data/dev_qa.jsonl --out $O/dev --json > /dev/null
$R eval $X/xquad.vi.dev.json --limit 120 --out $O/xquad-vi-fit --json > /dev/null
$R eval $X/xquad.vi.dev.json --questions-from $X/xquad.en.dev.json --limit 120 --out $O/xquad-en-over-vi-fit --json > /dev/null
$R eval $X/xquad.vi.dev.json --skip 300 --limit 100 --out $O/xquad-vi-heldout --json > /dev/null
$R eval $X/xquad.vi.dev.json --questions-from $X/xquad.en.dev.json --skip 300 --limit 100 --out $O/xquad-en-over-vi-heldout --json > /dev/null
# fresh held-out rows (other articles), never looked at before the fit: XQuAD questions 401-500
$R eval $X/xquad.vi.dev.json --skip 400 --limit 100 --out $O/xquad-vi-fresh --json > /dev/null
$R eval $X/xquad.vi.dev.json --questions-from $X/xquad.en.dev.json --skip 400 --limit 100 --out $O/xquad-en-over-vi-fresh --json > /dev/null
