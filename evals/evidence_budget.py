"""How much evidence does the reader need? Evidence recall against prompt tokens, per language pair (issue 25).

    python evals/evidence_budget.py [--range 0 120] [--range 300 400] [--out evals/reports/evidence_budget]

XQuAD questions (Vietnamese, and English over the parallel Vietnamese paragraphs; CC BY-SA 4.0). For each question
the desk's retrieval and evidence selection (``rag.evidence.EvidenceSelector.select``) run under several budgets
(sentences, LLM tokens); reported per budget: the share of questions whose evidence holds the answer (Vietnamese or
English gold), and the mean LLM tokens of the evidence. The tokens are what the first streamed token waits for (the
instructions before them stay cached), so this is the trade the budget makes, measured without generating an answer.
Questions 1-120 are the rows a choice is made on; 301-400 are reported beside them, not used to choose.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from xquad_ranking import setup  # noqa: E402

BUDGETS = [(5, 380), (5, 300), (4, 300), (4, 260), (3, 260), (3, 220), (2, 200)]


def main() -> None:
    from rag.answer import _name_numbers, question_years
    from rag.scoring import contains_answer

    st = setup(__doc__, "evidence_budget")
    desk, out = st.desk, st.out
    count = desk.llm.count_tokens
    k = desk.settings.top_k
    md = ["# Evidence budget: answer recall against prompt tokens", "",
          "`python evals/evidence_budget.py` — XQuAD questions over the Vietnamese paragraphs (CC BY-SA 4.0). "
          "*holds answer*: the evidence given to the reader contains the answer; *tokens*: mean LLM tokens of the "
          "evidence block (what the first streamed token waits for). No answer generated. Rows 1-120 are the rows a "
          "choice is made on; 301-400 are not used to choose.", "",
          "| questions | rows | sentences, tokens | holds answer | top sentence holds it | tokens (mean) | blocks (mean) |",
          "|---|---|---|---|---|---|---|"]
    summary = {}
    for name, items in (("Vietnamese", st.items_vi), ("English over Vietnamese", st.items_en)):
        for lo, hi in st.ranges:
            rows = []
            for it in items[lo:hi]:
                alts = st.gold(it)
                res = desk.retriever.search(it.question, k=k, lang=it.lang)
                qv = res.qvec if res.qvec is not None else desk.retriever.embed_query(it.question)
                req = tuple(question_years(it.question)) + tuple(sorted(_name_numbers(it.question)))
                per = []
                for ns, nt in BUDGETS:
                    ev, ranked = desk.evidence.select(it.question, qv, res.passages, count, max_sentences=ns,
                                                      max_tokens=nt, require=req)
                    text = "\n".join(p.text for p in ev)
                    per.append((bool(ev) and bool(contains_answer(text, alts)),
                                bool(ranked) and bool(contains_answer(ranked[0].text, alts)),
                                sum(count(p.text) + 6 for p in ev), len(ev)))
                rows.append(per)
            n = len(rows)
            for b, (ns, nt) in enumerate(BUDGETS):
                hold = sum(r[b][0] for r in rows) / n
                top = sum(r[b][1] for r in rows) / n
                tok = sum(r[b][2] for r in rows) / n
                sents = sum(r[b][3] for r in rows) / n
                md.append(f"| {name} | {lo + 1}-{hi} | {ns}, {nt} | {hold:.3f} | {top:.3f} | {tok:.0f} | {sents:.1f} |")
                summary[f"{name}|{lo + 1}-{hi}|{ns},{nt}"] = {"holds": round(hold, 4), "tokens": round(tok, 1), "n": n}
    (out / "report.md").write_text("\n".join(md) + "\n", encoding="utf-8")
    (out / "summary.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
    print("\n".join(md))


if __name__ == "__main__":
    main()
