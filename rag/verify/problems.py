"""The checker's vocabulary: what kind of problem a claim has, and how well a mention is supported."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Kind(str, Enum):
    """What is wrong with a claim. The value is the stable name used in JSON, reports and the benchmark."""

    NUMBER = "number"                  # a count or a figure no source states
    AMOUNT = "amount"                  # a figure with a scale word or currency ("2.6 billion") the sources do not give
    PERCENT = "percent"                # a percentage the sources do not give as one
    DATE = "date"                      # a day, month or year no source states
    NAME = "name"                      # a person, organisation or other proper name the sources do not give
    PLACE = "place"                    # a country, region or language the sources do not name (CLDR knows both forms)
    OFFICE = "office"                  # a title or office the sources do not give that person, or never state
    ADDED_NEGATION = "added_negation"  # the claim says "not" where the source does not
    LOST_NEGATION = "lost_negation"    # the source says "not" and the claim does not
    WRONG_ACTOR = "wrong_actor"        # who did what to whom: the claim's actor is the source's host/counterpart
    OTHER_LANGUAGE = "other_language"  # the claim is not in the language asked for
    MIXED_LANGUAGE = "mixed_language"  # words of the other language inside the claim ("Họ cũng plan …")
    NO_FACT = "no_fact"                # nothing checkable: no figure, date or name


class Support(str, Enum):
    """How a mention of the claim stands against the sources (used by confidence, not only by the verdict)."""

    SUPPORTED = "supported"      # the sources state it (literally, as a known translation, or by its proper-noun core)
    UNVERIFIED = "unverified"    # a rendering made only of common words ("General Conference on Weights and Measures")
    WRONG = "wrong"              # it names something the sources do not (a distinctive word or a known place missing)


@dataclass(frozen=True)
class Problem:
    """One thing a claim states that its sources do not support.

    ``span`` is the claim's own text at fault ("President", "Kraków", "not"); ``detail`` a sentence for a person;
    ``repair`` the replacement text when the sources give the right one (their spelling, their title), else None.
    """

    kind: Kind
    span: str
    detail: str = ""
    repair: str | None = None

    def to_dict(self) -> dict:
        return {"kind": self.kind.value, "span": self.span, "detail": self.detail, "repair": self.repair}

    def __str__(self) -> str:
        return f"{self.kind.value}: {self.span}" + (f" ({self.detail})" if self.detail else "")

    def message(self) -> str:
        """The problem in words, for a person or a retry prompt: 'not in the sentence: Kraków'."""
        return f"{self.detail or self.kind.value}: {self.span}"


@dataclass(frozen=True)
class NameMention:
    """A proper name of a claim and its judgement against the sources."""

    text: str
    start: int
    support: Support
    missing: tuple[str, ...] = ()   # the distinctive words the sources lack (WRONG), or ()
    anchors: tuple[str, ...] = ()   # the words that tie it to the sources (SUPPORTED)
    place: bool = False             # a CLDR country/region/language


@dataclass
class Verdict:
    """Everything ``check`` found: the problems, and how each name was judged (for confidence)."""

    problems: list[Problem] = field(default_factory=list)
    names: list[NameMention] = field(default_factory=list)
    facts_checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def kinds(self) -> set[Kind]:
        return {p.kind for p in self.problems}
