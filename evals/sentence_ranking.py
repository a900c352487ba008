"""Which sentence comes first? The evidence score's word-overlap term across languages (issue 25's first-quote bar).

    python evals/sentence_ranking.py [--range 0 120] [--range 300 400] [--out evals/reports/sentence_ranking]

XQuAD questions (Vietnamese, and English over the parallel Vietnamese paragraphs; CC BY-SA 4.0). A candidate
sentence's evidence score is its cosine to the question plus ``w`` times the share of the question's words it
contains (``rag.evidence.EvidenceSelector.candidates``). Across languages most of an English question's words can
never occur in a Vietnamese sentence, so the share is diluted to nothing and the names and figures the two share
barely count. Variants: the share over all of the question's words (shipped), and over the words that occur in any
candidate sentence (*shared*: what the sentences could match at all), each with a few weights. Reported: the share
of questions whose top-ranked sentence holds the answer (Vietnamese or English gold), and any of the top three. No
answer is generated. Rows 1-120 are the rows a choice is made on; 301-400 are reported beside them, not used to choose.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from xquad_ranking import setup  # noqa: E402

VARIANTS = [("all words", 0.05), ("all words", 0.0), ("all words", 0.1), ("shared", 0.05), ("shared", 0.1),
            ("shared", 0.2)]


def main() -> None:
    from rag.evidence import _terms
    from rag.scoring import contains_answer

    st = setup(__doc__, "sentence_ranking")
    desk, out = st.desk, st.out
    k = desk.settings.top_k
    md = ["# Sentence ranking: the word-overlap term across languages", "",
          "`python evals/sentence_ranking.py` — XQuAD questions over the Vietnamese paragraphs (CC BY-SA 4.0). "
          "Score = cosine + w × share of the question's words in the sentence; *shared*: the share counted over the "
          "question's words that occur in any candidate sentence. Top 1 / top 3: the best-ranked sentence (any of "
          "the three best) holds the answer. No answer generated. Rows 1-120: where a choice is made; 301-400: not "
          "used to choose.", "",
          "| questions | rows | words counted | w | top 1 | top 3 |", "|---|---|---|---|---|---|"]
    summary = {}
    for name, items in (("Vietnamese", st.items_vi), ("English over Vietnamese", st.items_en)):
        for lo, hi in st.ranges:
            hits = {v: [0, 0] for v in VARIANTS}
            for it in items[lo:hi]:
                alts = st.gold(it)
                res = desk.retriever.search(it.question, k=k, lang=it.lang)
                qv = res.qvec if res.qvec is not None else desk.retriever.embed_query(it.question)
                cands = desk.evidence.candidates(it.question, qv, res.passages)
                if not cands:
                    continue
                q = _terms(it.question)
                sterms = [_terms(c.text) for c in cands]
                base = [c.score - 0.05 * (len(q & t) / len(q) if q else 0.0) for c, t in zip(cands, sterms)]
                seen = set().union(*sterms) & q
                gold = [bool(contains_answer(c.text, alts)) for c in cands]
                for words, w in VARIANTS:
                    den = q if words == "all words" else seen
                    sc = [b + w * (len(den & t) / len(den) if den else 0.0) for b, t in zip(base, sterms)]
                    order = sorted(range(len(cands)), key=lambda i: (-sc[i], cands[i].rank, cands[i].start))
                    hits[(words, w)][0] += gold[order[0]]
                    hits[(words, w)][1] += any(gold[i] for i in order[:3])
            n = hi - lo
            for (words, w), (t1, t3) in hits.items():
                md.append(f"| {name} | {lo + 1}-{hi} | {words} | {w} | {t1 / n:.3f} | {t3 / n:.3f} |")
                summary[f"{name}|{lo + 1}-{hi}|{words}|{w}"] = {"top1": round(t1 / n, 4), "top3": round(t3 / n, 4)}
    (out / "report.md").write_text("\n".join(md) + "\n", encoding="utf-8")
    (out / "summary.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
    print("\n".join(md))


if __name__ == "__main__":
    main()
