"""Repairs before a verdict: an ordered list of strategies, each rewriting what the sources give the right text for.

A strategy is ``(claim, sources, lang) -> (claim, [(old, new), ...])``; ``repair`` applies them in ``STRATEGIES``
order. They only ever take the sources' own text (their spelling of a name, their title for a person, the English
name of a place written the Vietnamese way); anything else stays for ``check`` to report."""

from __future__ import annotations

import re
from typing import Callable

from .. import facts

Strategy = Callable[[str, list[str], str], tuple[str, list[tuple[str, str]]]]


def respell(claim: str, sources: list[str]) -> tuple[str, list[tuple[str, str]]]:
    """Each capitalized word of ``claim`` that the sources do not write but spell almost alike (one name word of
    5+ letters, similarity ≥ 0.85 with diacritics folded: "Siphandon" ~ "Siphandone") takes their spelling."""
    from difflib import SequenceMatcher

    from . import lexicon as lx

    src_words: dict[str, str] = {}
    for t in sources:
        for w in re.findall(r"[\wÀ-ỹĐđ'’-]+", t):
            if w[:1].isupper():
                src_words.setdefault(lx.key(w), w)
    done = []
    for w in dict.fromkeys(x for x in re.findall(r"\b[\wÀ-ỹ'’-]{5,}", claim) if x[0].isupper()):
        k = lx.key(w)
        if k in src_words or not k or lx.vietnamese_syllable(w):
            continue  # "Trong" is not a misspelt "Tổng": one syllable apart is another name
        best = max(((SequenceMatcher(None, k, sk).ratio(), sw) for sk, sw in src_words.items()
                    if sk[:1] == k[:1] and abs(len(sk) - len(k)) <= 2), default=(0.0, ""))
        if best[0] >= 0.85:
            claim = re.sub(rf"(?<![\w]){re.escape(w)}(?![\w])", best[1], claim)
            done.append((w, best[1]))
    return claim, done


def source_spelling(claim: str, sources: list[str], lang: str) -> tuple[str, list[tuple[str, str]]]:
    """A name spelled almost like one the sources spell ("Sonexay Siphandon") takes their spelling."""
    claim, done = respell(claim, sources)
    from . import check
    from .problems import Kind

    bad = [p.span for p in check(claim, sources, lang) if p.kind in (Kind.NAME, Kind.PLACE)]
    if not bad:
        return claim, done
    claim, more = facts.repair_names(claim, bad, sources)
    return claim, done + more


def source_title(claim: str, sources: list[str], lang: str) -> tuple[str, list[tuple[str, str]]]:
    """A wrong title before a name becomes the one the sources state ("President Tô Lâm" -> "General Secretary
    Tô Lâm" where they say Tổng Bí thư); an envoy's wrong countries are dropped."""
    return facts.repair_roles(claim, sources)


def english_places(claim: str, sources: list[str], lang: str) -> tuple[str, list[tuple[str, str]]]:
    """In an English claim, a place or title written the Vietnamese way gets its English name ("Lào" -> "Laos")."""
    return facts.repair_places(claim) if lang == "en" else (claim, [])


STRATEGIES: list[Strategy] = [source_spelling, source_title, english_places]


def repair(claim: str, sources: list[str], lang: str) -> tuple[str, list[tuple[str, str]]]:
    """``claim`` with every strategy applied in order, and the (old, new) rewrites made."""
    done: list[tuple[str, str]] = []
    for strategy in STRATEGIES:
        claim, d = strategy(claim, sources, lang)
        done += d
    return claim, done
