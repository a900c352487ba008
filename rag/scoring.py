"""Scoring text against gold answers: normalisation, exact match, token F1, key facts, retrieval ranks."""

from __future__ import annotations

import math
import re
import statistics
import unicodedata
from collections import Counter
from typing import TYPE_CHECKING

from .facts import number_words
from .lexical import fold

if TYPE_CHECKING:
    from .evaluate import EvalItem


# ---------------------------------------------------------------------------------------------------
# normalization and answer metrics


def _canon_number(m: re.Match) -> str:
    t = m.group(0)
    # thousands separators (exactly 3 digits after) vanish; a remaining , or . is a decimal point
    t = re.sub(r"(?<=\d)[.,](?=\d{3}(?!\d))", "", t) if re.fullmatch(r"\d{1,3}([.,]\d{3})+", t) else t
    return t.replace(",", ".")


def normalize(text: str) -> str:
    """SQuAD-style normalization that keeps Vietnamese diacritics and unifies number formats ('2,6' == '2.6')."""
    t = unicodedata.normalize("NFC", text).lower()
    t = re.sub(r"\[\d+(?:\s*[,;]\s*\d+)*\]", " ", t)  # citations
    t = re.sub(r"\d+(?:[.,]\d+)+", _canon_number, t)
    t = t.replace("–", "-").replace("—", "-")
    # punctuation goes, except between two digits ("5/2", "5-6", "2.6"); "5/2," loses its comma
    t = re.sub(r"(?<!\d)[^\w\s%]|[^\w\s%](?!\d)", " ", t)
    t = re.sub(r"\b(a|an|the)\b", " ", t)
    return " ".join(t.split())


def exact_match(pred: str, golds: list[str]) -> float:
    p = normalize(pred)
    return float(any(p == normalize(g) for g in golds))


def token_f1(pred: str, golds: list[str]) -> float:
    pt = normalize(pred).split()
    best = 0.0
    for g in golds:
        gt = normalize(g).split()
        common = Counter(pt) & Counter(gt)
        same = sum(common.values())
        if not pt or not gt or same == 0:
            continue
        prec, rec = same / len(pt), same / len(gt)
        best = max(best, 2 * prec * rec / (prec + rec))
    return best


_NUMBER_WORDS = {w: v for w, v in number_words().items() if " " not in w and v > 0}


def contains_answer(text: str, alternatives: list[str]) -> bool:
    """Does ``text`` contain one of the alternatives (normalized; diacritic-folded as a fallback)?"""
    t = f" {normalize(text)} "
    tf = fold(t)
    for a in alternatives:
        n = normalize(a)
        if not n:
            continue
        if f" {n} " in t or (len(n) > 3 and n in t) or f" {fold(n)} " in tf:
            return True
        # a gold answer that is a number word ("six", "sáu") is the same fact as its digits
        if n in _NUMBER_WORDS and f" {_NUMBER_WORDS[n]} " in t:
            return True
        if n.isdigit() and re.search(rf" (?:{n}(?:st|nd|rd|th)|thứ {n}) ", t):  # "48" is said as "the 48th session"
            return True
    return False


def key_fact_score(text: str, facts: list[list[str]]) -> float:
    return sum(contains_answer(text, alts) for alts in facts) / len(facts) if facts else 0.0


def _dcg(rels: list[int]) -> float:
    return sum(r / math.log2(i + 2) for i, r in enumerate(rels))


def retrieval_metrics(ranked_docs: list[str], ranked_texts: list[str], item: EvalItem) -> dict:
    def rel(i):
        if ranked_docs[i] in item.gold_docs:
            return 1
        if item.gold_passage and normalize(item.gold_passage)[:200] in normalize(ranked_texts[i]):
            return 1
        return 0

    rels = [rel(i) for i in range(len(ranked_docs))]
    first = next((i for i, r in enumerate(rels) if r), None)
    ideal = _dcg(sorted(rels[:10], reverse=True)) or _dcg([1])
    return {
        "hit@1": float(first is not None and first < 1),
        "hit@3": float(first is not None and first < 3),
        "hit@5": float(first is not None and first < 5),
        "mrr": 1.0 / (first + 1) if first is not None else 0.0,
        "ndcg@10": _dcg(rels[:10]) / max(ideal, 1e-9) if any(rels[:10]) else 0.0,
    }


def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    v = sorted(values)
    i = min(len(v) - 1, max(0, math.ceil(q * len(v)) - 1))
    return v[i]


def _mean(xs):
    xs = [x for x in xs if x is not None]
    return round(statistics.fmean(xs), 4) if xs else None
