"""Proper names: whether the sources support a name, the question's names an answer may repeat, near-miss repairs, words of the other language."""

from __future__ import annotations

import re

from ..lexical import fold
from .figures import CITATION, Facts, _close, _folded_words, extract, number_supported
from .places import ALIASES, _VI_PLACES, cldr_aliases, lexicon



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
    from ..lang import _VI_CHARS

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


_VI_TITLES_EN = [tuple(x) for x in lexicon()["offices"]["vi_to_en"]]


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
