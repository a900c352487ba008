"""The claim checker: does a claim say only what its sources say?

Contract::

    check(claim, sources, lang) -> list[Problem]     # empty: every checkable part of the claim is supported
    verdict(claim, sources, lang) -> Verdict         # the problems, plus each name's supported/unverified/wrong

``claim`` is one sentence or bullet (citation markers ``[n]`` are ignored), ``sources`` the texts it may rest on
(its cited sentence, or passages, plus context such as the article's title and date), ``lang`` the language the
claim must be in ("en", "vi"; anything else skips the language check). Sources may be in another language: names,
figures, dates, offices and negations are compared across English and Vietnamese. A ``Problem`` has a ``kind``
(``Kind``), the claim's ``span`` at fault, a ``detail`` for people and, when the sources give the right text, a
``repair``. The checks are the functions registered in ``rag.verify.checks.CHECKS``; their knowledge is
``rag/verify/data/lexicon.json`` plus CLDR (Babel) and Webster's Second (english-words). Measured by
``evals/verify_bench.py``.
"""

from __future__ import annotations

from ..lang import detect_question
from .checks import CHECKS, Claim
from .mentions import Source
from .problems import Kind, NameMention, Problem, Support, Verdict

__all__ = ["check", "verdict", "repair", "respell", "names", "wrong_names", "Problem", "Kind", "Support", "Verdict", "NameMention", "CHECKS"]


def verdict(claim: str, sources: list[str], lang: str, skip: frozenset[str] = frozenset(),
            aligned: bool = True) -> Verdict:
    """Run every registered check (except those named in ``skip``) and return problems and name judgements.

    ``aligned``: the claim restates its sources sentence for sentence (a bullet and its sentence); False for a
    short answer drawn from longer passages (names the claim leaves out are then no evidence against it)."""
    src_langs = [detect_question(s) for s in sources]
    c = Claim(claim, list(sources), lang, Source.of(list(sources)), src_langs,
              cross=any(sl != lang for sl in src_langs), aligned=aligned)
    v = Verdict()
    for name, fn in CHECKS:
        if name in skip:
            continue
        for p in fn(c):
            if not any(p.kind == q.kind and p.span == q.span for q in v.problems):
                v.problems.append(p)
    v.names = c.names
    from .. import facts
    v.facts_checked = facts.fact_count(claim)
    return v


def check(claim: str, sources: list[str], lang: str) -> list[Problem]:
    """The problems of ``claim`` against ``sources``; an empty list means supported (see the module docstring)."""
    return verdict(claim, sources, lang).problems


def repair(claim: str, sources: list[str], lang: str) -> tuple[str, list[tuple[str, str]]]:
    """``claim`` with the sources' own text put where it differs (``rag.verify.repairs.STRATEGIES``)."""
    from .repairs import repair as _repair

    return _repair(claim, sources, lang)


def names(claim: str, sources: list[str], lang: str, aligned: bool = False) -> list[NameMention]:
    """Each proper name of ``claim`` judged supported / unverified / wrong against ``sources`` (the names check
    alone, as an answer's check uses it; ``aligned`` as in ``verdict``)."""
    only = frozenset(name for name, _ in CHECKS if name != "names")
    return verdict(claim, sources, lang, skip=only, aligned=aligned).names


def wrong_names(claim: str, sources: list[str], lang: str, aligned: bool = False) -> list[str]:
    """The names of ``claim`` judged wrong against ``sources``."""
    return [n.text for n in names(claim, sources, lang, aligned) if n.support is Support.WRONG]


def respell(claim: str, sources: list[str]) -> tuple[str, list[tuple[str, str]]]:
    """Words of a name spelled almost like a name the sources spell ("Siphandon") take their spelling."""
    from .repairs import respell as _respell

    return _respell(claim, sources)
