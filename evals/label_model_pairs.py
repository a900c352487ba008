"""Hand labels for the embedded model's bullets on the seed sentences (``evals/model_bullets.py``'s draft).

Each label is the set of problem kinds a careful reader finds in the bullet against its one sentence (the bullet
may state nothing the sentence does not); ``content`` marks a wrong meaning outside the checker's kinds ("high-speed
rail" for "đường cao tốc", expressway). Labelled by reading each pair, before running the checker on them.

    python evals/label_model_pairs.py /tmp/draft.jsonl   # -> evals/data/verify_model_pairs.jsonl
"""

import json
import sys
from pathlib import Path

A, B = "000_833a92ec386289a5", "001_49069b38bf4c49f8"
LABELS = {
    f"{A}:0": ["wrong_actor", "office", "date"],   # the Lao ambassador made "Vietnamese", made the visitor; 4 Feb/2026 unstated
    f"{A}:1": ["office", "mixed_language"],        # "Prime Minister" for Tổng Bí thư (twice); "Lào"
    f"{A}:2": ["office"],                          # "Vietnam's Ambassador to Laos" for Đại sứ Lào tại Việt Nam
    f"{A}:3": ["place", "name"],                   # invented: the Chinese government, a "Song Phuong Economic Zone"
    f"{A}:4": ["date", "office", "wrong_actor"],   # the ambassador "visited" the congresses
    f"{A}:5": [],
    f"{A}:6": ["office", "date"],
    f"{A}:8": ["office"],                          # "Viet Nam's Ambassador": the sentence names no country
    f"{A}:9": ["date"],                            # "On 4 February", "2026" unstated
    f"{A}:10": ["office"],                         # "Foreign Minister" for Đại sứ
    f"{A}:11": ["office", "wrong_actor"],          # "Deputy", "Prime Minister"; the ambassador "met"
    f"{A}:12": [],
    f"{A}:13": [],
    f"{A}:14": ["name", "date"],                   # invented WTO tariffs from a heading about a trade target
    f"{A}:15": ["content"],                        # "high-speed rail" for đường cao tốc (expressway)
    f"{A}:16": [],
    f"{A}:17": [],
    f"{A}:18": ["office"],                         # "Ambassador of Vietnam"
    f"{A}:19": [],
    f"{A}:20": ["content"],                        # "increase … by 5 billion" for "raise … to about 5 billion"
    f"{A}:21": ["name", "office"],                 # an invented UN Secretary-General
    f"{A}:22": [],
    f"{A}:23": ["date"],                           # "On February 4" unstated
    f"{A}:24": ["date"],                           # "In 2026" unstated
    f"{A}:25": ["office"],                         # "President Tô Lâm"
    f"{B}:0": ["office", "name"],                  # "President", "Thô Lâm"
    f"{B}:1": [],
    f"{B}:2": ["wrong_actor", "office"],           # Thongloun concluded the visit; an unstated Prime Minister
    f"{B}:3": ["wrong_actor", "office"],           # Thongloun met …; Sonexay "President", Phomvihane "Prime Minister"
    f"{B}:4": ["office", "name"],                  # "The Prime Minister"; a "Lao Thought Memorial"
    f"{B}:5": ["office"],                          # Phạm Minh Chính and Trần Thanh Mẫn made "President"
    f"{B}:6": [],
    f"{B}:7": [],
    f"{B}:8": [],
    f"{B}:9": ["content"],                         # "by the end of the year" for "trong thời gian tới"
    f"{B}:10": [],
    f"{B}:11": ["office", "content"],              # "Two Prime Ministers" for hai Tổng Bí thư; "visited" invented
    f"{B}:12": ["office", "content"],              # "President" Tô Lâm; "to visit the Central Committee" garbled
    f"{B}:13": ["content"],                        # "two developing countries" for "phát triển" (the ties develop)
}


def main(draft: str) -> None:
    out = Path(__file__).resolve().parent / "data/verify_model_pairs.jsonl"
    rows = []
    for line in open(draft, encoding="utf-8"):
        r = json.loads(line)
        if r["id"] not in LABELS:
            print(f"unlabelled, left out: {r['id']}: {r['claim'][:80]}", file=sys.stderr)
            continue
        r["expected"] = LABELS[r["id"]]
        r["kind"] = "model-wrong" if r["expected"] else "model-faithful"
        rows.append(r)
    with open(out, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"{len(rows)} rows -> {out}")


if __name__ == "__main__":
    main(sys.argv[1])
