"""The checker's knowledge, loaded once: ``rag/data/lexicon.json`` (scale words, negation, relation cues, function
words — each section names its source), the Unicode CLDR through Babel (countries, regions, languages in English and
Vietnamese) and Webster's Second word list from ``english-words`` (is an English word a common word, which a
translation may render in its own words, or a proper name, which it keeps)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from ..lexical import fold


def data() -> dict:
    """The lexicon file (``rag/data/lexicon.json``) as a dict, read once."""
    from ..facts.places import lexicon

    return lexicon()


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def key(s: str) -> str:
    """A name's comparison key: diacritics folded, lower case, words only ("Tô Lâm" -> "to lam")."""
    return " ".join(re.findall(r"\w+", fold(s).lower()))


@lru_cache(maxsize=1)
def scale_words() -> dict[str, float]:
    return {nfc(k): float(v) for k, v in data()["scale_words"]["entries"].items()}


@lru_cache(maxsize=1)
def function_words() -> frozenset[str]:
    return frozenset(data()["function_words_en"]["entries"])


@lru_cache(maxsize=1)
def months_en() -> dict[str, int]:
    """English month names, wide and abbreviated (CLDR via Babel) -> 1..12."""
    out: dict[str, int] = {}
    try:
        from babel import Locale

        loc = Locale("en")
        for width in ("wide", "abbreviated"):
            for n, name in loc.months["format"][width].items():
                out[name.lower().rstrip(".")] = n
    except Exception:  # Babel without data: the English names are fixed
        for n, name in enumerate("january february march april may june july august september october november "
                                 "december".split(), 1):
            out[name] = n
    return out


@lru_cache(maxsize=1)
def _web2() -> frozenset[str]:
    try:
        from english_words import get_english_words_set

        return frozenset(get_english_words_set(["web2"]))
    except Exception:
        return frozenset()


def _lemmas(w: str) -> list[str]:
    w = w.lower().removesuffix("'s").removesuffix("’s")
    out = [w]
    for suf, rep in (("ies", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"), ("d", ""), ("ing", ""),
                     ("ing", "e"), ("ers", ""), ("er", "")):
        if w.endswith(suf) and len(w) - len(suf) >= 3:
            out.append(w[: len(w) - len(suf)] + rep)
    return out


@lru_cache(maxsize=65536)
def common_english(word: str) -> bool:
    """Is ``word`` (any case) an English common word — listed in lower case in Webster's Second, directly or after
    removing an inflection ("Weights" -> "weight", "Uprising" -> "uprising")? Proper names are listed capitalized or
    not at all ("Warsaw", "Saxon", "Thongloun"). Without the word list every word counts as a proper name."""
    web2 = _web2()
    parts = [p for p in re.split(r"[-–]", word) if p]
    if len(parts) > 1:
        return all(common_english(p) for p in parts)
    return any(l in web2 for l in _lemmas(word))


@lru_cache(maxsize=1)
def cldr_pairs() -> list[tuple[str, str]]:
    """(English, Vietnamese) names of CLDR territories and languages; a language's Vietnamese name without its
    "tiếng" when the rest is two syllables or more ("Portuguese" -> "Bồ Đào Nha")."""
    try:
        from babel import Locale

        en, vi = Locale("en"), Locale("vi")
        pairs = [(en.territories[k], vi.territories.get(k) or "") for k in en.territories if k != "001"]
        for k in en.languages:
            v = vi.languages.get(k) or ""
            rest = re.sub(r"^(?i:tiếng)\s+", "", v)
            pairs.append((en.languages[k], rest if len(rest.split()) > 1 else v))
        return [(e, v) for e, v in pairs if e and v and not re.search(r"[\-–&]", e)]
    except Exception:
        return []


@lru_cache(maxsize=1)
def _vi_month_pattern() -> tuple[re.Pattern | None, dict[str, int]]:
    words = {nfc(k): int(v) for k, v in data()["months"].get("vi_words", {}).items()}
    if not words:
        return None, words
    alt = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![\wÀ-ỹ])(?i:tháng)\s+((?i:{alt}))(?![\wÀ-ỹ])"), words


def vi_month_words(text: str) -> set[int]:
    """Months ``text`` writes as "tháng" and a capitalized number word ("tháng Năm" = 5, "tháng Mười Hai" = 12,
    "tháng Giêng" = 1); lower case "tháng năm" (months and years) is not a date."""
    pat, words = _vi_month_pattern()
    if pat is None:
        return set()
    return {words[m.group(1).lower()] for m in pat.finditer(nfc(text)) if m.group(1)[0].isupper()}


@lru_cache(maxsize=1)
def calendar_words() -> frozenset[str]:
    """English month and weekday names (CLDR via Babel), lower case: dates, never names."""
    out = set(months_en())
    try:
        from babel import Locale

        for width in ("wide", "abbreviated"):
            out |= {v.lower().rstrip(".") for v in Locale("en").days["format"][width].values()}
    except Exception:
        pass
    return frozenset(out)


@lru_cache(maxsize=1)
def honorifics() -> frozenset[str]:
    return frozenset(data()["honorifics"]["entries"])


@lru_cache(maxsize=1)
def places() -> dict[str, set[str]]:
    """English place/language name key -> the keys it may be written as (itself, its Vietnamese CLDR name, the
    country of a demonym: "french" -> {"french", "phap", "tieng phap", "france"}). One-syllable Vietnamese names
    ("Pháp", "Nga") count: a name judged here is already known to be a place."""
    out: dict[str, set[str]] = {}
    for e, v in cldr_pairs():
        # "Myanmar (Burma)" / "Myanmar (Miến Điện)": each form names the place
        es = [x.strip() for x in re.split(r"[()]", e) if x.strip()]
        vs = [x.strip() for x in re.split(r"[()]", v) if x.strip()]
        for ek in map(key, es):
            if len(ek) <= 2:
                continue
            s = out.setdefault(ek, {ek})
            for vk in map(key, vs + es):
                s.add(vk)
                s.add(vk.removeprefix("tieng ").strip())
    for ek, vks in data()["place_aliases"]["entries"].items():
        out.setdefault(ek, {ek}).update(vks)
    return out


def negation(lang: str) -> tuple[list[str], list[str]]:
    """(negation cues, compounds that contain a cue but negate nothing) for ``lang`` ("en" or "vi")."""
    d = data()["negation"]
    lang = "vi" if lang == "vi" else "en"
    return [nfc(x) for x in d[lang]], [nfc(x) for x in d[f"{lang}_not_negating"]]


def negation_tags(lang: str) -> list[str]:
    """Compounds that negate nothing only at a clause's end ("… có hay không?", "whether or not")."""
    return [nfc(x) for x in data()["negation"].get(f"{lang}_not_negating_at_clause_end", [])]


def negation_carriers(lang: str) -> list[str]:
    d = data()["negation"]
    return [nfc(x) for x in d["vi_carriers" if lang == "vi" else "en_carriers"]]


def negative_prefixes() -> list[str]:
    return list(data()["negation"]["en_prefixes"])


def counterpart_cues(lang: str) -> list[str]:
    """Phrases after which a person is the host, inviter or counterpart, not the actor (longest first); a trailing
    " +" means a capitalized word must follow ("tiếp Chủ tịch …", not "tiếp tục")."""
    d = data()["relations"]
    return sorted((nfc(x) for x in d["counterpart_before_vi" if lang == "vi" else "counterpart_before_en"]),
                  key=len, reverse=True)


def speaker_cues(lang: str) -> list[str]:
    """Phrases after which a person reports the sentence rather than acts in it ("Theo X, …", "according to X")."""
    return [nfc(x) for x in data()["relations"]["speaker_before_vi" if lang == "vi" else "speaker_before_en"]]


@lru_cache(maxsize=1)
def speech_verbs() -> frozenset[str]:
    return frozenset(data()["relations"]["speech_verbs_en"])


@lru_cache(maxsize=1)
def _syllable() -> re.Pattern:
    return re.compile(data()["vietnamese_syllable"]["pattern"])


def vietnamese_syllable(word: str) -> bool:
    """Is ``word`` spelled as one Vietnamese syllable (tone marks ignored): "Uy", "Nguyên", "Lâm" yes; "Rollo",
    "Java", "Champa" no."""
    return bool(_syllable().fullmatch(fold(nfc(word)).lower()))


@lru_cache(maxsize=1)
def currency_codes() -> frozenset[str]:
    """ISO 4217 currency codes (CLDR via Babel): "USD", "VND" are amounts' units, not names."""
    try:
        from babel.numbers import list_currencies

        return frozenset(list_currencies())
    except Exception:
        return frozenset({"USD", "VND", "EUR"})


@lru_cache(maxsize=1)
def office_words() -> frozenset[str]:
    """English words of the offices the office check knows ("ambassador", "prime", "minister"): a title, not a name."""
    from .. import facts

    forms = [f for forms in facts.ROLES.values() for f in forms if all(common_english(w) for w in f.split())
             and not all(vietnamese_syllable(w) for w in f.split())]  # "tong thong" is Vietnamese
    return frozenset(w for f in list(facts.ROLES) + forms for w in f.split() if w not in ("of", "the"))


@lru_cache(maxsize=1)
def directions() -> dict[str, str]:
    """English compass words -> their Vietnamese (folded) form, composing with a place name."""
    return dict(data()["directions"]["entries"])
