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

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
X = ROOT / "evals/data/xquad"


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
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--range", nargs=2, type=int, action="append", metavar=("LO", "HI"))
    ap.add_argument("--out", default=str(ROOT / "evals/reports/question_translation"))
    ap.add_argument("--index", default="/tmp/rag-xquad-vi-index", help="built once from the Vietnamese paragraphs")
    a = ap.parse_args()
    ranges = a.range or [[0, 120], [300, 400]]
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)

    from rag import NewsDesk
    from rag.evaluate import load_squad
    from rag.scoring import contains_answer

    docs, items_vi = load_squad(X / "xquad.vi.dev.json", None)
    _, items_en = load_squad(X / "xquad.vi.dev.json", X / "xquad.en.dev.json")
    vi_gold = {it.id: it.answers for it in items_vi}
    idx = Path(a.index)
    fresh = not idx.exists()
    desk = NewsDesk(index=idx)
    if fresh:
        corpus = idx.parent / (idx.name + "-corpus.jsonl")
        corpus.write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in docs), encoding="utf-8")
        desk.ingest([corpus])
    k = desk.settings.top_k
    md = ["# Question translation: does the answer's sentence come first?", "",
          "`python evals/question_translation.py` — English XQuAD questions over the Vietnamese paragraphs. "
          "Share of questions whose best-ranked candidate sentence (top 1) and any of the top three hold the answer; "
          "no answer generated. Questions 1-120: the rows the choice was made on; 301-400: not used to choose.", "",
          "| questions | searched with | top 1 | top 3 |", "|---|---|---|---|"]
    summary = {}
    for lo, hi in ranges:
        tr = translations(items_en, lo, hi, out)
        hits = {"English question": [0, 0], "Vietnamese rendering": [0, 0], "both (shipped)": [0, 0]}
        for it in items_en[lo:hi]:
            alts = [x for f in vi_gold[it.id] for x in f] + [x for f in it.answers for x in f]
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
