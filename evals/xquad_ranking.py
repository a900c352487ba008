"""What the ranking evals share (question_translation, sentence_ranking, evidence_budget): their arguments, the
XQuAD items (CC BY-SA 4.0) and a desk over an index of the Vietnamese paragraphs, built once and reused."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
X = ROOT / "evals/data/xquad"


@dataclass
class Setup:
    desk: object              # rag.NewsDesk over the Vietnamese paragraphs
    items_vi: list            # Vietnamese questions (rag.evaluate items)
    items_en: list            # the parallel English questions
    ranges: list[list[int]]   # [lo, hi) row ranges to report
    out: Path
    vi_gold: dict             # question id -> XQuAD's Vietnamese answers

    def gold(self, item) -> list[str]:
        """Every accepted answer of ``item``: XQuAD's Vietnamese answers and the item's own."""
        vi = self.vi_gold.get(item.id, [])
        return [x for f in vi for x in f] + [x for f in item.answers for x in f]


def setup(doc: str, report: str) -> Setup:
    """Parse ``--range LO HI`` (repeatable; default 0-120 and 300-400), ``--out`` (default
    ``evals/reports/<report>``) and ``--index``; load the items; open (building it the first time) the index."""
    ap = argparse.ArgumentParser(description=doc.split("\n")[0])
    ap.add_argument("--range", nargs=2, type=int, action="append", metavar=("LO", "HI"))
    ap.add_argument("--out", default=str(ROOT / "evals/reports" / report))
    ap.add_argument("--index", default="/tmp/rag-xquad-vi-index", help="built once from the Vietnamese paragraphs")
    a = ap.parse_args()
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)

    from rag import NewsDesk
    from rag.evaluate import load_squad

    docs, items_vi = load_squad(X / "xquad.vi.dev.json", None)
    _, items_en = load_squad(X / "xquad.vi.dev.json", X / "xquad.en.dev.json")
    idx = Path(a.index)
    fresh = not idx.exists()
    desk = NewsDesk(index=idx)
    if fresh:
        corpus = idx.parent / (idx.name + "-corpus.jsonl")
        corpus.write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in docs), encoding="utf-8")
        desk.ingest([corpus])
    return Setup(desk, items_vi, items_en, a.range or [[0, 120], [300, 400]], out,
                 {it.id: it.answers for it in items_vi})
