"""The registered checks: each compares the claim's mentions of one kind with its sources' and yields Problems.

A check is a function ``(Claim) -> Iterable[Problem]`` added to ``CHECKS`` with ``@register``; ``rag.verify.check``
runs them all in order. Adding a kind of check is adding a function here, never a branch in a caller."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Iterable

from .. import facts
from ..lang import detect_question
from . import lexicon as lx
from .mentions import Source, cue_positions, judge_names, negation_carriers, negations
from .problems import Kind, NameMention, Problem, Support


@dataclass
class Claim:
    """A claim being checked, with what the checks share: its sources prepared once, and the name judgements."""

    text: str
    sources: list[str]
    lang: str
    src: Source
    src_langs: list[str]
    cross: bool
    aligned: bool = True  # the claim restates its sources sentence for sentence (a bullet), not an answer's extract
    names: list[NameMention] = field(default_factory=list)


Check = Callable[[Claim], Iterable[Problem]]
CHECKS: list[tuple[str, Check]] = []


def register(name: str) -> Callable[[Check], Check]:
    def deco(fn: Check) -> Check:
        CHECKS.append((name, fn))
        return fn
    return deco


# --------------------------------------------------------------------------------------------------
# figures: numbers, amounts, percentages, dates


def _figure_kind(surface: str, cf: facts.Facts) -> Kind:
    if any(surface == s for s, _ in cf.percent_items):
        return Kind.PERCENT
    if any(surface == s for s, _ in cf.date_items):
        return Kind.DATE
    if re.search(r"[A-Za-zÀ-ỹ$]", surface):  # a scale word or currency
        return Kind.AMOUNT
    if re.fullmatch(r"(?:1[0-9]|20)\d\d", surface):
        return Kind.DATE
    return Kind.NUMBER


@register("figures")
def figures(c: Claim) -> Iterable[Problem]:
    """Every number, amount, percentage and dated day of the claim must be one the sources state (in either
    language's notation: "2,6 tỷ USD" supports "US$2.6 billion", "5/2" supports "5 February")."""
    cf = facts.extract(c.text)
    for surface in facts.unsupported(c.text, c.sources, check_names=False):
        yield Problem(_figure_kind(surface, cf), surface, "not in the sources")
    # decades ("the 1960s", "những năm 1960", "thập niên 1960") and fractions ("6½")
    src_numbers = set()
    for t in c.sources:
        src_numbers |= facts.extract(t).numbers
    for m in re.finditer(r"(?<![\w.,])(\d{2,4})['’]?s\b|(?<![\w.,])(\d+)([½¼¾⅓⅔])", c.text):
        v = float(m.group(1) or m.group(2))
        if m.group(3):
            frac = {"½": 0.5, "¼": 0.25, "¾": 0.75, "⅓": 1 / 3, "⅔": 2 / 3}[m.group(3)]
            ok = any(t.find(m.group(0)) >= 0 for t in c.sources) or any(abs(n - (v + frac)) < 1e-6 for n in src_numbers)
        else:
            ok = v in src_numbers
        if not ok:
            yield Problem(Kind.DATE if m.group(1) and len(m.group(1)) == 4 else Kind.NUMBER, m.group(0),
                          "not in the sources")


_MONTH_CTX = re.compile(r"(?:\d|\b(?:in|of|since|until|by|from|to|early|late|mid|end|beginning|during|through)\s*$)",
                        re.I)


def _source_months(c: Claim) -> set[int]:
    out: set[int] = set()
    for t in c.sources:
        for m in re.finditer(lx.data()["months"]["vi_pattern"], t, re.I):
            v = next((int(g) for g in m.groups() if g), None)
            if v and 1 <= v <= 12:
                out.add(v)
        out |= lx.vi_month_words(t)
        for m in re.finditer(r"[A-Za-z]+", t):
            v = lx.months_en().get(m.group(0).lower().rstrip("."))
            if v and len(m.group(0)) >= 3:
                out.add(v)
        out |= {mo for _, mo in facts.extract(t).dates}
    return out


@register("months")
def months(c: Claim) -> Iterable[Problem]:
    """A month the claim names ("in March 1944") must be a month the sources give ("tháng 3", "3/1944", "March");
    "May" only where it is a month (next to a number, after "in", "of" …)."""
    if c.lang == "vi":
        return
    wanted = []
    for m in re.finditer(r"\b[A-Z][a-z]{2,8}\b\.?", c.text):
        v = lx.months_en().get(m.group(0).lower().rstrip("."))
        if not v or len(m.group(0).rstrip(".")) < 3:
            continue
        if m.group(0).startswith("May") or len(m.group(0).rstrip(".")) == 3:
            around = c.text[max(0, m.start() - 12):m.start()] + " " + c.text[m.end():m.end() + 6]
            if not (re.search(r"\d", c.text[m.end():m.end() + 6]) or _MONTH_CTX.search(c.text[:m.start()].rstrip()) or
                    re.search(r"\d", around)):
                continue
        wanted.append((m.group(0), v))
    if not wanted:
        return
    have = _source_months(c)
    for surface, v in wanted:
        if v not in have:
            yield Problem(Kind.DATE, surface, "a month the sources do not give")


@register("scales")
def scales(c: Claim) -> Iterable[Problem]:
    """A scale word the claim uses without a figure ("a million people", "billions of dollars") must be one the
    sources use; a scale after a figure is the figure check's."""
    words = lx.scale_words()
    src_scales = set()
    low_src = " ".join(lx.nfc(t).lower() for t in c.sources)
    for w, v in words.items():
        if re.search(rf"(?<![\wÀ-ỹ]){re.escape(w)}", low_src):
            src_scales.add(v)
    for m in re.finditer(r"(?<![\d.,]\s)(?<![\d.,])\b(thousands?|millions?|billions?|trillions?)\b", c.text, re.I):
        if re.search(r"\d\s*$", c.text[:m.start()]):
            continue
        v = words.get(m.group(1).lower().rstrip("s"))
        if v and v not in src_scales and not any(n >= v for n in facts.extract(" ".join(c.sources)).numbers):
            yield Problem(Kind.AMOUNT, m.group(0), "a scale the sources do not use")


# --------------------------------------------------------------------------------------------------
# names, places, offices


@register("names")
def names(c: Claim) -> Iterable[Problem]:
    """Each proper name is judged supported / unverified / wrong (``mentions.judge_name``); a wrong one is a
    problem, with the source's spelling as its repair when a source name is spelled almost alike."""
    for nm in judge_names(facts.CITATION.sub(" ", c.text), c.src, c.cross, c.aligned):
        c.names.append(nm)
        if nm.support is Support.WRONG:
            surface = nm.text
            fixed, done = facts.repair_names(surface, [surface], c.sources)
            yield Problem(Kind.PLACE if nm.place else Kind.NAME, surface,
                          "not in the sources: " + ", ".join(nm.missing), fixed if done else None)


@register("offices")
def offices(c: Claim) -> Iterable[Problem]:
    """A title next to a name must be the one the sources give that person; an office the sources never state
    is a problem with or without a name."""
    seen = set()
    for r in facts.unsupported_roles(c.text, c.sources):
        if r not in seen:
            seen.add(r)
            yield Problem(Kind.OFFICE, r, "a title the sources do not give this person")
    for r in facts.unstated_roles(c.text, c.sources):
        if not any(r in s.lower() for s in seen):
            yield Problem(Kind.OFFICE, r, "an office the sources never state")


# --------------------------------------------------------------------------------------------------
# polarity


@register("negation")
def negation(c: Claim) -> Iterable[Problem]:
    """The claim must negate what the sources negate, no more and no less. Explicit negations ("not", "không") are
    counted, and so are words that carry one ("failed", "discouraged", "unable"; "thiếu", "bất", "từ chối"): more
    explicit negations than the source, not matched by its negating words, is an added "not"; fewer, not made up by
    the claim's negating words, is a lost one."""
    claim_neg = negations(c.text, c.lang)
    src_neg, src_carry = [], []
    for t, lang in zip(c.sources, c.src_langs):
        src_neg += negations(t, lang)
        src_carry += negation_carriers(t, lang)
    claim_carry = negation_carriers(c.text, c.lang)
    if len(claim_neg) > len(src_neg) and len(claim_neg) + len(claim_carry) > len(src_neg) + len(src_carry):
        yield Problem(Kind.ADDED_NEGATION, claim_neg[0], "the sources do not say this did not happen")
    elif len(src_neg) > len(claim_neg) and len(src_neg) + len(src_carry) > len(claim_neg) + len(claim_carry):
        yield Problem(Kind.LOST_NEGATION, src_neg[0], "the source says this did not happen")


# --------------------------------------------------------------------------------------------------
# relations: who did what to whom


_LIST_WORDS = {"and", "or", "the", "as", "well", "nor", "both", "either"}
_PASSIVE = re.compile(r"\b(?:was|were|is|are|been|being)\s+(?:\w+ly\s+)?\w+(?:ed|en|wn|ld|ught|ng)\s+by\b", re.I)


def _subject_role(c: Claim, anchored: list[NameMention]) -> Iterable[Problem]:
    """The claim's subject (its first supported name, not after a cue, not in a passive) must not be someone the
    sources give only as host, inviter or counterpart, nor only as the one reporting ("Theo X, …") unless the claim
    has them report ("X said …")."""
    first = anchored[0]
    k = first.anchors[0]
    before = c.text[:first.start]
    claim_cues = lx.counterpart_cues(c.lang) + lx.speaker_cues(c.lang)
    if _PASSIVE.search(c.text) or cue_positions(c.text, claim_cues, [k]).get(k, (0, 0))[1] \
            or re.search(r"\b(?:by|with|of)\s+(?:the\s+)?$", before, re.I):
        return
    total = counter = speaker = 0
    for t, lang in zip(c.sources, c.src_langs):
        n, a = cue_positions(t, lx.counterpart_cues(lang), [k]).get(k, (0, 0))
        _, sp = cue_positions(t, lx.speaker_cues(lang), [k]).get(k, (0, 0))
        total += n
        counter += a
        speaker += sp
    if total and counter == total:
        yield Problem(Kind.WRONG_ACTOR, first.text, "the sources give this person as the host, inviter or "
                      "counterpart, not as the one who acted")
    elif total and speaker == total:
        words = re.findall(r"[a-z]+", c.text[first.start + len(first.text):][:40].lower())
        if not any(w in lx.speech_verbs() for w in words[:4]):
            yield Problem(Kind.WRONG_ACTOR, first.text, "the sources have this person report the event, not act in it")


@register("actor")
def actor(c: Claim) -> Iterable[Problem]:
    """Who did what to whom. The claim's subject must not be someone the sources give only as host, inviter,
    counterpart or reporter (``_subject_role``); a name's parts, and two names with an action between them ("A met
    B" over a source where B met A), must come in the sources' order (not across a genitive, a list or brackets,
    where word order turns with the language). A passive stretch ("… was hosted by X") is left alone."""
    anchored = [n for n in c.names if n.support is Support.SUPPORTED and not n.place and n.anchors]
    if not anchored:
        return
    yield from _subject_role(c, anchored)
    # inside one name the sources do not write whole ("Salerno IV of Guaimar" for "Guaimar IV của Salerno")
    for n in anchored:
        ks = [k for k in n.anchors if c.src.joined.count(f" {k} ") == 1]
        for x, y in zip(ks, ks[1:]):
            if x not in y and y not in x and c.src.position(x) > c.src.position(y) and "'" not in n.text:
                yield Problem(Kind.WRONG_ACTOR, n.text, "the sources give the parts of this name the other way round")
                return
    pairs = [(a, b) for i, a in enumerate(anchored) for b in anchored[i + 1:i + 3]]
    for a, b in pairs:
        ka, kb = a.anchors[0], b.anchors[0]
        if _PASSIVE.search(c.text[a.start:b.start + len(b.text)]):
            continue  # "A was hosted by B" says "B hosted A"
        if ka == kb or ka in kb or kb in ka:
            continue
        if c.src.joined.count(f" {ka} ") != 1 or c.src.joined.count(f" {kb} ") != 1:
            continue
        between = c.text[a.start + len(a.text):b.start]
        words = [w for w in re.findall(r"[^\W\d_]+", between) if w[0].islower() and w not in _LIST_WORDS]
        if not words or re.match(r"['’]s\b", between) or re.search(r"[;:()\[\]\"“”]", between):
            continue  # "X's Y" ("Y của X"), a list ("A, B and C"), a parenthesis: order may turn
        if c.src.position(ka) > c.src.position(kb):
            yield Problem(Kind.WRONG_ACTOR, f"{a.text} … {b.text}",
                          "the sources give these two the other way round")
            return


# --------------------------------------------------------------------------------------------------
# language


@register("language")
def language(c: Claim) -> Iterable[Problem]:
    """The claim must be in its language, without words of the other (names and quoted titles aside)."""
    if c.lang not in ("en", "vi"):
        return
    if len(c.text.split()) >= 4 and detect_question(c.text) != c.lang:
        yield Problem(Kind.OTHER_LANGUAGE, c.text[:40], f"not in {'English' if c.lang == 'en' else 'Vietnamese'}")
        return
    other = facts.other_language_words(c.text, c.lang)
    if other:
        yield Problem(Kind.MIXED_LANGUAGE, ", ".join(other[:4]), "words of the other language")
