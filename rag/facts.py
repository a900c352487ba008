"""Checkable facts in text — numbers, percentages, money, dates, names — and cross-language matching.

Used by citation validation (answers) and faithfulness checks (summaries, briefings) alike.
"2,6 tỷ USD" supports "US$2.6 billion"; "5/2" supports "5 February"; "Tô Lâm" supports "To Lam".
"""

from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass, field

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
    "vientiane": "vieng chan", "vietnamese": "viet nam", "lao": "lao", "laotian": "lao", "hanoi": "ha noi", "ho chi minh city": "thanh pho ho chi minh",
}

_NUM = r"\d+(?:[.,]\d+)*"
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
    for m in _RE_MONTH_VI.finditer(text):
        f.numbers.add(float(m.group(1)))
    # Roman numerals ("Đại hội lần thứ XIV") support ordinals ("14th")
    for m in re.finditer(r"\b[IVXLC]{2,7}\b", text):
        v = _roman(m.group(0))
        if v:
            f.numbers.add(float(v))
    for m in re.finditer(r"\b(\d+)(?:st|nd|rd|th)\b", text):
        f.number_items.append((m.group(0), {float(m.group(1))}))
        f.numbers.add(float(m.group(1)))
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
                continue
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
    alias = ALIASES.get(key)
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


def unsupported_roles(claim: str, sources: list[str], window: int = 80) -> list[str]:
    """Role + name pairs in ``claim`` ("President To Lam") whose name the sources mention, but never with that
    role (in either language) within ``window`` characters before it. A name the sources lack is the name
    check's business, not this one's."""
    bad = []
    folded_srcs = [fold(s).lower() for s in sources]
    pairs = [(m.group(1), m.group(2).strip(), m.group(0).strip()) for m in _RE_ROLE_NAME.finditer(claim)]
    pairs += [(m.group(1), m.group(2).strip(), m.group(0).strip()) for m in _RE_ROLE_IS_NAME.finditer(claim)]
    pairs += [(m.group(2), m.group(1).strip(), m.group(0).strip()) for m in _RE_NAME_ROLE.finditer(claim)]
    for role_surface, name, whole in pairs:
        role = _role_key(role_surface)
        if not role or len(name) < 3:
            continue
        nkey = fold(name).lower().split()
        if not nkey:
            continue
        first = nkey[0] if len(nkey) == 1 else " ".join(nkey[:2])
        forms = ROLES[role]
        seen_name, ok = False, False
        for fs in folded_srcs:
            for nm in re.finditer(re.escape(first), fs):
                seen_name = True
                # the titles in front of this name: back to the previous clause (";", ".", ":", a bracket)
                ctx = re.split(r"[;.:()\n]", fs[max(0, nm.start() - window):nm.start()])[-1]
                if any(f in ctx for f in forms):
                    ok = True
                    break
            if ok:
                break
        if seen_name and not ok:
            bad.append(whole)
    return bad
