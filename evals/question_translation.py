"""Does searching with the question rendered in the articles' language put the answer's sentence first? (issue 25)

    python evals/question_translation.py [--range 0 120] [--range 300 400] [--out evals/reports/question_translation]

English XQuAD questions over the parallel Vietnamese paragraphs (CC BY-SA 4.0). For each question the embedded
model renders it in Vietnamese (``prompts/translate_question.en.txt``; cached in ``translations_LO_HI.json``), then
the desk's retrieval and evidence scoring rank the candidate sentences three ways: the English question alone,
the Vietnamese rendering alone, and both together (what the answer path does, setting ``translate_questions``).
Reported: the share of questions whose best-ranked sentence (and any of the top three) holds the answer (the
Vietnamese or the English gold answer). No answer is generated. Questions 1-120 are the rows the choice was made on;
301-400 were not used to choose.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from xquad_ranking import setup  # noqa: E402


def translations(items, lo: int, hi: int, out: Path) -> dict[str, str]:
    path = out / f"translations_{lo}_{hi}.json"
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    from rag.config import Settings
    from rag.llm import get_llm
    from rag.query_translation import translate_question

    llm = get_llm(Settings())
    got, secs = {}, []
    for it in items[lo:hi]:
        t0 = time.perf_counter()
        got[it.id] = translate_question(llm, it.question, "vi")
        secs.append(time.perf_counter() - t0)
    path.write_text(json.dumps(got, ensure_ascii=False, indent=0), encoding="utf-8")
    return got


def main() -> None:
    from rag.scoring import contains_answer

    st = setup(__doc__, "question_translation")
    desk, out, items_en = st.desk, st.out, st.items_en
    k = desk.settings.top_k
    md = ["# Question translation: does the answer's sentence come first?", "",
          "`python evals/question_translation.py` — English XQuAD questions over the Vietnamese paragraphs. "
          "Share of questions whose best-ranked candidate sentence (top 1) and any of the top three hold the answer; "
          "no answer generated. Questions 1-120: the rows the choice was made on; 301-400: not used to choose.", "",
          "| questions | searched with | top 1 | top 3 |", "|---|---|---|---|"]
    summary = {}
    for lo, hi in st.ranges:
        tr = translations(items_en, lo, hi, out)
        hits = {"English question": [0, 0], "Vietnamese rendering": [0, 0], "both (shipped)": [0, 0]}
        for it in items_en[lo:hi]:
            alts = st.gold(it)
            q2 = tr.get(it.id) or it.question
            for name, q, lang in (("English question", it.question, "en"), ("Vietnamese rendering", q2, "vi"),
                                  ("both (shipped)", f"{it.question} {q2}", "en")):
                res = desk.retriever.search(q, k=k, lang=lang)
                qv = res.qvec if res.qvec is not None else desk.retriever.embed_query(q)
                ranked = sorted(desk.evidence.candidates(q, qv, res.passages), key=lambda c: (-c.score, c.rank, c.start))
                gold = [bool(contains_answer(c.text, alts)) for c in ranked]
                hits[name][0] += bool(gold[:1] and gold[0])
                hits[name][1] += any(gold[:3])
        n = hi - lo
        for name, (t1, t3) in hits.items():
            md.append(f"| {lo + 1}-{hi} | {name} | {t1 / n:.3f} | {t3 / n:.3f} |")
            summary[f"{lo + 1}-{hi}|{name}"] = {"top1": round(t1 / n, 4), "top3": round(t3 / n, 4), "n": n}
    (out / "report.md").write_text("\n".join(md) + "\n", encoding="utf-8")
    (out / "summary.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
    print("\n".join(md))


if __name__ == "__main__":
    main()
