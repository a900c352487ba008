"""Repairs before a verdict: an ordered list of strategies, each rewriting what the sources give the right text for.

A strategy is ``(claim, sources, lang) -> (claim, [(old, new), ...])``; ``repair`` applies them in ``STRATEGIES``
order. They only ever take the sources' own text (their spelling of a name, their title for a person, the English
name of a place written the Vietnamese way); anything else stays for ``check`` to report."""

from __future__ import annotations

from typing import Callable

from .. import facts

Strategy = Callable[[str, list[str], str], tuple[str, list[tuple[str, str]]]]


def source_spelling(claim: str, sources: list[str], lang: str) -> tuple[str, list[tuple[str, str]]]:
    """A name spelled almost like one the sources spell ("Sonexay Siphandon") takes their spelling."""
    from . import check
    from .problems import Kind

    bad = [p.span for p in check(claim, sources, lang) if p.kind in (Kind.NAME, Kind.PLACE)]
    return facts.repair_names(claim, bad, sources) if bad else (claim, [])


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
