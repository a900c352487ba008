"""Checkable facts in text — numbers, percentages, money, dates, names — and cross-language matching.

Used by citation validation (answers) and faithfulness checks (summaries, briefings) alike.
"2,6 tỷ USD" supports "US$2.6 billion"; "5/2" supports "5 February"; "Tô Lâm" supports "To Lam".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from .lexical import fold

_SCALE_WORDS = {
    "nghìn": 1e3, "ngàn": 1e3, "thousand": 1e3, "k": 1e3,
    "triệu": 1e6, "million": 1e6, "mn": 1e6, "m": 1e6,
    "tỷ": 1e9, "tỉ": 1e9, "billion": 1e9, "bn": 1e9, "b": 1e9,
    "nghìn tỷ": 1e12, "trillion": 1e12,
}
MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
    "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9,
    "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}
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


_NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen "
    "eighteen nineteen twenty".split())}
_NUMBER_WORDS.update({"thirty": 30, "forty": 40, "fifty": 50, "hundred": 100, "a hundred": 100, "dozen": 12,
                      "một": 1, "hai": 2, "ba": 3, "bốn": 4, "sáu": 6, "bảy": 7, "tám": 8, "chín": 9,
                      "mười": 10, "mười một": 11, "mười hai": 12, "hai mươi": 20, "ba mươi": 30, "trăm": 100,
                      "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
                      "eighth": 8, "ninth": 9, "tenth": 10, "thứ nhất": 1, "thứ hai": 2, "thứ ba": 3})  # not "tư": "đầu tư", "tư pháp"
_NUM = r"\d+(?:[.,]\d+)*"


def number_words() -> dict[str, int]:
    """Small numbers written as words, English and Vietnamese ("four", "bốn") -> value."""
    return dict(_NUMBER_WORDS)
_RE_DATE_DM = re.compile(rf"\b(\d{{1,2}})(?:\s*[–-]\s*(\d{{1,2}}))?/(\d{{1,2}})(?:/(\d{{4}}))?\b")
_RE_DATE_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
_ORD = r"(?:st|nd|rd|th)?"
_RE_DATE_EN1 = re.compile(rf"\b({_MONTH_NAMES})\.?\s+(\d{{1,2}}){_ORD}(?:\s*(?:[–-]|and|to)\s*(\d{{1,2}}){_ORD})?\b", re.I)
_RE_DATE_EN2 = re.compile(rf"\b(\d{{1,2}}){_ORD}(?:\s*(?:[–-]|and|to)\s*(\d{{1,2}}){_ORD})?\s+(?:of\s+)?({_MONTH_NAMES})\b", re.I)
_RE_DATE_VI = re.compile(r"\bngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\b", re.I)
_RE_MONTH_VI = re.compile(r"\btháng\s+(\d{1,2})(?:/(\d{4}))?\b", re.I)
_RE_NUMBER = re.compile(rf"(?<![\w/]){_NUM}(?![\w/])(\s*%)?(\s*(?:nghìn tỷ|nghìn|ngàn|triệu|tỷ|tỉ|trillion|billion|million|thousand|bn|mn)\b)?",
                        re.I)
_RE_NAME = re.compile(r"\b(?:[A-ZĐÀ-Ỹ][\wÀ-ỹ'’-]+)(?:\s+[A-ZĐÀ-Ỹ][\wÀ-ỹ'’-]+)+")


def number_values(token: str) -> set[float]:
    """Both plausible readings of a number token: '2,6' -> {2.6, 26}; '10.000' -> {10000, 10.0}; '1,200' -> {1200, 1.2}."""
    vals: set[float] = set()
    for dec, thou in ((",", "."), (".", ",")):
        t = token
        if thou in t:
            groups = t.split(thou)
            if all(len(g) == 3 for g in groups[1:]):
                t = t.replace(thou, "")
        if t.count(dec) == 1:
            t = t.replace(dec, ".")
        elif dec in t:
            continue
        try:
            vals.add(float(t))
        except ValueError:
            pass
    return vals


@dataclass
class Facts:
    numbers: set[float] = field(default_factory=set)  # every value reading, scaled and unscaled
    number_items: list[tuple[str, set[float]]] = field(default_factory=list)  # (surface, values) to check
    dates: set[tuple[int, int]] = field(default_factory=set)  # (day, month)
    date_items: list[tuple[str, set[tuple[int, int]]]] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    folded_text: str = ""
    percents: set[float] = field(default_factory=set)  # values written with "%" / "percent" / "phần trăm"
    percent_items: list[tuple[str, set[float]]] = field(default_factory=list)


CITATION = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")


@lru_cache(maxsize=4096)
def extract(text: str) -> Facts:
    """Facts of ``text`` (cached: treat the result as read-only)."""
    text = CITATION.sub(" ", text)
    f = Facts(folded_text=_folded_words(text))
    date_spans: list[tuple[int, int]] = []

    def add_date(surface, pairs, span):
        f.dates |= pairs
        f.date_items.append((surface, pairs))
        date_spans.append(span)
        for d, m in pairs:
            f.numbers |= {float(d), float(m)}

    for m in _RE_DATE_DM.finditer(text):
        d1, d2, mo = int(m.group(1)), m.group(2), int(m.group(3))
        if 1 <= mo <= 12 and 1 <= d1 <= 31:
            pairs = {(d1, mo)} | ({(int(d2), mo)} if d2 else set())
            add_date(m.group(0), pairs, m.span())
            if m.group(4):
                f.numbers.add(float(m.group(4)))
    for m in _RE_DATE_ISO.finditer(text):
        add_date(m.group(0), {(int(m.group(3)), int(m.group(2)))}, m.span())
        f.numbers.add(float(m.group(1)))
    for m in _RE_DATE_EN1.finditer(text):
        mo = MONTHS[m.group(1).lower()]
        pairs = {(int(m.group(2)), mo)} | ({(int(m.group(3)), mo)} if m.group(3) else set())
        add_date(m.group(0), pairs, m.span())
    for m in _RE_DATE_EN2.finditer(text):
        mo = MONTHS[m.group(3).lower()]
        pairs = {(int(m.group(1)), mo)} | ({(int(m.group(2)), mo)} if m.group(2) else set())
        add_date(m.group(0), pairs, m.span())
    for m in _RE_DATE_VI.finditer(text):
        add_date(m.group(0), {(int(m.group(1)), int(m.group(2)))}, m.span())
    for m in _RE_MONTH_VI.finditer(text):  # "tháng 5/1756": May, and the year 1756
        f.numbers.add(float(m.group(1)))
        if m.group(2):
            f.numbers.add(float(m.group(2)))
    # Roman numerals ("Đại hội lần thứ XIV") support ordinals ("14th")
    for m in re.finditer(r"\b[IVXLC]{2,7}\b", text):
        v = _roman(m.group(0))
        if v:
            f.numbers.add(float(v))
    for m in re.finditer(r"\b(\d+)(?:st|nd|rd|th)\b", text):
        f.number_items.append((m.group(0), {float(m.group(1))}))
        f.numbers.add(float(m.group(1)))
    # small numbers written as words support the digits ("bốn lần" / "four times" -> "4 times"); only as
    # support: a claim's number words are not checked. "năm" (five / year) is left out: it is nearly always "year".
    for m in re.finditer(r"(?<!\w)(" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")(?!\w)", text, re.I):
        f.numbers.add(float(_NUMBER_WORDS[m.group(1).lower()]))
    # month names alone ("in January 2026") support a numeric month
    for m in re.finditer(rf"\b({_MONTH_NAMES})\b", text, re.I):
        f.numbers.add(float(MONTHS[m.group(1).lower()]))

    for m in _RE_NUMBER.finditer(text):
        if any(a <= m.start() < b for a, b in date_spans):
            continue
        raw = m.group(0).strip()
        tok = re.match(_NUM, raw).group(0)
        vals = number_values(tok)
        scale_word = (m.group(2) or "").strip().lower()
        scale = _SCALE_WORDS.get(scale_word, 1.0)
        # scaled values let "2,6 tỷ" match "2.6 billion" and "2600 million"
        allv = set(vals) | {v * scale for v in vals}
        f.numbers |= allv
        f.number_items.append((raw, {v * scale for v in vals} if scale != 1.0 else set(vals)))
        if m.group(1) or re.match(r"\s*(?:percent|per cent|phần trăm)\b", text[m.end():], re.I):
            f.percents |= set(vals)
            f.percent_items.append((raw, set(vals)))
    # following number tokens may include trailing scale words in the other language; also count ordinals
    spans = []
    for m in _RE_NAME.finditer(text):
        # the character class spans lower-case accented letters too: keep only runs of capitalized words
        run: list[re.Match] = []
        for w in list(re.finditer(r"\S+", m.group(0))) + [None]:
            if w is not None and w.group(0)[0].isupper():
                run.append(w)
                if not re.search(r"['’]s$", w.group(0)):
                    continue
                # a possessive ends a name: "South Korea's Hoesung Lee" is two names, not one; a country alone
                # ("Japan's …" at the start, where a capitalized word is not otherwise a name) is still one
                if len(run) == 1:
                    key = fold(re.sub(r"['’]s$", "", w.group(0))).lower()
                    if key in ALIASES or key in cldr_aliases():
                        f.names.append(re.sub(r"['’]s$", "", w.group(0)))
            if len(run) >= 2:
                f.names.append(" ".join(x.group(0) for x in run))
                spans.append((m.start() + run[0].start(), m.start() + run[-1].end()))
            run = []
    # acronyms ("the US", "ASEAN") — Roman numerals are numbers, not names
    for m in re.finditer(r"\b[A-Z]{2,6}\b(?!\$)", text):
        if not re.fullmatch(r"[IVXLC]+", m.group(0)) and m.group(0) not in ("USD", "VND", "GDP", "CEO"):
            f.names.append(m.group(0))
    # single capitalized words inside a sentence ("... of China") are names too
    for m in re.finditer(r"\b[A-ZĐ][a-zà-ỹđ]{3,}\b", text):
        if any(a <= m.start() < b for a, b in spans):
            continue
        before = text[:m.start()].rstrip()
        if not before or before[-1] in ".!?:-•*\n\"“(" or re.search(r"(^|\n)\s*\d+[.)]$", before):
            continue
        f.names.append(m.group(0))
    return f


def _roman(s: str) -> int | None:
    vals = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
    total = 0
    for i, ch in enumerate(s):
        v = vals[ch]
        total += -v if i + 1 < len(s) and vals[s[i + 1]] > v else v
    return total if 0 < total < 400 else None


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))


def _folded_words(text: str) -> str:
    return " " + " ".join(re.findall(r"\w+", fold(text).lower())) + " "


_EN_SCALE = {"nghìn tỷ": "trillion", "nghìn": "thousand", "ngàn": "thousand", "triệu": "million", "tỷ": "billion",
             "tỉ": "billion"}
_CURRENCY_AFTER = re.compile(r"\s*(USD|VND|đồng|kip|euro|EUR|US\$|\$)", re.I)


def quantities(text: str) -> list[tuple[str, set[float], str]]:
    """The amounts and percentages ``text`` states — numbers with a scale word ("2,6 tỷ USD", "3.1 billion") or a
    percent sign — as (surface with its currency, scaled values, kind "amount" | "%"). Bare numbers (counts, days,
    ranks) are left out: two articles giving different ones rarely disagree about the same thing."""
    text = CITATION.sub(" ", text)
    out = []
    for m in _RE_NUMBER.finditer(text):
        pct, scale = m.group(1), m.group(2)
        if not (pct or scale):
            continue
        num = m.group(0)[: m.start(1) - m.start() if pct else m.start(2) - m.start()].strip()
        vals = number_values(num)
        if scale:
            f = _SCALE_WORDS.get(scale.strip().lower(), 1.0)
            vals = {v * f for v in vals}
        cur = _CURRENCY_AFTER.match(text, m.end())
        out.append((m.group(0).strip() + (cur.group(0) if cur else ""), vals, "%" if pct else "amount"))
    return out


def english_quantity(surface: str) -> str:
    """A Vietnamese amount written the English way: "3,1 tỷ USD" -> "3.1 billion USD"."""
    s = re.sub(r"(?<=\d),(?=\d{1,2}\b)", ".", surface)
    s = re.sub(r"(?<=\d)\.(?=\d{3}\b)", ",", s)
    for vi, en in _EN_SCALE.items():
        s = re.sub(rf"\b{vi}\b", en, s)
    return s.replace("đồng", "dong")


def number_supported(values: set[float], source: Facts) -> bool:
    return any(_close(v, s) for v in values for s in source.numbers)


def name_supported(name: str, source: Facts) -> bool:
    """Is ``name`` in the source, as whole words (diacritics folded, EN/VI aliases)?"""
    n = re.sub(r"['’]s\b", "", name)
    key = _folded_words(n).strip()
    if not key:
        return True
    if f" {key} " in source.folded_text:
        return True
    for alias in (ALIASES.get(key), cldr_aliases().get(key.removeprefix("the "))):
        if alias and f" {alias} " in source.folded_text:
            return True
    if n != fold(n):  # written with Vietnamese diacritics: the syllables must appear in this order
        return False
    # an English rendering may reorder a name ("Lam To"): every word must appear as a whole word
    words = key.split()
    return len(words) > 1 and all(f" {ALIASES.get(w, w)} " in source.folded_text for w in words)


_STOP_NAMES = set("""the a an in on at of and for to with by from as after before during following according
general secretary president prime minister deputy vice ambassador party state national assembly communist people
peoples revolutionary central committee congress congresses government delegation high-level level official
officials chairman chairwoman leader leaders front construction development republic democratic socialist
kingdom foreign affairs ministry ministries embassy community communities memorial monument ceremony council
vietnamese lao laotian cambodian thai chinese american japanese korean french german russian indian
southeast asia asian mekong subregion region january february march april may june july august september
october november december monday tuesday wednesday thursday friday saturday sunday both two also this these
it its he she they their his her we our during meanwhile however new year state-level""".split())


def anchored_names(text: str, sources: list[str]) -> list[str]:
    """Names in ``text`` that ``sources`` mention at least in part (a significant word of the name, or its alias).

    A name the user wrote ("the AFC Championship Game") may be rendered differently by a passage in another
    language ("trận tranh chức vô địch AFC"); a name no word of which any passage mentions ("Thailand" over
    articles about Laos) is what an unanswerable question looks like, and an answer must not adopt it.
    """
    folded = "".join(extract(s).folded_text for s in sources)
    out = []
    for name in extract(text).names:
        words = [w for w in _folded_words(name).split() if len(w) >= 3 and w not in _STOP_NAMES and not w.isdigit()]
        if any(f" {w} " in folded or f" {ALIASES.get(w, w)} " in folded for w in words):
            out.append(name)
    return out


def translatable_names(text: str, sources: list[str]) -> list[str]:
    """Names of ``text`` that may be repeated over ``sources`` in another language: all of them, except a place
    whose rendering in both languages is known (``ALIASES``) and which the sources do not mention."""
    folded = "".join(extract(s).folded_text for s in sources)
    out = []
    for name in extract(text).names:
        words = _folded_words(name).split()
        keys = [" ".join(words[i:j]) for i in range(len(words)) for j in range(i + 1, len(words) + 1)]
        known = [k for k in keys if k in ALIASES]
        if any(f" {k} " not in folded and f" {ALIASES[k]} " not in folded for k in known):
            continue
        out.append(name)
    return out


def unsupported(claim: str, sources: list[str], check_names: bool = True,
                check_numbers: bool = True) -> list[str]:
    """Facts of ``claim`` (numbers, dates, names) that none of ``sources`` supports."""
    cf = extract(claim)
    src = Facts()
    for s in sources:
        sf = extract(s)
        src.numbers |= sf.numbers
        src.dates |= sf.dates
        src.folded_text += sf.folded_text
        src.percents |= sf.percents
    bad: list[str] = []
    # a percentage must be a percentage in the sources: "2,6 tỷ USD" does not support "grew 2.6%"
    for surface, vals in cf.percent_items if check_numbers else []:
        if not any(_close(v, p) for v in vals for p in src.percents):
            bad.append(surface)
    for surface, pairs in cf.date_items if check_numbers else []:
        if not (pairs & src.dates):
            bad.append(surface)
    for surface, vals in cf.number_items if check_numbers else []:
        if re.fullmatch(r"\d{1,2}", surface) and int(surface) <= 12 and number_supported(vals, src):
            continue
        if not number_supported(vals, src):
            bad.append(surface)
    if check_names:
        for name in cf.names:
            words = [w for w in name.split() if re.sub(r"['’]s$", "", w.lower()) not in _STOP_NAMES]
            if len(words) < 2 and not any(len(w) > 3 or (len(w) > 1 and w.isupper()) for w in words):
                continue
            core = " ".join(words)
            if core and not name_supported(core, src) and not name_supported(name, src):
                bad.append(name)
    return bad


def fact_count(text: str) -> int:
    f = extract(text)
    return len(f.number_items) + len(f.date_items) + len(f.names)


# ---------------------------------------------------------------------------------------------------
# repair: a near-miss of a name the evidence spells out is rewritten to the evidence's spelling


def _name_candidates(sources: list[str]) -> list[str]:
    out: list[str] = []
    for s in sources:
        f = extract(s)
        out += f.names
        # single capitalized words and their runs, diacritics kept ("Sonexay", "Phomvihane")
        out += re.findall(r"\b[A-ZĐÀ-Ỹ][\wÀ-ỹ'’-]+(?:\s+[A-ZĐÀ-Ỹ][\wÀ-ỹ'’-]+)*", s)
    return list(dict.fromkeys(out))


def repair_names(claim: str, bad: list[str], sources: list[str], min_ratio: float = 0.8) -> tuple[str, list[tuple[str, str]]]:
    """Rewrite each of ``bad`` (names the sources lack) to the closest name the sources spell, when close enough
    (diacritic-folded similarity ≥ ``min_ratio``: "Sonexay Siphandon" → "Sonexay Siphandone").
    Returns the repaired claim and the (old, new) replacements made."""
    from difflib import SequenceMatcher

    cands = _name_candidates(sources)
    done = []
    for full in bad:
        # the name without its title words ("Prime Minister Sonexay Siphandon" -> "Sonexay Siphandon")
        name = " ".join(w for w in full.split() if re.sub(r"['’]s$", "", w.lower()) not in _STOP_NAMES) or full
        key = fold(name).lower()
        n = len(name.split())
        best, score = None, 0.0
        for c in cands:
            words = c.split()
            for i in range(0, max(1, len(words) - n + 1)):  # windows of the bad name's length
                w = " ".join(words[i:i + n])
                r = SequenceMatcher(None, key, fold(w).lower()).ratio()
                if r > score:
                    best, score = w, r
        if best and score >= min_ratio and best != name and name in claim:
            claim = claim.replace(name, best)
            done.append((name, best))
    return claim, done


# ---------------------------------------------------------------------------------------------------
# titles and roles: "President To Lam" is wrong when the sources call him General Secretary

# role -> its renderings (folded, lower case) in English and Vietnamese
ROLES = {
    "general secretary": ["general secretary", "tong bi thu"],
    "prime minister": ["prime minister", "thu tuong", "premier"],
    "president": ["president", "chu tich nuoc", "tong thong", "chu tich"],
    "ambassador": ["ambassador", "dai su"],
    "minister": ["minister", "bo truong"],
    "deputy prime minister": ["deputy prime minister", "pho thu tuong"],
    "chairman of the national assembly": ["chairman of the national assembly", "president of the national assembly",
                                          "speaker", "chu tich quoc hoi", "national assembly chairman"],
    "king": ["king", "quoc vuong", "nha vua"],
    "mayor": ["mayor", "thi truong"],
    "chair": ["chair", "chairman", "chairwoman", "chu tich"],
}
_VI_ROLE_SURFACES = ["Tổng Bí thư", "Thủ tướng", "Phó Thủ tướng", "Chủ tịch nước", "Chủ tịch Quốc hội", "Tổng thống",
                     "Đại sứ", "Bộ trưởng", "Chủ tịch", "Quốc vương", "Nhà vua", "Thị trưởng"]
_ROLE_WORDS = sorted({r for rs in ROLES.values() for r in rs if " " in r or len(r) > 3} - {fold(v).lower() for v in _VI_ROLE_SURFACES}
                     | set(_VI_ROLE_SURFACES), key=len, reverse=True)
_RE_ROLE_NAME = re.compile(
    r"\b(?i:(" + "|".join(re.escape(r) for r in _ROLE_WORDS) + r"))\s+(?:of\s+[A-Z][\w ]*?\s+)?"
    r"((?:[A-ZĐÀ-Ỹ][\wÀ-ỹ'’-]+)(?:\s+[A-ZĐÀ-Ỹ][\wÀ-ỹ'’-]+){0,3})")


_RE_NAME_ROLE = re.compile(
    r"((?:[A-ZĐÀ-Ỹ][\wÀ-ỹ'’-]+)(?:\s+[A-ZĐÀ-Ỹ][\wÀ-ỹ'’-]+){1,3})(?:,\s+|\s+(?:is|was|as)\s+)(?i:the\s+)?(?:[A-Z][a-z]+\s+)?"
    r"(?i:(" + "|".join(re.escape(r) for r in sorted(ROLES, key=len, reverse=True)) + r"))\b")


_RE_ROLE_IS_NAME = re.compile(
    r"\b(?i:(" + "|".join(re.escape(r) for r in sorted(ROLES, key=len, reverse=True)) + r"))\b[^.;]{0,60}?\s(?:is|was)\s+"
    r"((?:[A-ZĐÀ-Ỹ][\wÀ-ỹ'’-]+)(?:\s+[A-ZĐÀ-Ỹ][\wÀ-ỹ'’-]+){0,3})")


def _role_key(surface: str) -> str | None:
    s = fold(surface).lower()
    for key, forms in ROLES.items():
        if s in forms:
            return key
    return None


def _introduces_next(text: str, m: re.Match) -> bool:
    """In a list ("…, Thongloun Sisoulith, the Prime Minister of Laos, Sonexay Siphandone") the role after a
    comma belongs to the name that follows it, not to the one before."""
    return bool(re.match(r"(?:\s+of\s+[^,.;]{1,60})?,\s+(?:and\s+)?[A-ZĐÀ-Ỹ]", text[m.end():]))


_EN_ROLE_FORMS = sorted({f for fs in ROLES.values() for f in fs} - {fold(v).lower() for v in _VI_ROLE_SURFACES},
                        key=lambda f: -len(f.split()))  # the English forms (the folded Vietnamese ones set aside)
_TOKEN = re.compile(r"[\wÀ-ỹĐđ'’-]+|,")


def _title_chains(claim: str) -> list[tuple[str, str, str, int]]:
    """(role, name, span, where the role starts) for a title whose office is spelled out before the name ("the Prime Minister of the
    Central Committee of the Communist Party of Lao, the President of the Democratic Republic of Lao Thongloun
    Sisoulith": both titles are Thongloun Sisoulith's). The chain runs through "of (the) X" phrases and ", (the)
    <another title>"; the name is the capitalized run right after it, else the last "of" phrase's run ("of Lao
    Thongloun Sisoulith"). Only a run with no generic word once a leading country is set aside counts as a person
    ("of Foreign Affairs" does not). A title directly before a name is ``_RE_ROLE_NAME``'s."""
    toks = [(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(claim)]
    low = [t[0].lower() for t in toks]
    n = len(toks)

    def role_at(i: int) -> int:
        for f in _EN_ROLE_FORMS:
            w = f.split()
            if low[i:i + len(w)] == w:
                return len(w)
        return 0

    def run(i: int) -> int:
        j = i
        while j < n and toks[j][0][:1].isupper() and not role_at(j):
            j += 1
        return j

    def person(a: int, b: int) -> str | None:
        words = [toks[x][0] for x in range(a, b)]
        if country_key(words[0]):  # "Lao Thongloun Sisoulith" is a person; "Laos" alone is not
            words = words[1:]
        if not words or any(fold(w).lower() in _GENERIC_NAME_WORDS for w in words) or len(" ".join(words)) < 3:
            return None
        return " ".join(words)

    out: list[tuple[str, str, str, int]] = []
    for i in range(n):
        k = role_at(i)
        if not k or (i and role_at(i - 1)):
            continue
        j, extended, last = i + k, False, None
        while j < n:
            if low[j] == "of":
                a = j + 1 + (j + 1 < n and low[j + 1] == "the")
                e = run(a)
                if e == a:
                    break
                j, last, extended = e, (a, e), True
                if person(a, e):  # "President of Laos Thongloun Sisoulith, General Secretary …": his title ends here
                    break
            elif low[j] == "," and j + 1 < n:
                a = j + 1 + (low[j + 1] == "the")
                k2 = role_at(a) if a < n else 0
                if not k2:
                    break
                j, last, extended = a + k2, None, True
            else:
                break
        if not extended:
            continue
        e = run(j)
        span = (j, e) if e > j else last
        name = person(*span) if span else None
        if name:
            out.append((claim[toks[i][1]:toks[i + k - 1][2]], name, claim[toks[i][1]:toks[span[1] - 1][2]],
                        toks[i][1]))
    return out


def unsupported_roles(claim: str, sources: list[str], window: int = 80) -> list[str]:
    """Role + name pairs in ``claim`` ("President To Lam") whose name the sources mention, but never with that
    role (in either language) within ``window`` characters before it. A name the sources lack is the name
    check's business, not this one's."""
    bad = []
    folded_srcs = [fold(s).lower() for s in sources]
    pairs = [(m.group(1), m.group(2).strip(), m.group(0).strip()) for m in _RE_ROLE_NAME.finditer(claim)]
    pairs += [(m.group(1), m.group(2).strip(), m.group(0).strip()) for m in _RE_ROLE_IS_NAME.finditer(claim)]
    chains = _title_chains(claim)
    pairs += [c[:3] for c in chains]
    spelled = {c[2] for c in chains}
    # "Name, Role …" is the name's title unless the role introduces the next person ("…, General Secretary of the
    # Communist Party of Vietnam Tô Lâm")
    pairs += [(m.group(2), m.group(1).strip(), m.group(0).strip()) for m in _RE_NAME_ROLE.finditer(claim)
              if not _introduces_next(claim, m) and not any(c[3] == m.start(2) for c in chains)]
    def key(name: str) -> str:
        words = fold(name).lower().split()
        if len(words) > 1 and country_key(words[0]):  # "Laos Saysomphone Phomvihane": the country is not the name
            words = words[1:]
        return words[0] if len(words) == 1 else " ".join(words[:2])

    others = {key(n) for _, n, _ in pairs if len(n) >= 3}
    for role_surface, name, whole in pairs:
        role = _role_key(role_surface)
        if not role or len(name) < 3:
            continue
        first = key(name)
        if not first:
            continue
        forms = ROLES[role]
        seen_name, ok = False, False
        for fs in folded_srcs:
            for nm in re.finditer(re.escape(first), fs):
                seen_name = True
                # the titles in front of this name: back to the previous clause (";", ".", ":", a bracket), and
                # after the last other person the claim names there ("Thủ tướng Lào Sonexay Siphandone, Chủ tịch
                # Quốc hội Lào Saysomphone …": the Prime Minister's title is not Saysomphone's)
                win = window * 3 if whole in spelled else window  # a spelled-out office is long in the source too
                ctx = re.split(r"[;.:()\n]", fs[max(0, nm.start() - win):nm.start()])[-1]
                for o in others - {first}:
                    i = ctx.rfind(o)
                    if i >= 0:
                        ctx = ctx[i + len(o):]
                if any(f in ctx for f in forms):
                    ok = True
                    break
            if ok:
                break
        if seen_name and not ok:
            bad.append(whole)
    return (bad + unsupported_affiliations(claim, sources) + unsupported_nationality_roles(claim, sources)
            + unsupported_qualifiers(claim, sources))


# each office, as the claim may name it ("Prime Minister" not inside "Deputy Prime Minister")
_STATED_ROLES = {"general secretary": r"general secretary", "deputy prime minister": r"deputy prime minister",
                 "prime minister": r"(?<!deputy )prime minister", "president": r"(?<!vice )(?<!vice-)president",
                 "ambassador": r"ambassador", "chairman of the national assembly": r"chairman of the national assembly",
                 "king": r"king", "mayor": r"mayor"}


def unstated_roles(claim: str, sources: list[str]) -> list[str]:
    """Offices ``claim`` names that its sources never state in either language, with or without a name after them:
    "… the invitation of the Prime Minister of the Democratic People's Republic of Laos" over a sentence that names
    a General Secretary and a President only (seen in the two-seed briefing)."""
    folded = " ".join(_folded_words(s) for s in sources)
    text = fold(claim).lower()
    return [role for role, pattern in _STATED_ROLES.items()
            if re.search(rf"\b{pattern}\b", text) and not any(f" {f} " in folded for f in ROLES[role])]


# an envoy's countries: "Lao Ambassador to Vietnam" / "Đại sứ Lào tại Việt Nam" — sender and host both count
_COUNTRY_WORDS = r"[A-Za-zÀ-ỹĐđ'’]+(?:[-–][A-Za-zÀ-ỹĐđ]+)?(?:\s+[A-ZĐÀ-Ỹ][\wÀ-ỹ'’]+)?"
_RE_ENVOY_CLAIM = [
    # "the Vietnamese ambassador to Laos", "Lao Ambassador to Vietnam", "Vietnam's ambassador to Laos"
    re.compile(rf"(?:\b({_COUNTRY_WORDS}?)(?:['’]s)?\s+)?\b(?i:ambassador|envoy)\b(?:\s+of\s+({_COUNTRY_WORDS}))?"
               rf"(?:\s+(?:to|in)\s+({_COUNTRY_WORDS}))?"),
    re.compile(rf"\b(?i:đại sứ)\s+({_COUNTRY_WORDS}?)\s+(?i:tại)\s+({_COUNTRY_WORDS})"),
]
_RE_ENVOY_SRC_VI = re.compile(r"dai su\s+([a-z' ]+?)\s+tai\s+([a-z' ]+)")
_RE_ENVOY_SRC_EN = re.compile(r"(?:([a-z']+)\s+)?ambassador(?:\s+of\s+([a-z' ]+?))?\s+(?:to|in)\s+([a-z' ]+)")


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


def _src_envoys(sources: list[str]) -> list[tuple[str | None, str | None]]:
    out = []
    for s in sources:
        fs = fold(s).lower()
        for m in _RE_ENVOY_SRC_VI.finditer(fs):
            out.append((country_key(m.group(1)), country_key(" ".join(m.group(2).split()[:2]))))
        for m in _RE_ENVOY_SRC_EN.finditer(fs):
            out.append((country_key(m.group(1) or m.group(2)), country_key(" ".join(m.group(3).split()[:2]))))
    return [(a, b) for a, b in out if a or b]


def unsupported_affiliations(claim: str, sources: list[str]) -> list[str]:
    """Envoys whose countries the claim gets wrong: the sources know an ambassador of Laos to Vietnam, the claim
    says "the Vietnamese ambassador to Laos" (sender and host, in either language)."""
    src = _src_envoys(sources)
    bad = []
    for i, rx in enumerate(_RE_ENVOY_CLAIM):
        for m in rx.finditer(claim):
            if i == 0:
                sender = country_key(m.group(1)) or country_key(m.group(2))
                host = country_key(m.group(3))
            else:
                sender, host = country_key(m.group(1)), country_key(m.group(2))
            if not sender and not host:
                continue
            # no envoy with countries in the sources: the claim adds countries they do not state
            if not any((not sender or sender == a) and (not host or host == b) for a, b in src):
                bad.append(m.group(0).strip())
    return bad


_VI_PLACES = {v for k, v in ALIASES.items() if k != v and v not in ALIASES} | {"lao"}  # "Lào" (non-ASCII only)

# words of the other language inside a section ("Họ cũng plan tăng cường…")
_EN_ONLY = set("""the and of will would plan plans planned with that this for from has have had was were been also which
their they said into after before about between meeting meetings visit visited trade cooperation president minister
during while should could billion million percent year years people countries country government party leaders
leader relations agreement agreements economic strengthen strengthening increase bilateral both two new official
talks held signed expected""".split())


def _accented(word: str) -> bool:
    import unicodedata

    return any(c in "đĐ" or (c.isalpha() and not c.isascii() and len(unicodedata.normalize("NFD", c)) > 1)
               for c in word)


def other_language_words(text: str, lang: str) -> list[str]:
    """Words of ``text`` that belong to the other language of the VI/EN pair, names and glosses in brackets aside:
    Vietnamese words in an English line, common English words in a Vietnamese line."""
    from .lang import _VI_CHARS

    body = re.sub(r"\([^)]*\)|\[[^\]]*\]|“[^”]*”|\"[^\"]*\"", " ", CITATION.sub(" ", text))
    words = re.findall(r"[^\W\d_]+", body)
    if lang == "en":
        out = [w for w in words if not w[:1].isupper() and (_VI_CHARS.search(w) or _accented(w))]
        # a place written the Vietnamese way ("Lào", "Việt Nam", "Campuchia") where English has its own name
        for m in re.finditer(r"\b[A-ZĐÀ-Ỹ][\wÀ-ỹ]*(?:\s+[A-ZĐÀ-Ỹ][\wÀ-ỹ]*)?", body):
            for cand in (m.group(0), m.group(0).split()[0]):
                key = fold(cand).lower()
                if (not cand.isascii() or key == "campuchia") and key in _VI_PLACES:
                    out.append(cand)
                    break
        return out
    if lang == "vi":  # "of", "the" inside an English title the sentence quotes ("Tomb of the Cybermen") are the title's
        body = re.sub(r"\b(?:(?:of|the|and|to|in|on|for|upon|a|an)\s+)+(?=[A-Z])", " ", body)
        return [w for w in re.findall(r"[^\W\d_]+", body) if w.isascii() and w.islower() and w in _EN_ONLY]
    return []


# polarity: a restatement must keep the sentence's "not" ("đã không đạt được" is not "reached")
_W = r"[\wÀ-ỹĐđ]"
_VI_NEG = re.compile(rf"(?<!{_W})(?:không|chưa|chẳng|chả|đừng|chớ)(?!{_W})", re.I)
_VI_NOT_NEG = re.compile(rf"(?<!{_W})(?:không\s+(?:khí|gian|quân|chỉ|những|ngừng|lâu|ít|kể|phận|lường|kém|thể\s+thiếu|người\s+lái|dây|tặc|trung|lực|vận|dưới|quá|hơn|khác)"
                         rf"|chẳng\s+hạn|hàng\s+không|hay\s+không|hoặc\s+không|có\s+hay\s+không|số\s+không|chưa\s+từng\s+có|"
                         rf"có\s[^.?!]{{0,80}}không\s*\?)(?!{_W})", re.I)
_EN_NEG = re.compile(r"\b(?:not|never|no|none|nobody|nothing|neither|nor|cannot|without)\b|n['’]t\b", re.I)
_EN_NOT_NEG = re.compile(r"\b(?:not only|no doubt|whether or not|not least)\b", re.I)
# what a restatement may say for a "not": a negation, or a word that carries it ("failed", "lacked", "below")
_EN_NEG_CLAIM = re.compile(r"\b(?:fail\w*|lack\w*|unable|absent|impossible|refus\w*|reject\w*|den(?:y|ied|ies)|"
                           r"instead|rather than|short of|less|fewer|below|under|unprecedented|first|yet to|no longer|"
                           r"prohibit\w*|ban(?:s|ned)?|forb\w*|exclud\w*|ineligible|insufficient|invalid|illegal|"
                           r"unaware|unsuccessful|unlike|unchanged|unknown|unclear|unpaid|unfinished|"
                           r"disagree\w*|disqualif\w*|halt\w*|stopp?\w*|ceased?|absence|"
                           r"non-?\w+|un(?!ited)\w+ed|un\w+able)\b", re.I)
_VI_NEG_CLAIM = re.compile(rf"(?<!{_W})(?:thiếu|thất bại|từ chối|bác bỏ|thay vì|ít hơn|dưới|cấm|vô|phi|bất)(?!{_W})", re.I)


def negated(text: str, lang: str) -> str | None:
    """The negation word of ``text`` ("không", "not"), compounds that negate nothing aside ("không khí" is air,
    "không chỉ … mà còn" is "not only"), or None."""
    if lang == "vi":
        m = _VI_NEG.search(_VI_NOT_NEG.sub(" ", unicodedata.normalize("NFC", text)))
    else:
        m = _EN_NEG.search(_EN_NOT_NEG.sub(" ", text))
    return m.group(0) if m else None


def lost_negation(claim: str, source: str, claim_lang: str) -> str | None:
    """The sentence's negation word when ``claim`` (its restatement in ``claim_lang``) has no negation at all
    — neither a "not" nor a word that carries one — else None. Seen: "the maximum for the Medieval Warm Period
    đã không đạt được the 2007 temperature" came back "… reached in England in 2007"."""
    from .lang import detect_question

    neg = negated(source, detect_question(source))
    if not neg:
        return None
    if negated(claim, claim_lang) or (_VI_NEG_CLAIM if claim_lang == "vi" else _EN_NEG_CLAIM).search(claim):
        return None
    return neg


_ROLE_EN = {"general secretary": "General Secretary", "prime minister": "Prime Minister", "president": "President",
            "ambassador": "Ambassador", "minister": "Minister", "deputy prime minister": "Deputy Prime Minister",
            "chairman of the national assembly": "Chairman of the National Assembly", "king": "King",
            "mayor": "Mayor", "chair": "Chair"}


def _source_role(name: str, sources: list[str], window: int = 80) -> str | None:
    """The role the sources give ``name`` (the title nearest in front of it), as a ROLES key."""
    nkey = fold(name).lower().split()
    if not nkey:
        return None
    first = nkey[0] if len(nkey) == 1 else " ".join(nkey[:2])
    for s in sources:
        fs = fold(s).lower()
        for nm in re.finditer(re.escape(first), fs):
            ctx = re.split(r"[;.:()\n]", fs[max(0, nm.start() - window):nm.start()])[-1]
            best = None
            for key, forms in ROLES.items():
                for f in forms:
                    i = ctx.rfind(f)
                    if i >= 0 and (best is None or i + len(f) > best[0] or (i + len(f) == best[0] and len(f) > best[2])):
                        best = (i + len(f), key, len(f))
            if best:
                return best[1]
    return None


def repair_roles(claim: str, sources: list[str]) -> tuple[str, list[tuple[str, str]]]:
    """Rewrite wrong titles to the ones the sources state ("President Tô Lâm" -> "General Secretary Tô Lâm" where
    they say Tổng Bí thư), and drop countries an envoy's title gets wrong or adds ("Ambassador of Vietnam" ->
    "Ambassador"). Returns the claim and the (old, new) rewrites; what cannot be rewritten stays for the check."""
    done: list[tuple[str, str]] = []
    pairs = [(m.group(1), m.group(2).strip(), m.group(0)) for m in _RE_ROLE_NAME.finditer(claim)]
    pairs += [(m.group(2), m.group(1).strip(), m.group(0)) for m in _RE_NAME_ROLE.finditer(claim)
              if not _introduces_next(claim, m)]
    bad = set(unsupported_roles(claim, sources))
    for role_surface, name, whole in pairs:
        if whole.strip() not in bad:
            continue
        right = _source_role(name, sources)
        if right and right in _ROLE_EN and whole in claim:
            new = re.sub(re.escape(role_surface), _ROLE_EN[right], whole, count=1)
            claim = claim.replace(whole, new, 1)
            done.append((whole, new))
    for piece in unsupported_qualifiers(claim, sources):  # "Deputy Ambassador X" -> "Ambassador X"
        new = re.sub(r"^(?i:deputy|vice|acting|former)[-\s]+", "", piece)
        if piece in claim:
            claim = claim.replace(piece, new, 1)
            done.append((piece, new))
    for piece in unsupported_affiliations(claim, sources):
        role = re.search(r"(?i)ambassador|envoy|đại sứ", piece)
        if role and piece in claim:
            new = role.group(0)
            lead = re.match(r"(?i)the\s", piece)
            claim = claim.replace(piece, (lead.group(0) if lead else "") + new, 1)
            done.append((piece, new))
    return claim, done


_VI_TITLES_EN = [("Chủ tịch Quốc hội", "Chairman of the National Assembly"), ("Phó Thủ tướng", "Deputy Prime Minister"),
                 ("Tổng Bí thư", "General Secretary"), ("Chủ tịch nước", "President"), ("Thủ tướng", "Prime Minister"),
                 ("Đại sứ", "Ambassador"), ("Bộ trưởng", "Minister"), ("Chủ tịch", "Chairman")]


def repair_places(claim: str) -> tuple[str, list[tuple[str, str]]]:
    """An English line that writes a place or a title the Vietnamese way gets its English name ("Lào" -> "Laos",
    "Đại sứ" -> "Ambassador")."""
    done = []
    for vi, en in _VI_TITLES_EN:
        if re.search(rf"(?i)\b{vi}\b", claim):
            claim = re.sub(rf"(?i)\b{vi}\b", en, claim)
            done.append((vi, en))
    english = {"lao": "Laos", "viet nam": "Vietnam", "campuchia": "Cambodia", "thai lan": "Thailand",
               "trung quoc": "China", "nhat ban": "Japan", "han quoc": "South Korea", "hoa ky": "the United States",
               "an do": "India", "dong nam a": "Southeast Asia", "vieng chan": "Vientiane", "ha noi": "Hanoi",
               "phap": "France", "duc": "Germany", "nga": "Russia"}
    for w in other_language_words(claim, "en"):
        key = fold(w).lower()
        if key in english and w[:1].isupper() and w in claim:
            claim = re.sub(rf"(?<!\w){re.escape(w)}(?!\w)", english[key], claim)
            done.append((w, english[key]))
    return claim, done


# words a translated name adds around the distinctive part ("Quốc hội Scotland" -> "Scottish Parliament")
_GENERIC_NAME_WORDS = set("""the of and for parliament party committee council museum gallery office kingdom river basin
forest rainforest army ministry assembly republic national government university city province state states union
federation association bureau agency commission court bank company corporation group institute academy center
centre department program programme project act law treaty protocol report summit conference congress mission
embassy people's peoples democratic socialist central general space research science sciences health education
foreign affairs trade defense defence security police armed forces navy air force energy agency station airport port
bridge highway railway rail link network tram hall square park lake island islands sea ocean bay valley
international world global royal federal public supreme high grand center vice deputy acting
former""".split())
# role words inside a name run ("Vice-Chair Ismail El Gizouli") are the role check's business
_GENERIC_NAME_WORDS |= {w for forms in ROLES.values() for f in forms for w in f.split() if f.isascii()} - {"tong", "thu",
                                                                                                          "chu", "tich"}


# the one-syllable names Vietnamese news gives countries ("đến Pháp, Anh và Ý"), matched only as written — capital,
# tone marks, a whole word, not opening a sentence and not inside a person's name: folded, "anh" is also "ảnh"
# (a picture) and "ý" is "an idea"
_SHORT_COUNTRIES = {"england": "Anh", "english": "Anh", "britain": "Anh", "british": "Anh", "uk": "Anh",
                    "united kingdom": "Anh",
                    "italy": "Ý", "italian": "Ý", "united states": "Mỹ", "us": "Mỹ", "u.s.": "Mỹ", "america": "Mỹ",
                    "american": "Mỹ", "australia": "Úc", "australian": "Úc", "japan": "Nhật", "japanese": "Nhật"}
_NOT_A_COUNTRY_AFTER = {"ấy", "em", "chị", "hùng", "kiến", "nghĩa", "tưởng", "định", "thức", "muốn", "bản"}


def _short_country_in(short: str, sources: list[str]) -> bool:
    for s in sources:
        s = unicodedata.normalize("NFC", s)
        for m in re.finditer(rf"(?<![\wÀ-ỹ]){re.escape(short)}(?![\wÀ-ỹ])", s):
            before = s[:m.start()].rstrip()
            after = s[m.end():].split()[:1]
            prev = before.split()[-1:] if before else []
            if not before or before[-1] in ".!?:\"“" or (prev and prev[0][:1].isupper() and prev[0][-1:].isalpha()) \
                    or (after and after[0].strip(".,;:") in _NOT_A_COUNTRY_AFTER):
                continue
            return True
    return False


def loosely_supported_name(name: str, sources: list[str]) -> bool:
    """A name translated from the source's language: every distinctive word of it is in the sources (a demonym
    counts for its country: "Scottish" for "Scotland"; a known country rendering for its alias), the rest are
    generic words ("Parliament", "River"), and at least one distinctive word anchors it. "Scottish Parliament"
    passes on "Quốc hội Scotland"; "East Asia" does not on "Đông Nam Á"."""
    words = [re.sub(r"['’]s$", "", w) for w in re.split(r"[\s-]+", name) if w]
    whole = fold(" ".join(w for w in words if w.lower() != "the")).lower()
    # a demonym names its country: "South African" -> "South Africa" (CLDR "Nam Phi")
    for key in dict.fromkeys([whole] + ([whole[:-1]] if whole.endswith("an") else [])):
        for alias in (ALIASES.get(key), cldr_aliases().get(key)):
            if alias and any(re.search(rf"\b{re.escape(alias)}\b", fold(s).lower()) for s in sources):
                return True
    if whole in _SHORT_COUNTRIES and _short_country_in(_SHORT_COUNTRIES[whole], sources):
        return True
    src_text = "".join(_folded_words(s) for s in sources)  # words only: "Đại học Paris," holds "paris"
    src_words = set(src_text.split())
    anchored = False
    for w in words:
        k = fold(w).lower().strip(".,;:")
        if not k or k in _GENERIC_NAME_WORDS:
            continue
        aliases = [a for a in (ALIASES.get(k), cldr_aliases().get(k)) if a]
        if k in src_words or any(f" {a} " in src_text for a in aliases):
            anchored = True
            continue
        stem = k[:4] if len(k) >= 6 else None  # "scottish" ~ "scotland", "brazilian" ~ "brazil"
        if stem and any(s.startswith(stem) for s in src_words):
            anchored = True
            continue
        return False
    return anchored


def unsupported_across_languages(claim: str, sources: list[str]) -> list[str]:
    """``unsupported``, except names translated from the sources' language (``loosely_supported_name``): the
    check for a line that restates a sentence in another language."""
    names = set(extract(claim).names)
    return [b for b in unsupported(claim, sources) if not (b in names and loosely_supported_name(b, sources))]


# a role with a nationality and no name: "the Vietnamese President" where the sources have only a Lao one
_SPECIFIC_ROLE_FORMS = {"president": ["president", "chu tich nuoc", "tong thong"],
                        "prime minister": ["prime minister", "thu tuong"],
                        "general secretary": ["general secretary", "tong bi thu"],
                        "ambassador": ["ambassador", "dai su"]}
_ALL_ROLE_FORMS = sorted({f for forms in ROLES.values() for f in forms}, key=len, reverse=True)
_RE_NAT_ROLE = re.compile(r"\b(Vietnamese|Lao|Laotian|Cambodian|Thai|Chinese|Japanese|Korean|Russian|French|German|"
                          r"American|Indian)\s+(President|Prime Minister|General Secretary|Ambassador)\b", re.I)


def unsupported_nationality_roles(claim: str, sources: list[str]) -> list[str]:
    """"Vietnamese President" (no name) is wrong where the sources give that office only to other countries
    ("Chủ tịch nước Lào") or never mention it. An office with no country next to it in the sources could be
    anyone's, so it does not count against the claim."""
    bad = []
    folded = [fold(s).lower() for s in sources]
    for m in _RE_NAT_ROLE.finditer(claim):
        country = country_key(m.group(1))
        forms = _SPECIFIC_ROLE_FORMS[m.group(2).lower()]
        attached: set[str | None] = set()
        for fs in folded:
            for f in forms:
                for occ in re.finditer(rf"\b{re.escape(f)}\b", fs):
                    after = re.split(r"[,;.:()]", fs[occ.end():occ.end() + 45])[0]
                    nxt = [after.find(g) for g in _ALL_ROLE_FORMS if after.find(g) > 0]
                    after = after[:min(nxt)] if nxt else after  # up to the next office named
                    before = fs[max(0, occ.start() - 25):occ.start()]
                    found = {key for key in set(ALIASES.values())
                             if re.search(rf"\b{re.escape(key)}\b", after) or re.search(rf"\b{re.escape(key)}\b", before)}
                    found |= {key for adj, key in ALIASES.items() if re.search(rf"\b{re.escape(adj)}\s*$", before)}
                    attached |= found or {None}
        if country in attached or None in attached:
            continue
        bad.append(m.group(0))
    return bad


_RE_QUALIFIED_ROLE = re.compile(
    r"\b(?i:(deputy|vice|acting|former))[-\s]+(?i:(" + "|".join(re.escape(r) for r in sorted(ROLES, key=len, reverse=True))
    + r"))\s+((?:[A-ZĐÀ-Ỹ][\wÀ-ỹ'’-]+)(?:\s+[A-ZĐÀ-Ỹ][\wÀ-ỹ'’-]+){0,3})")
_QUALIFIER_FORMS = {"deputy": ["deputy", "pho", "vice"], "vice": ["vice", "pho", "deputy"],
                    "acting": ["acting", "quyen"], "former": ["former", "nguyen", "cuu"]}


def unsupported_qualifiers(claim: str, sources: list[str], window: int = 80) -> list[str]:
    """"Deputy Ambassador Ernthavanh" where the sources say Đại sứ (no Phó): a qualifier of an office is a fact."""
    bad = []
    folded = [fold(s).lower() for s in sources]
    for m in _RE_QUALIFIED_ROLE.finditer(claim):
        name = fold(m.group(3)).lower().split()
        if not name:
            continue
        forms = _QUALIFIER_FORMS[m.group(1).lower()]
        seen, ok = False, False
        for fs in folded:
            for nm in re.finditer(re.escape(name[-1]), fs):
                seen = True
                ctx = re.split(r"[;.:()\n]", fs[max(0, nm.start() - window):nm.start()])[-1]
                ok = ok or any(re.search(rf"\b{f}\b", ctx) for f in forms)
        if seen and not ok:
            bad.append(m.group(0))
    return bad


def missing_key_facts(sentence: str, line: str) -> list[str]:
    """Dates, amounts and percentages of ``sentence`` that ``line`` (its restatement) leaves out."""
    src, got = extract(sentence), extract(line)
    out = []
    for surface, pairs in src.date_items:
        if not (pairs & got.dates):
            out.append(surface)
    for surface, vals in src.number_items:
        key = vals & src.percents or re.search(r"[%$€£]|USD|VND|đồng|tỷ|triệu|billion|million", surface)
        if key and not number_supported(vals, got):
            out.append(surface)
    return list(dict.fromkeys(out))


_MONTH_EN = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December"]


_DATE_LEAD = re.compile(r"(?:ngày|hôm|từ|đến|tới|sáng|chiều|tối|trưa|đêm)\s*$", re.I)


def english_dates(text: str) -> str:
    """A Vietnamese text's day/month dates written the English way ("5–6/2/2026" -> "5–6 February 2026"). A day/month
    is a date when it has a year or a range of days, or follows "ngày", "từ", "đến" …: "1/2 dân số" is a half."""
    def date(m: re.Match) -> str:
        if m.group(4) or m.group(2) or _DATE_LEAD.search(text[max(0, m.start() - 12):m.start()]):
            return english_rendering(m.group(0))
        return m.group(0)
    return _RE_DATE_DM.sub(date, text)


def english_rendering(surface: str) -> str:
    """A Vietnamese date or amount written the English way, for telling the model what to keep:
    "5–6/2/2026" -> "5–6 February 2026", "2,6 tỷ USD" -> "US$2.6 billion", "10–15%" stays."""
    m = _RE_DATE_DM.fullmatch(surface.strip())
    if m and 1 <= int(m.group(3)) <= 12:
        day = m.group(1) + (f"–{m.group(2)}" if m.group(2) else "")
        return f"{day} {_MONTH_EN[int(m.group(3)) - 1]}" + (f" {m.group(4)}" if m.group(4) else "")
    t = surface.strip()
    t = re.sub(r"(\d+),(\d+)", r"\1.\2", t) if re.search(r"tỷ|triệu|nghìn", t) else t
    for vi, en in (("nghìn tỷ", "trillion"), ("tỷ", "billion"), ("triệu", "million"), ("nghìn", "thousand")):
        t = re.sub(rf"\s*{vi}\b", f" {en}", t)
    t = re.sub(r"^(.*\S)\s+USD$", r"US$\1", t)
    return t


def cited_context(text: str, date: str | None, title: str | None) -> list[str]:
    """What a line citing a sentence may state: the sentence with its article's date, and the article's title with
    its acronym ("IPCC" for "Intergovernmental Panel on Climate Change"). One rule for the writer and the eval."""
    out = [text + (f" {date}" if date else "")]
    if title:
        initials = "".join(w[0] for w in title.split() if w[:1].isupper())
        out.append(title + (f" ({initials})" if len(initials) >= 3 else ""))
    return out


# "Who is <office>?" answered with a person the sources give another office
_RE_WHO_IS = [re.compile(r"^\s*(?:who|whom)\s+(?:is|was|are|were)\s+(?:the\s+|currently\s+the\s+)?(?P<role>.+?)\s*\??\s*$", re.I),
              re.compile(r"^\s*ai\s+(?:là|đang là|giữ chức|giữ cương vị)\s+(?P<role>.+?)\s*\??\s*$", re.I),
              re.compile(r"^\s*(?P<role>.+?)\s+(?:là ai|tên là gì|là người nào)\s*\??\s*$", re.I)]


def wrong_holder(question: str, answer: str, sources: list[str]) -> list[str]:
    """The person an answer gives for the office a "who is <office>" question asks about, where the sources give
    that person another office ("Ai là Chủ tịch nước Việt Nam?" -> "Tổng Bí thư Tô Lâm"), or an envoy whose
    countries the sources never pair ("Who is Vietnam's ambassador to Laos?" over a Lao ambassador to Vietnam)."""
    m = next((rx.match(question) for rx in _RE_WHO_IS if rx.match(question)), None)
    if not m:
        return []
    role_text = m.group("role")
    folded = f" {fold(role_text).lower()} "
    key = None
    for k, forms in ROLES.items():
        for f in forms:
            if f" {f} " in folded and (key is None or len(f) > key[1]):
                key = (k, len(f))
    if key is None:
        return []
    bad = []
    if key[0] == "ambassador" and unsupported_affiliations(role_text, sources):
        bad.append(role_text)
    qf = extract(question)
    for name in extract(CITATION.sub(" ", answer)).names:
        low = fold(name).lower()
        if (name_supported(name, qf) or low in _STOP_NAMES or country_key(name)
                or any(f.startswith(low) for forms in ROLES.values() for f in forms)):
            continue
        if unsupported_roles(f"{_ROLE_EN[key[0]]} {name}", sources):
            bad.append(f"{name} ({role_text})")
    return bad
