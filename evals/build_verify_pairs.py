"""Build the claim checker's benchmark: parallel EN/VI sentences from XQuAD, faithful and with one planted error.

Source: ``evals/data/xquad/xquad.{en,vi}.dev.json`` (XQuAD dev, CC BY-SA 4.0; see that folder's README). The two
files are parallel paragraph by paragraph; a paragraph whose English and Vietnamese sentence counts agree gives
sentence pairs (English sentence = the claim, Vietnamese sentence = its source). Every pair is written once as
*faithful* (expected: no problem) and, where the sentence allows it, once per planted error kind, each a single
edit of the English claim:

  number     a number that is not a year changed          expected kind: number
  year       a year changed                               expected kind: date
  scale      million / billion / thousand swapped          expected kind: amount
  month      a month name changed                          expected kind: date
  name       a proper name the source writes replaced by a name from another topic   expected kind: name
  neg_added  "not" added after the first auxiliary verb (source has no negation)      expected kind: added_negation
  neg_removed  the claim's "not"/"n't"/"never" removed (source negates)               expected kind: lost_negation
  swap       two names the source gives exchanged (who did what to whom)              expected kind: wrong_actor

Split: every third topic in sha1 order of the title is **frozen** — reported, never looked at while tuning.
Usage: ``python evals/build_verify_pairs.py`` -> ``evals/data/verify_pairs.jsonl`` (deterministic).
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))
from rag.chunking import split_sentences  # noqa: E402

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
SCALES = ["thousand", "million", "billion", "trillion"]
AUX = re.compile(r"\b(is|was|are|were|has|have|had|can|could|will|would|did|does|do|should|must|may|might)\b")
NEG = re.compile(r"\s*\bnot\b|n't\b|\bnever\s+", re.I)
NEG_ANY = re.compile(r"\b(?:not|never|no|none|nobody|nothing|neither|nor|cannot|without)\b|n['’]t\b", re.I)
VI_NEG = re.compile(r"(?<![\wÀ-ỹ])(?:không|chưa|chẳng|chả|đừng|chớ)(?![\wÀ-ỹ])", re.I)
NAME = re.compile(r"\b[A-Z][a-zà-ỹ'’-]{2,}(?:\s+[A-Z][a-zà-ỹ'’-]+)*\b")
FUNCTION = {"The", "This", "That", "These", "Those", "In", "On", "At", "Of", "For", "As", "By", "From", "With", "After",
            "Before", "During", "However", "Although", "When", "While", "Its", "His", "Her", "Their", "There", "It",
            "He", "She", "They", "We", "Some", "Many", "Most", "Other", "Since", "Until", "Under", "Because", "Also",
            "A", "An", "And", "But", "Or", "If", "Each", "All", "Both", "Such", "One", "Two", "Three", "According"}


def fold(s: str) -> str:
    import unicodedata
    s = s.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", s) if unicodedata.category(c) != "Mn").lower()


def sentences(text: str) -> list[str]:
    return [text[s.start:s.end] for s in split_sentences(text)]


def names_in(claim: str, source: str) -> list[str]:
    """Proper names of the claim (not sentence-initial function words) that the source writes literally."""
    out = []
    for m in NAME.finditer(claim):
        words = [w for w in m.group(0).split() if w not in FUNCTION]
        if not words:
            continue
        name = " ".join(words)
        if m.start() == 0 and len(words) == 1 and name.lower() in claim.lower()[1:]:
            continue
        if fold(name) in fold(source) and name not in out:
            out.append(name)
    return out


def plant(claim: str, source: str, kind: str, rng: random.Random, other_names: list[str]) -> str | None:
    if kind == "number":
        nums = [m for m in re.finditer(r"(?<![\d.,])\d+(?:,\d{3})*(?:\.\d+)?(?![\d])", claim)
                if not re.fullmatch(r"1[0-9]{3}|20[0-9]{2}", m.group(0))]
        if not nums:
            return None
        m = rng.choice(nums)
        v = float(m.group(0).replace(",", ""))
        new = v + rng.choice([1, 2, 3, 7]) if v < 10 else v * rng.choice([2, 3]) + 1
        s = f"{int(new):,}" if new == int(new) else f"{new:.1f}"
        return claim[:m.start()] + s + claim[m.end():]
    if kind == "year":
        ys = list(re.finditer(r"(?<![\d.,])(1[0-9]{3}|20[0-9]{2})(?![\d])", claim))
        if not ys:
            return None
        m = rng.choice(ys)
        return claim[:m.start()] + str(int(m.group(0)) + rng.choice([-11, -3, 2, 5, 12])) + claim[m.end():]
    if kind == "scale":
        ms = list(re.finditer(r"\b(thousand|million|billion|trillion)\b", claim))
        if not ms:
            return None
        m = rng.choice(ms)
        return claim[:m.start()] + rng.choice([s for s in SCALES if s != m.group(0)]) + claim[m.end():]
    if kind == "month":
        ms = list(re.finditer(r"\b(" + "|".join(MONTHS) + r")\b", claim))
        ms = [m for m in ms if not (m.group(0) == "May" and not re.search(r"\d", claim[m.end():m.end() + 6] + claim[max(0, m.start() - 4):m.start()]))]
        if not ms:
            return None
        m = rng.choice(ms)
        return claim[:m.start()] + rng.choice([x for x in MONTHS if x not in (m.group(0), "May")]) + claim[m.end():]
    if kind == "name":
        ns = names_in(claim, source)
        if not ns:
            return None
        n = rng.choice(ns)
        cands = [o for o in other_names if fold(o) not in fold(source) and fold(o) not in fold(claim)]
        if not cands:
            return None
        return claim.replace(n, rng.choice(cands), 1)
    if kind == "neg_added":
        if NEG_ANY.search(claim) or VI_NEG.search(source):
            return None
        m = AUX.search(claim)
        if not m:
            return None
        return claim[:m.end()] + " not" + claim[m.end():]
    if kind == "neg_removed":
        if not VI_NEG.search(source):
            return None
        m = NEG.search(claim)
        if not m:
            return None
        if m.group(0).lower() == "n't":
            word_start = claim.rfind(" ", 0, m.start()) + 1
            base = claim[word_start:m.start()]
            fixed = {"ca": "can", "wo": "will", "do": "do", "does": "does", "did": "did"}.get(base.lower(), base)
            return claim[:word_start] + fixed + claim[m.end():]
        return (claim[:m.start()] + claim[m.end():]).replace("  ", " ")
    if kind == "swap":
        ns = [n for n in names_in(claim, source) if len(n) > 3]
        ns = [n for n in ns if not any(n != o and (n in o or o in n) for o in ns)]
        if len(ns) < 2:
            return None
        a, b = ns[0], ns[1]
        tmp = "\x00"
        return claim.replace(a, tmp, 1).replace(b, a, 1).replace(tmp, b, 1)
    raise ValueError(kind)


EXPECT = {"number": "number", "year": "date", "scale": "amount", "month": "date", "name": "name",
          "neg_added": "added_negation", "neg_removed": "lost_negation", "swap": "wrong_actor"}


def main() -> None:
    en = json.load(open(ROOT / "data/xquad/xquad.en.dev.json"))["data"]
    vi = json.load(open(ROOT / "data/xquad/xquad.vi.dev.json"))["data"]
    pairs_by_topic: dict[str, list[tuple[str, str]]] = {}
    for a_en, a_vi in zip(en, vi):
        for p_en, p_vi in zip(a_en["paragraphs"], a_vi["paragraphs"]):
            s_en, s_vi = sentences(p_en["context"]), sentences(p_vi["context"])
            if len(s_en) == len(s_vi):
                pairs_by_topic.setdefault(a_en["title"], []).extend(zip(s_en, s_vi))
    # names of each topic, to plant a name from elsewhere
    topic_names = {t: sorted({n for c, s in ps for n in names_in(c, s)}) for t, ps in pairs_by_topic.items()}
    rows = []
    by_hash = sorted(pairs_by_topic, key=lambda t: hashlib.sha1(t.encode()).hexdigest())
    frozen = set(by_hash[::3])  # a third of the topics
    for topic, ps in pairs_by_topic.items():
        split = "frozen" if topic in frozen else "tune"
        others = sorted({n for t, ns in topic_names.items() if t != topic for n in ns})
        for i, (claim, source) in enumerate(ps):
            if len(claim.split()) < 4:
                continue
            rid = f"{topic}:{i}"
            rows.append({"id": rid, "topic": topic, "split": split, "kind": "faithful", "claim": claim,
                         "source": source, "claim_lang": "en", "expected": []})
            rng = random.Random(rid)
            for kind in EXPECT:
                bad = plant(claim, source, kind, rng, others)
                if bad and bad != claim:
                    rows.append({"id": f"{rid}:{kind}", "topic": topic, "split": split, "kind": kind, "claim": bad,
                                 "source": source, "claim_lang": "en", "expected": [EXPECT[kind]]})
    out = ROOT / "data/verify_pairs.jsonl"
    with open(out, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    from collections import Counter
    c = Counter((r["split"], r["kind"]) for r in rows)
    print(f"{len(rows)} rows -> {out}")
    for k in ["faithful", *EXPECT]:
        print(f"  {k:12s} tune {c[('tune', k)]:4d}  frozen {c[('frozen', k)]:4d}")


if __name__ == "__main__":
    main()
