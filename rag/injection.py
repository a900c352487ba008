"""Text aimed at the model rather than at readers (prompt injection): the patterns, as data.

``rag/data/injection_patterns.json`` holds one entry per attack family and language (its pattern, one example it
must catch and one news-like hard negative it must not, and the round it was written in). ``INJECTION`` is their
alternation, matched on text with invisible characters removed and NFKC applied (``normalized``).
``evals/injection_detection.py`` measures them beside the sentence-vector probe on attacks neither was tuned on."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PATTERNS_FILE = Path(__file__).with_name("data") / "injection_patterns.json"
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")


@dataclass(frozen=True)
class Pattern:
    id: str
    family: str
    lang: str
    round: int
    pattern: str
    positive: str
    hard_negative: str
    note: str = ""

    @property
    def regex(self) -> re.Pattern:
        return re.compile(self.pattern, re.I | re.M)


@lru_cache(maxsize=1)
def patterns() -> tuple[Pattern, ...]:
    """Every entry of the patterns file, in order."""
    data = json.loads(PATTERNS_FILE.read_text(encoding="utf-8"))
    return tuple(Pattern(**e) for e in data["entries"])


INJECTION = re.compile("|".join(p.pattern for p in patterns()), re.I | re.M)


def normalized(text: str) -> str:
    """``text`` with invisible characters removed and compatibility forms folded (NFKC)."""
    return unicodedata.normalize("NFKC", _INVISIBLE.sub("", text))


def carries_instructions(text: str) -> list[str]:
    """The passages of ``text`` that address the model, for the flag that names them."""
    return [m.group(0).strip() for m in INJECTION.finditer(normalized(text))]


def families(text: str) -> list[str]:
    """The families of the patterns ``text`` matches (for reports)."""
    t = normalized(text)
    return sorted({p.family for p in patterns() if p.regex.search(t)})
