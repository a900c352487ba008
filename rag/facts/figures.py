"""Numbers, amounts, percentages and dates in text (both languages' notations), and how to render them in English."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from ..lexical import fold
from .places import ALIASES, cldr_aliases


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


def fact_count(text: str) -> int:
    f = extract(text)
    return len(f.number_items) + len(f.date_items) + len(f.names)


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
