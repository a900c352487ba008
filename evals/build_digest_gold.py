"""Builds the summary/briefing gold (issue 11): ``evals/data/digests.jsonl`` and ``evals/data/digest_corpus_en.jsonl``.

Each record names its articles (``doc_ids`` for a summary, ``docs``/``since``/``until``/``query`` for a
briefing), the key facts an editor expects (each a list of accepted spellings, English and Vietnamese, since
every section must carry them) and ``traps``: wrong titles/roles or superseded facts that must not appear.
The key facts were written from the articles (lead facts, figures, dates, named people), before the new
briefing design was built; one accepted spelling was added later ("February 5 to February 6" for the planned
dates of sum-a, a correct rendering the list lacked) and applies to every report re-scored with this gold. ``split`` = frozen for sha1(id) % 3 == 0 (report-only, never tuned on).

Articles: the two seeds; the XQuAD-vi dev paragraphs of ``dev_corpus.jsonl`` (ids ``xq-AA-PP``, CC BY-SA 4.0);
a few English XQuAD paragraphs (ids ``xqen-AA-PP``) so English sources are covered too.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
XQ = HERE / "data" / "xquad"
A, B = "000_833a92ec386289a5", "001_49069b38bf4c49f8"
TO_LAM = ["Tô Lâm", "To Lam"]
SEED_TRAPS = ["President To Lam", "President Tô Lâm", "Vietnamese President", "Chủ tịch nước Tô Lâm",
              "Vietnamese ambassador", "ambassador of Vietnam", "Đại sứ Việt Nam tại Lào", "planned for 5",
              "will lead", "sẽ dẫn đầu"]

RECORDS = [
    # --- the seeds: A (2026-02-04, the visit announced), B (2026-02-06, the visit ended) ---
    {"id": "sum-a", "kind": "summary", "doc_ids": [A],
     "key_facts": [TO_LAM, ["Laos", "Lào"], ["5–6", "5-6", "5 and 6", "5 to 6", "February 5 to February 6",
                                             "5 February to 6 February"], ["Khamphao Ernthavanh"],
                   ["2.6 billion", "2,6 tỷ"], ["10 billion", "10 tỷ"], ["Cambodia", "Campuchia"]],
     "traps": SEED_TRAPS[:7]},
    {"id": "sum-b", "kind": "summary", "doc_ids": [B],
     "key_facts": [TO_LAM, ["Laos", "Lào"], ["5 February", "February 5", "5/2", "Feb 5", "Feb. 5"],
                   ["Thongloun Sisoulith"], ["Sonexay Siphandone"], ["10 billion", "10 tỷ"], ["education", "giáo dục"]],
     "traps": SEED_TRAPS[:5]},
    {"id": "brief-ab", "kind": "briefing", "docs": [A, B],
     "key_facts": [TO_LAM, ["Laos", "Lào"], ["5 February", "February 5", "5/2"], ["Thongloun Sisoulith"],
                   ["Sonexay Siphandone"], ["2.6 billion", "2,6 tỷ"], ["10 billion", "10 tỷ"], ["Khamphao Ernthavanh"]],
     "traps": SEED_TRAPS},
    {"id": "brief-range", "kind": "briefing", "since": "2026-02-05", "until": "2026-02-28",
     "key_facts": [TO_LAM, ["5 February", "February 5", "5/2"], ["Thongloun Sisoulith"], ["Sonexay Siphandone"]],
     "traps": SEED_TRAPS[:5]},
    {"id": "brief-topic", "kind": "briefing", "query": "Việt Nam Lào thương mại",
     "key_facts": [["2.6 billion", "2,6 tỷ"], ["10 billion", "10 tỷ"], ["Laos", "Lào"]],
     "traps": SEED_TRAPS[:5]},
    # --- single XQuAD-vi paragraphs ---
    {"id": "sum-manning", "kind": "summary", "doc_ids": ["xq-00-02"],
     "key_facts": [["Peyton Manning"], ["39"], ["John Elway"], ["38"]], "traps": []},
    {"id": "sum-apollo1-fire", "kind": "summary", "doc_ids": ["xq-07-03"],
     "key_facts": [["January 27, 1967", "27 January 1967", "27 tháng 1 năm 1967", "January 27"],
                   ["fire", "cháy"], ["100%"]], "traps": []},
    {"id": "sum-ipcc-chair", "kind": "summary", "doc_ids": ["xq-19-00"],
     "key_facts": [["Hoesung Lee"], ["2015"], ["Ismail El Gizouli"], ["Pachauri"]],
     "traps": ["President Hoesung Lee", "Prime Minister"]},
    {"id": "sum-drought-en", "kind": "summary", "doc_ids": ["xqen-08-04"],
     "key_facts": [["2010"], ["2005"], ["3,000,000", "3.000.000", "3 million", "1,160,000", "1.160.000"],
                   ["8 gigatons", "8 gigaton", "8 tỷ tấn"]], "traps": []},
    # --- briefings over several paragraphs (articles) of one topic ---
    {"id": "brief-amazon", "kind": "briefing", "docs": [f"xq-08-0{i}" for i in range(5)],
     "key_facts": [["5,500,000", "5.500.000", "5.5 million"], ["Brazil"], ["587,000", "587.000"], ["18%"],
                   ["2010"]], "traps": []},
    {"id": "brief-black-death", "kind": "briefing", "docs": ["xq-10-00", "xq-10-01", "xq-10-03", "xq-10-04"],
     "key_facts": [["1345"], ["Marseille"], ["40,000", "40.000"], ["Algiers"]], "traps": []},
    {"id": "brief-scotland", "kind": "briefing", "docs": [f"xq-21-0{i}" for i in range(5)],
     "key_facts": [["1979"], ["51.6%", "51,6%"], ["40%"], ["committee", "ủy ban"], ["18"]], "traps": []},
    {"id": "brief-ipcc", "kind": "briefing", "docs": [f"xq-19-0{i}" for i in range(5)],
     "key_facts": [["Hoesung Lee"], ["0.3", "0,3"], ["2035"], ["hockey stick", "gậy khúc côn cầu"],
                   ["Kyoto"]], "traps": ["President Hoesung Lee"]},
    {"id": "brief-apollo-en", "kind": "briefing", "docs": ["xqen-07-02", "xqen-07-03"],
     "key_facts": [["Apollo 1"], ["Grissom"], ["January 27, 1967", "27 January 1967", "27 tháng 1 năm 1967", "27/1/1967"],
                   ["fire", "cháy"]], "traps": []},
    # --- ten articles: the timing bar (two topics, five paragraphs each) ---
    {"id": "brief-ten", "kind": "briefing", "docs": [f"xq-00-0{i}" for i in range(5)] + [f"xq-07-0{i}" for i in range(5)],
     "key_facts": [["Peyton Manning"], ["Lady Gaga"], ["23–16", "23-16"], ["Apollo 1"],
                   ["January 27, 1967", "27 January 1967", "27 tháng 1 năm 1967", "27/1/1967", "January 27"],
                   ["230,000", "230.000"]], "traps": []},
]


def split(rid: str) -> str:
    return "frozen" if int(hashlib.sha1(rid.encode()).hexdigest(), 16) % 3 == 0 else "tune"


def main() -> None:
    en = json.loads((XQ / "xquad.en.dev.json").read_text(encoding="utf-8"))["data"]
    corpus = []
    for a, p in [(7, 2), (7, 3), (8, 4), (19, 0), (21, 0)]:
        art = en[a]
        corpus.append({"id": f"xqen-{a:02d}-{p:02d}", "title": art["title"].replace("_", " "),
                       "text": art["paragraphs"][p]["context"].strip()})
    (HERE / "data" / "digest_corpus_en.jsonl").write_text(
        "\n".join(json.dumps(d, ensure_ascii=False) for d in corpus) + "\n", encoding="utf-8")
    rows = [dict(r, split=split(r["id"])) for r in RECORDS]
    (HERE / "data" / "digests.jsonl").write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    print({s: [r["id"] for r in rows if r["split"] == s] for s in ("tune", "frozen")})


if __name__ == "__main__":
    main()
