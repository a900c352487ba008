"""Build the answer dev set (issue 10): seeds questions + a news-like archive (XQuAD-vi paragraphs) with
XQuAD questions (Vietnamese, and English over the Vietnamese corpus) and hand-written traps.

Writes ``evals/data/dev_corpus.jsonl`` (the XQuAD-vi paragraphs as documents, CC BY-SA 4.0) and
``evals/data/dev_qa.jsonl`` (gold), each question tagged ``split``: ``frozen`` (a third, chosen by a hash of
the id: report-only, never tuned on) or ``tune``.

    python evals/build_dev.py          # deterministic; re-running gives the same files
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
XQ = HERE / "data" / "xquad"

# hand-written questions over the seed articles (000: ambassador interview, 2026-02-04; 001: visit ended, 2026-02-06)
A, B = "000_833a92ec386289a5", "001_49069b38bf4c49f8"
SEED_EXTRA = [
    ("What is the position of the official Pham Minh Chinh met during the visit?", "en", [["Prime Minister", "Thủ tướng"]], [B], "roles"),
    ("Thủ tướng Phạm Minh Chính đã gặp ai?", "vi", [["Sonexay Siphandone"]], [B], "who-met-whom"),
    ("Which Vietnamese leader met the President of the Lao National Assembly?", "en", [["Tran Thanh Man", "Trần Thanh Mẫn"]], [B], "who-met-whom"),
    ("What position does Saysomphone Phomvihane hold?", "en", [["National Assembly", "Quốc hội"]], [B], "roles"),
    ("Kikeo Khaykhamphithoune giữ chức vụ gì?", "vi", [["Mặt trận"]], [B], "roles"),
    ("What positions does Thongloun Sisoulith hold?", "en", [["General Secretary", "Tổng Bí thư"], ["President", "Chủ tịch nước"]], [A, B], "roles"),
    ("Khamphao Ernthavanh là ai?", "vi", [["Đại sứ Lào"]], [A], "roles"),
    ("What is To Lam's title in the articles?", "en", [["General Secretary", "Tổng Bí thư"]], [A, B], "roles"),
    ("Besides Thongloun Sisoulith, which Lao leaders did To Lam meet?", "en", [["Sonexay Siphandone"], ["Saysomphone Phomvihane"]], [B], "list"),
    ("Tổng Bí thư Tô Lâm đã hội kiến những ai?", "vi", [["Sonexay Siphandone"], ["Saysomphone Phomvihane"]], [B], "list"),
    ("Who hosted the state banquet that To Lam attended?", "en", [["General Secretary", "Tổng Bí thư", "President", "Chủ tịch nước", "Thongloun"]], [B], "who-met-whom"),
    ("Lễ chiêu đãi cấp Nhà nước do ai chủ trì?", "vi", [["Tổng Bí thư", "Chủ tịch nước", "Thongloun"]], [B], "who-met-whom"),
    ("When did the Lao People's Revolutionary Party hold its 12th National Congress?", "en", [["January 2026", "tháng 1/2026", "1/2026", "January"]], [A], "temporal"),
    ("Đại hội XII của Đảng Nhân dân Cách mạng Lào diễn ra khi nào?", "vi", [["tháng 1/2026", "1/2026", "tháng 1"]], [A], "temporal"),
    ("What near-term trade target are Vietnam and Laos striving for?", "en", [["5 billion", "5 tỷ"]], [A], "factoid"),
    ("At the end of the visit, what trade target did the two sides agree to strive for?", "en", [["10 billion", "10 tỷ"]], [B], "temporal"),
    ("Mục tiêu kim ngạch thương mại dài hạn của hai nước là bao nhiêu?", "vi", [["10 tỷ", "10 billion"]], [A, B], "factoid"),
    ("Tại Lào, Tổng Bí thư Tô Lâm đặt vòng hoa ở đâu?", "vi", [["vô danh"]], [B], "factoid"),
    ("Which embassy did To Lam visit in Laos?", "en", [["Vietnam", "Việt Nam", "Vietnamese"]], [B], "factoid"),
    ("Hợp tác nào được xác định là một trong những trụ cột quan trọng?", "vi", [["kinh tế"]], [A], "factoid"),
    ("Which area of cooperation is described as one of the important pillars?", "en", [["econom", "kinh tế"]], [A], "factoid"),
    ("Which sub-regional cooperation framework will the two sides coordinate in?", "en", [["Mekong", "Mê Kông"]], [A], "factoid"),
    ("Kỳ họp lần thứ 48 là của ủy ban nào?", "vi", [["liên Chính phủ"]], [A], "factoid"),
    ("At which session of the Vietnam–Laos Intergovernmental Committee did the two sides agree to raise trade by 10–15% a year?", "en", [["48"]], [A], "factoid"),
    ("In which areas will the two sides expand cooperation to reach the trade targets?", "en", [["infrastructure", "hạ tầng"], ["supply chain", "chuỗi cung ứng"]], [A], "list"),
    ("Lĩnh vực hợp tác nào được xác định là chiến lược, lâu dài?", "vi", [["giáo dục"]], [B], "factoid"),
    ("Which party's Central Committee does Thongloun Sisoulith lead as General Secretary?", "en", [["People's Revolutionary", "Nhân dân Cách mạng"]], [A, B], "roles"),
    ("Who did To Lam receive during the visit?", "en", [["Kikeo Khaykhamphithoune"]], [B], "who-met-whom"),
    # unanswerable traps: a real entity or a real number in a relation the articles do not state
    ("What did Kikeo Khaykhamphithoune say about the 10 billion USD trade target?", "en", [], [], "unanswerable"),
    ("Thủ tướng Sonexay Siphandone thăm Việt Nam vào ngày nào?", "vi", [], [], "unanswerable"),
    ("When will To Lam visit Thailand?", "en", [], [], "unanswerable"),
    ("What was the two-way trade between Vietnam and Laos in 2024?", "en", [], [], "unanswerable"),
    ("Kim ngạch thương mại Việt Nam – Campuchia năm 2025 đạt bao nhiêu?", "vi", [], [], "unanswerable"),
    ("How long is the expressway the ambassador mentioned, in kilometres?", "en", [], [], "unanswerable"),
    ("Đại sứ Việt Nam tại Lào là ai?", "vi", [], [], "unanswerable"),
    ("Who is Vietnam's ambassador to Laos?", "en", [], [], "unanswerable"),
    ("How many Vietnamese people live in Laos?", "en", [], [], "unanswerable"),
    ("Tổng Bí thư Tô Lâm thăm Campuchia trong bao nhiêu ngày?", "vi", [], [], "unanswerable"),
    ("By what percentage did Vietnam–Laos trade grow in 2025?", "en", [], [], "unanswerable"),
    ("Ai là Chủ tịch nước Việt Nam theo các bài báo?", "vi", [], [], "unanswerable"),
    ("Who is the President of Vietnam according to the articles?", "en", [], [], "unanswerable"),
    ("How many documents did the two General Secretaries sign in the field of defence?", "en", [], [], "unanswerable"),
]

# traps over the archive (XQuAD paragraphs): a real entity or number, a relation the paragraph does not state
ARCHIVE_TRAPS = [
    ("Who succeeded Hoesung Lee as chair of the IPCC?", "en"),
    ("Hoesung Lee sinh năm nào?", "vi"),
    ("Where was Joseph Priestley born?", "en"),
    ("Carl von Linde sản xuất oxy lỏng ở thành phố nào?", "vi"),
    ("How many people attended the reopening of the Grainger Market after the 1901 fire?", "en"),
    ("What was the population of Jacksonville in 2020?", "en"),
    ("Dân số Jacksonville năm 2020 là bao nhiêu?", "vi"),
    ("Who designed the Apollo 1 spacesuit?", "en"),
    ("Kearney Boulevard dài bao nhiêu km ở Thành phố Hồ Chí Minh?", "vi"),
    ("What percentage of the Scottish electorate voted in the 1997 referendum?", "en"),
    ("Pons Aelius có bao nhiêu cư dân vào năm 1800?", "vi"),
    ("Which company bought Sky in 2018?", "en"),
]


def _split(qid: str) -> str:
    return "frozen" if int(hashlib.sha1(qid.encode()).hexdigest(), 16) % 3 == 0 else "tune"


def main() -> None:
    vi = json.loads((XQ / "xquad.vi.dev.json").read_text(encoding="utf-8"))["data"]
    en = json.loads((XQ / "xquad.en.dev.json").read_text(encoding="utf-8"))["data"]
    corpus, qdoc, vi_q, en_q = [], {}, [], []
    for a, art in enumerate(vi):
        for p, para in enumerate(art["paragraphs"]):
            doc_id = f"xq-{a:02d}-{p:02d}"
            corpus.append({"id": doc_id, "title": art["title"].replace("_", " "), "text": para["context"].replace("\ufeff", "")})
            for qa in para["qas"]:
                qdoc[qa["id"]] = doc_id
                vi_q.append(qa)
    for art in en:
        for para in art["paragraphs"]:
            en_q.extend(para["qas"])
    rows = []
    for line in (HERE / "data" / "seeds_qa.jsonl").read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        rows.append(r)
    for n, (q, lang, answers, docs, typ) in enumerate(SEED_EXTRA, 51):
        rows.append({"id": f"seed-{n:03d}", "question": q, "lang": lang, "answers": answers, "gold_docs": docs, "type": typ})
    # XQuAD questions beyond the first 300 (the XQuAD bars use the first 100): every 10th, VI and EN interleaved
    for i in range(300, len(vi_q), 10):
        qa = vi_q[i]
        rows.append({"id": f"xqvi-{qa['id'][:10]}", "question": qa["question"], "lang": "vi",
                     "answers": [list(dict.fromkeys(x["text"] for x in qa["answers"]))], "gold_docs": [qdoc[qa["id"]]],
                     "type": "archive-vi"})
    en_by_id = {qa["id"]: qa for qa in en_q}
    for i in range(305, len(vi_q), 10):
        qa = en_by_id[vi_q[i]["id"]]
        rows.append({"id": f"xqen-{qa['id'][:10]}", "question": qa["question"], "lang": "en",
                     "answers": [list(dict.fromkeys(x["text"] for x in qa["answers"]))], "gold_docs": [qdoc[qa["id"]]],
                     "type": "archive-en-over-vi"})
    for n, (q, lang) in enumerate(ARCHIVE_TRAPS, 1):
        rows.append({"id": f"trap-{n:03d}", "question": q, "lang": lang, "answers": [], "gold_docs": [], "type": "unanswerable"})
    for r in rows:
        r["split"] = _split(r["id"])
    (HERE / "data" / "dev_corpus.jsonl").write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in corpus) + "\n", encoding="utf-8")
    (HERE / "data" / "dev_qa.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    from collections import Counter
    print(len(rows), "questions;", Counter(r["split"] for r in rows), Counter(r["type"] for r in rows))


if __name__ == "__main__":
    main()
