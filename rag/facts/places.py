"""Place names across English and Vietnamese: hand aliases, CLDR territory and language names (Babel), country keys."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from ..lexical import fold

LEXICON_FILE = __import__("pathlib").Path(__file__).resolve().parent.parent / "data" / "lexicon.json"


@lru_cache(maxsize=1)
def lexicon() -> dict:
    """The project's lexicon (``rag/data/lexicon.json``: offices, scale words, negation, relation cues, place
    aliases …, each section naming its source), read once. ``rag.verify.lexicon`` gives typed access to it."""
    import json

    return json.loads(LEXICON_FILE.read_text(encoding="utf-8"))

# name aliases across English/Vietnamese (folded, lower-case)
ALIASES = {
    "laos": "lao", "vietnam": "viet nam", "cambodia": "campuchia", "thailand": "thai lan", "china": "trung quoc",
    "japan": "nhat ban", "korea": "han quoc", "south korea": "han quoc", "russia": "nga", "france": "phap",
    "germany": "duc", "united states": "hoa ky", "us": "hoa ky", "america": "my", "india": "an do",
    "singapore": "singapore", "indonesia": "indonesia", "malaysia": "malaysia", "philippines": "philippines",
    "myanmar": "myanmar", "asean": "asean", "mekong": "mekong", "southeast asia": "dong nam a",
    "vientiane": "vieng chan", "vietnamese": "viet nam", "united kingdom": "vuong quoc anh",
    "cambodian": "campuchia", "thai": "thai lan", "chinese": "trung quoc", "japanese": "nhat ban", "korean": "han quoc",
    "russian": "nga", "french": "phap", "german": "duc", "american": "hoa ky", "indian": "an do", "lao": "lao", "laotian": "lao", "hanoi": "ha noi", "ho chi minh city": "thanh pho ho chi minh",
}

@lru_cache(maxsize=1)
def _cldr() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(territory, language) name pairs (English, Vietnamese) from the Unicode CLDR via Babel, read once; empty
    when Babel or its data is missing (the hand-written ``ALIASES`` alone then)."""
    try:
        from babel import Locale

        en, vi = Locale("en"), Locale("vi")
        return ([(en.territories[k], vi.territories.get(k) or "") for k in en.territories if k != "001"],
                [(en.languages[k], vi.languages.get(k) or "") for k in en.languages])
    except Exception:
        return [], []


@lru_cache(maxsize=1)
def cldr_aliases() -> dict[str, str]:
    """English -> Vietnamese names of countries, regions and languages from the Unicode CLDR (Babel), folded and
    lower-case: "united nations" -> "lien hop quoc", "european union" -> "lien minh chau au", "north america" ->
    "bac my", "portuguese" -> "bo dao nha". Exact renderings only: "East Asia" is not "Đông Nam Á". Used to accept a
    translated name, never to reject one (``ALIASES``, written by hand, decides which places a question may not
    adopt)."""
    territories, languages = _cldr()
    pairs = list(territories)
    for e, v in languages:  # "Portuguese" -> "Bồ Đào Nha"; a one-word name keeps "tiếng" ("tiếng Anh", not "anh")
        rest = re.sub(r"^(?i:tiếng)\s+", "", v)
        pairs.append((e, rest if len(rest.split()) > 1 else v))
    out: dict[str, str] = {}
    for e, v in pairs:
        if not e or not v or re.search(r"[()\-–&]", e):
            continue
        ek, vk = fold(e).lower().strip(), fold(v).lower().strip()
        if ek != vk and len(ek) > 2:
            out.setdefault(ek, vk)
    return out


@lru_cache(maxsize=1)
def _cldr_vi_names() -> list[tuple[str, str]]:
    """(lower-case Vietnamese name, with its tone marks, English name) of the CLDR territories named in two or more
    words, longest first."""
    names = {(unicodedata.normalize("NFC", v).lower(), e) for e, v in _cldr()[0]
             if e and len(v.split()) >= 2 and not re.search(r"[()\-–&]", e + v)}
    return sorted(names, key=lambda x: (-len(x[0]), x[0]))  # ties in a fixed order: the prompt is reproducible


def english_names_in(text: str) -> list[tuple[str, str]]:
    """The country, region and organisation names of a Vietnamese ``text`` that the CLDR renders in English, as
    (the text's own words, English name): "Đông Nam Á" -> "Southeast Asia", "Liên minh châu Âu" -> "European
    Union". Names of two or more words only (a one-syllable "Đức" or "Nga" is as often part of a person's name),
    longest first, each span once: a glossary for the model, never a check. Matched with the tone marks: folded,
    "bài viết năm 1999" would name "Việt Nam"."""
    text = unicodedata.normalize("NFC", text)
    folded = text.lower()
    if len(folded) != len(text):
        return []
    taken: list[tuple[int, int]] = []
    out: list[tuple[str, str]] = []
    for vf, e in _cldr_vi_names():
        for m in re.finditer(rf"(?<!\w){re.escape(vf)}(?!\w)", folded):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            taken.append((m.start(), m.end()))
            surface = text[m.start():m.end()]
            if (surface, e) not in out:
                out.append((surface, e))
    return out


def country_key(word: str | None) -> str | None:
    """'Vietnamese', 'Vietnam', 'Việt Nam' -> 'viet nam'; None for a word that names no known country."""
    if not word:
        return None
    w = fold(re.sub(r"['’]s$", "", re.split(r"[-–]", word.strip())[0])).lower()
    w = re.sub(r"^(?:the|a|an)\s+", "", w)  # "the Vietnamese ambassador": the article is not the country
    if w in ALIASES:
        return ALIASES[w]
    if w in ALIASES.values():
        return w
    first = w.split()[0] if w.split() else ""
    if first in ALIASES:
        return ALIASES[first]
    return first if first in ALIASES.values() else None


_VI_PLACES = {v for k, v in ALIASES.items() if k != v and v not in ALIASES} | {"lao"}  # "Lào" (non-ASCII only)
