"""A news corpus with known syndicated-copy groups and stories, for ``evals/newsroom_bench.py`` (issue 26).

    python evals/build_newsroom_fixture.py   # -> evals/data/newsroom_corpus.jsonl

Built from the Vietnamese XQuAD dev paragraphs (CC BY-SA 4.0, see evals/data/xquad/) and the seed articles:

* a **story** is one XQuAD article (a subject followed over several reports: the same people, places and
  figures), its five paragraphs are five **reports** published on consecutive days from a random start, stories
  overlapping in time; the two seed articles are one more story;
* a report gets 0-3 **syndicated copies** on other outlets, each with a new headline and some of: a credit line
  ("(TTXVN) -", "Theo …"), its last sentence trimmed, its last sentence moved to the front, a photo caption
  line; published the same day or the next;
* **distinct reports of the same event** that must not be merged: per story, one "follow-up" that quotes one
  sentence of each earlier report (it shares a sentence with each, and is a copy of none).

Every third story (sha1 of its title) is frozen: tune thresholds on the others only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTLETS = ["https://vnexpress.example", "https://tuoitre.example", "https://thanhnien.example", "https://baomoi.example",
           "https://dantri.example", "https://vietnamplus.example", "https://nhandan.example", "https://laodong.example"]
CREDITS = ["(TTXVN) - ", "(Chinhphu.vn) - ", "(VOV) - "]
SUFFIX = ["\n\nTheo TTXVN", "\n\nNguồn: Báo Tin tức", "\n\n(Theo VOV)"]
CAPTION = "Ảnh minh họa: Tư liệu."


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]


def frozen(title: str) -> bool:
    return int(hashlib.sha1(title.encode("utf-8")).hexdigest(), 16) % 3 == 0


def main() -> None:
    rng = random.Random(26)
    data = json.loads((ROOT / "evals/data/xquad/xquad.vi.dev.json").read_text(encoding="utf-8"))["data"]
    out = []
    base = dt.date(2026, 3, 1)
    for si, art in enumerate(data):
        story = art["title"]
        split = "frozen" if frozen(story) else "tune"
        start = base + dt.timedelta(days=rng.randrange(0, 40))
        paras = [p["context"] for p in art["paragraphs"]]
        for pi, text in enumerate(paras):
            day = start + dt.timedelta(days=pi)
            outlet = rng.choice(OUTLETS)
            rid = f"{si:02d}-{pi}"
            sents = sentences(text)
            title = f"{story.replace('_', ' ')}: {sents[0][:70]}"
            out.append({"id": f"r{rid}", "title": title, "text": text, "date": day.isoformat(),
                        "url": f"{outlet}/{rid}.html", "copy_group": f"g{rid}", "story": story, "split": split})
            for ci in range(rng.choice([0, 1, 1, 2, 3])):
                s = list(sents)
                edits = []
                if len(s) > 3 and rng.random() < 0.5:
                    s = s[:-1]
                    edits.append("trimmed")
                if len(s) > 3 and rng.random() < 0.4:
                    s = [s[-1]] + s[:-1]
                    edits.append("reordered")
                body = " ".join(s)
                if rng.random() < 0.5:
                    body = rng.choice(CREDITS) + body
                    edits.append("credit")
                else:
                    body = body + rng.choice(SUFFIX)
                    edits.append("credit-after")
                if rng.random() < 0.3:
                    body = CAPTION + "\n\n" + body
                    edits.append("caption")
                cday = day + dt.timedelta(days=rng.choice([0, 0, 1]))
                o2 = rng.choice([o for o in OUTLETS if o != outlet])
                out.append({"id": f"c{rid}-{ci}", "title": f"{s[0][:60]}… ({story.replace('_', ' ')})", "text": body,
                            "date": cday.isoformat(), "url": f"{o2}/{rid}-copy{ci}.html", "copy_group": f"g{rid}",
                            "story": story, "split": split, "edits": edits})
        if len(paras) >= 2:  # a distinct follow-up report: one sentence (a quote) from each earlier report
            text = " ".join([sentences(paras[0])[0]] + [sentences(p)[-1] for p in paras[1:]])
            day = start + dt.timedelta(days=len(paras))
            out.append({"id": f"f{si:02d}", "title": f"{story.replace('_', ' ')}: tường thuật mới", "text": text,
                        "date": day.isoformat(), "url": f"{rng.choice(OUTLETS)}/{si:02d}-follow.html",
                        "copy_group": f"gf{si:02d}", "story": story, "split": split, "edits": ["distinct-report"]})
    for p in sorted((ROOT / "seeds").glob("*.txt")):
        raw = p.read_text(encoding="utf-8")
        m = re.search(r"(\d{4}-\d{2}-\d{2})", raw)
        out.append({"id": f"seed-{p.stem}", "title": None, "text": re.sub(r"^\s*date\s+\S+\s*", "", raw), "date": m.group(1) if m else None,
                    "url": f"https://seed.example/{p.stem}.html", "copy_group": f"g{p.stem}", "story": "seeds",
                    "split": "tune"})
    dst = ROOT / "evals/data/newsroom_corpus.jsonl"
    dst.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in out) + "\n", encoding="utf-8")
    n_copies = sum(1 for r in out if r["id"].startswith("c"))
    print(f"wrote {dst}: {len(out)} articles, {len(data) + 1} stories, {n_copies} copies")


if __name__ == "__main__":
    main()
