"""One extraction pass over a claim and its sources: proper names (judged across languages), negations, the actor.

Numbers, amounts, percentages and dates come from ``rag.facts.extract`` (one cached pass per text)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from . import lexicon as lx
from .problems import NameMention, Support

def _cap(word: str) -> bool:
    """Does ``word`` start with a capital letter (any script: "Đài", "Île", not "đặt")?"""
    return word[:1].isupper()
_WORD = re.compile(r"[\wÀ-ỹĐđ'’.-]+|[,;:()\"“”]")


@dataclass(frozen=True)
class Source:
    """The sources of one claim, prepared once: folded words with their positions."""

    texts: tuple[str, ...]
    words: tuple[str, ...]        # folded, lower case, in order over all texts
    joined: str                   # " w1 w2 ... " for whole-word search
    capitalized: frozenset[str]   # folded words the sources write with a capital (names, and sentence openers)
    alone: frozenset[str]         # capitalized words not opening a sentence nor following a capitalized word

    @classmethod
    def of(cls, texts: list[str]) -> "Source":
        words: list[str] = []
        caps: set[str] = set()
        alone: set[str] = set()
        for t in texts:
            raw = re.findall(r"\w+", lx.fold(lx.nfc(t)))
            words += [w.lower() for w in raw]
            caps |= {w.lower() for w in raw if w[:1].isupper() or w[:1].isdigit()}
            toks = re.findall(r"\w+|[^\w\s]", lx.fold(lx.nfc(t)))
            for i, w in enumerate(toks):
                prev = toks[i - 1] if i else "."
                opener = i == 0 or prev in ".!?:\"“("
                prev_opens = i >= 1 and (i == 1 or toks[i - 2] in ".!?:\"“(")
                if w[:1].isupper() and not opener and (not prev[:1].isupper() or prev_opens):
                    alone.add(w.lower())
        return cls(tuple(texts), tuple(words), " " + " ".join(words) + " ", frozenset(caps), frozenset(alone))

    def has_place(self, place_key: str) -> bool:
        """A place's name in the sources; a one-syllable one ("Anh", "Ý", "Mỹ") only standing alone as a name."""
        if " " in place_key or len(place_key) > 4:
            return self.has(place_key)
        return place_key in self.alone

    def has_name_word(self, word_key: str) -> bool:
        """The sources write ``word_key`` with a capital: "Trong" of a name is not the "trong" (in) of a sentence."""
        return word_key in self.capitalized

    def has(self, phrase_key: str) -> bool:
        return bool(phrase_key) and f" {phrase_key} " in self.joined

    def position(self, phrase_key: str) -> int:
        """Word index of the first occurrence of ``phrase_key`` (-1 when absent)."""
        i = self.joined.find(f" {phrase_key} ")
        return -1 if i < 0 else self.joined.count(" ", 0, i)

    def near(self, word_key: str, min_ratio: float = 0.85) -> bool:
        """A source word spelled almost like ``word_key`` ("Siphandon" ~ "Siphandone")."""
        if len(word_key) < 5:
            return False
        return any(abs(len(w) - len(word_key)) <= 2 and SequenceMatcher(None, w, word_key).ratio() >= min_ratio
                   for w in self.capitalized if w[:1] == word_key[:1])


def name_runs(text: str) -> list[tuple[str, int]]:
    """Capitalized runs of ``text`` (a name may hold "of", "and", "on", "the": "General Conference on Weights and
    Measures"), without a sentence-opening function or common word ("The", "Oxygen is …" is not a name there),
    acronyms included; (surface, start)."""
    fw = lx.function_words()
    toks = [(m.group(0), m.start()) for m in _WORD.finditer(text)]
    out: list[tuple[str, int]] = []
    i = 0
    while i < len(toks):
        w, s = toks[i]
        if not _cap(w) or w.lower() in fw or re.fullmatch(r"[IVXLC]+|\d+", w) \
                or w in lx.currency_codes() or text[s + len(w):s + len(w) + 1] == "$":
            i += 1
            continue  # not a name; "USD", "US$" are units of an amount
        j = i + 1
        while j < len(toks):
            t = toks[j][0]
            if _cap(t) and not re.fullmatch(r"[IVXLC]+", t):
                j += 1
            elif t.lower() in ("of", "and", "on", "the", "de", "du", "la", "von", "van", "upon") and j + 1 < len(toks) \
                    and _cap(toks[j + 1][0]) and toks[j + 1][0].lower() not in fw:
                j += 2
            elif re.fullmatch(r"[IVXLC]+", t):  # "World War II": the numeral is the number check's
                j += 1
            else:
                break
        words = [t for t, _ in toks[i:j]]
        opens = i == 0 or toks[i - 1][0] in ('"', "“", "(", ":") or re.search(r"[.!?]\s*$", text[:s])
        if opens and len(words) == 1 and (lx.common_english(words[0]) or lx.vietnamese_syllable(words[0])):
            i = j
            continue
        surface = text[s:toks[j - 1][1] + len(toks[j - 1][0])].rstrip(".,'’")
        surface = re.sub(r"['’]s$", "", surface)
        out.append((surface, s))
        i = j
    return out


def _source_names(src: Source) -> list[tuple[list[str], bool]]:
    """The names the sources write (capitalized runs not opening a sentence) as (folded words, written in
    Vietnamese syllables or not)."""
    out = []
    for t in src.texts:
        t = lx.nfc(t)
        runs: list[tuple[list[str], int]] = []  # (words, index of the token after the run)
        run: list[str] = []
        opening = True
        toks = [m.group(0) for m in re.finditer(r"[\w'’-]+|[^\w\s]", t)]  # (a Roman numeral is a figure: "khóa XV")
        for i, w in enumerate(toks):
            if w[0].isupper() and not re.fullmatch(r"(?=[IVX]{2})X{0,3}(?:IX|IV|V?I{0,3})", w) and (
                    not opening or not (lx.vietnamese_syllable(w) or lx.common_english(w)
                                        or w.lower() in lx.function_words())):
                run.append(w)  # a sentence opens with a capital; a word that is no Vietnamese syllable is a name
            else:
                if run:
                    runs.append((run, i))
                run = []
            opening = w in (".", "!", "?", ":", '"', "“", "(")
        if run:
            runs.append((run, len(toks)))
        # a Vietnamese name capitalizes some of its syllables only ("Hội nghị Toàn thể về Cân Đo"): runs of
        # Vietnamese syllables two lower-case syllables apart are one name
        merged: list[tuple[list[str], int]] = []
        for words, end in runs:
            if merged:
                pw, pend = merged[-1]
                gap = toks[pend:end - len(words)]
                if len(gap) <= 2 and all(g.isalpha() and g.islower() and lx.vietnamese_syllable(g) for g in gap) \
                        and all(lx.vietnamese_syllable(x) for x in pw + words):
                    merged[-1] = (pw + gap + words, end)
                    continue
            merged.append((words, end))
        for words, _ in merged:
            caps = [x for x in words if x[0].isupper()]
            out.append(([lx.key(x) for x in caps], all(lx.vietnamese_syllable(x) for x in words)))
    return out


def _prefix_match(wk: str, src_name_words: set[str]) -> str | None:
    """A source name word sharing the claim word's stem ("Scottish" ~ "Scotland", "Amazonian" ~ "Amazon",
    "Mongols" ~ "Mông"): a common start of 4+ letters that leaves at most 4 letters of either word."""
    for s in src_name_words:
        if len(s) < 4 or s[:3] != wk[:3]:
            continue
        n = 0
        for a, b in zip(wk, s):
            if a != b:
                break
            n += 1
        if n >= 4 and (n >= len(s) - 4 or n >= len(wk) - 4):
            return s
    return None


@lru_cache(maxsize=1)
def _places_by_prefix() -> dict[str, list[str]]:
    """One-word English place names (CLDR, lexicon) by their first three letters."""
    out: dict[str, list[str]] = {}
    for pk in lx.places():
        if " " not in pk and len(pk) >= 4 and pk.isalpha() and pk.isascii():
            out.setdefault(pk[:3], []).append(pk)
    return out


def _place_of_demonym(wk: str, src: Source) -> str | None:
    """A place the sources name (in either language) whose English name shares the claim word's stem, as a
    demonym does ("Indian" ~ "India" where the sources say "Ấn Độ", "Norwegians" ~ "Norway" for "Na Uy")."""
    for pk in _places_by_prefix().get(wk[:3], []):
        if _prefix_match(wk, {pk}) and any(src.has_place(v) for v in lx.places()[pk]):
            return pk
    return None


def judge_names(text: str, src: Source, cross: bool, aligned: bool = True) -> list[NameMention]:
    """Supported / unverified / wrong for each proper name of the claim ``text``.

    Literal presence (diacritics folded) supports a name; a CLDR place or language (or a short form the lexicon
    lists) is supported by its name in either language and is wrong when the sources have neither; each remaining
    word is *distinctive* (not an English common word: "Warsaw", "Saxon", "Thongloun") or *translatable* ("Garden",
    "Uprising"). A distinctive word is found in the sources as written, spelled almost alike, run together
    ("Annam" for "An Nam") or by its stem in a source name ("Scottish" for "Scotland"). A name is supported when
    a distinctive word is found and none is missing; unverified when only translatable words are left (across
    languages, ``cross``: a translator renders those in their own words; in one language they count as distinctive)
    or when a missing word may be the rendering of a name the sources write in Vietnamese syllables that the claim
    does not otherwise render ("Kublai" for "Hốt Tất Liệt"; never a name that is itself in Vietnamese syllables,
    which a Vietnamese source writes as it is); wrong when a distinctive word is missing and the
    sources hold no such name, or hold a name in Latin script the claim leaves out (a translator keeps those: the
    claim has put another name in its place) — then a name of common words only is wrong too. That last inference
    needs the claim to restate its sources sentence for sentence (``aligned``, a bullet from its sentence); a short
    answer drawn from passages leaves most of their names out, so with ``aligned=False`` neither that inference nor
    the Vietnamese-syllable one is made (a missing distinctive word is wrong, a name of common words unverified)."""
    places = lx.places()
    fw, cal, hon = lx.function_words(), lx.calendar_words(), lx.honorifics()
    src_names = _source_names(src)
    src_upper = {lx.key(w): True for t in src.texts for w in re.findall(r"\b[A-Z]{2,6}\b", t)}
    src_name_words = {w for ws, _ in src_names for w in ws}
    pairs = {a + b for a, b in zip(src.words, src.words[1:])}
    judged: list[tuple] = []
    claim_keys: set[str] = set()
    for surface, start in name_runs(text):
        surface_k = lx.key(surface.replace(".", ""))
        if src.has(surface_k):
            claim_keys |= set(surface_k.split())
            judged.append((surface, start, [surface_k], [], [], [], False, False))
            continue
        words = [w for w in re.findall(r"[\wÀ-ỹĐđ'’.-]+", surface) if w.lower().rstrip(".") not in fw
                 and not re.fullmatch(r"[IVXLC]+|\d+", w) and w.lower().rstrip(".") not in cal
                 and w.lower().rstrip(".") not in hon and w.lower() not in lx.office_words()]
        words = [w.replace(".", "") if re.fullmatch(r"(?:[A-Z]\.)+[A-Z]?", w) else w.rstrip(".") for w in words]
        # a compound ("African-American", "Chinese-style") is judged by its parts unless the sources have it whole
        words = [p for w in words for p in ([w] if src.has(lx.key(w)) else re.split(r"[-–]", w)) if p]
        words = [re.sub(r"['’]s$", "", w) for w in words]
        if not words:
            continue  # a date ("In November"), an honorific alone
        opening = start == 0 or bool(re.search(r"[.!?:\"“(]\s*$", text[:start]))
        if opening and len(words) > 1 and lx.vietnamese_syllable(words[0]) and src.has(lx.key(words[0])) \
                and lx.key(words[0]) not in src.alone:
            # a Vietnamese sentence opens with a capital: "Theo Bộ Công Thương", "Trong Super Bowl 50" — the first
            # word is the sources' ordinary word ("theo", "trong"), not part of the name, when they never write it
            # as a name in mid-sentence
            words = words[1:]
        anchors, missing, missing_places, acronyms, is_place = [], [], [], [], False
        i = 0
        while i < len(words):
            hit = None
            for j in range(min(len(words), i + 4), i, -1):
                pk = lx.key(" ".join(words[i:j]))
                if pk in places:
                    hit = (j, pk)
                    break
            if hit:
                j, pk = hit
                is_place = True
                # a compass word before it composes in both languages ("North Africa" = "Bắc Phi")
                d = lx.directions().get(words[i - 1].lower()) if i and not anchors else None
                forms = places[pk] | ({f"{d} {v}" for v in places[pk]} if d else set())
                if any(src.has_place(v) for v in forms):
                    anchors.append(pk)
                    claim_keys |= {x for v in places[pk] for x in v.split()}
                else:
                    missing_places.append(" ".join(words[i:j]))
                i = j
                continue
            w = words[i]
            wk = lx.key(re.sub(r"['’]s$", "", w))
            i += 1
            if not wk:
                continue
            stem = (_prefix_match(wk, src_name_words) or _place_of_demonym(wk, src)) if cross else None
            if src.has_name_word(wk) or src.near(wk) or (cross and wk in pairs) or stem:
                anchors.append(wk)
                claim_keys.add(stem or wk)
            elif cross and lx.common_english(w) and not w.isupper():
                continue  # translatable: the sentence may say it in its own words
            elif cross and w.isupper():
                acronyms.append(w)  # an acronym of one language is often spelled out in the other ("MSP")
            else:
                missing.append(w)
            claim_keys.add(wk)
        judged.append((surface, start, anchors, missing, missing_places, acronyms, is_place,
                       opening and len(words) == 1))
    unaccounted = [(ws, vi) for ws, vi in src_names if not any(w in claim_keys for w in ws)
                   and not any(w in fw for w in ws)]
    latin_left = aligned and any(not vi for ws, vi in unaccounted)
    # a claim name in common words only ("Parliament", "Time Lord") renders one of those Vietnamese names
    translated = sum(1 for j in judged if not j[2] and not j[3] and not j[4] and not j[5])
    vi_left = sum(1 for ws, vi in unaccounted if vi) > translated
    acronym_left = any(len(ws) == 1 and src_upper.get(ws[0]) for ws, vi in unaccounted)
    out = []
    for surface, start, anchors, missing, missing_places, acronyms, is_place, opening in judged:
        if acronyms and acronym_left:
            missing = missing + acronyms  # the sources use another acronym: this one is not theirs
        if missing_places:
            out.append(NameMention(surface, start, Support.WRONG, missing=tuple(missing_places + missing), place=True))
        elif missing and cross and aligned and not latin_left and (vi_left or opening) \
                and not all(lx.vietnamese_syllable(w) for w in missing):
            # (a name in Vietnamese syllables, "Nguyen Phu Trong", is written as it is in Vietnamese sources)
            out.append(NameMention(surface, start, Support.UNVERIFIED, missing=tuple(missing)))
        elif missing and anchors and not aligned and not _named_otherwise(surface, anchors, src_names):
            # a fuller form of a name the sources write shorter ("Martin Luther" where they say "Luther"): the
            # added words are the model's, not evidence of another entity (unless a source name pairs the same
            # word with others: "Joe Biden" where the sources say "Hunter Biden")
            out.append(NameMention(surface, start, Support.UNVERIFIED, anchors=tuple(anchors), missing=tuple(missing)))
        elif missing:
            out.append(NameMention(surface, start, Support.WRONG, missing=tuple(missing)))
        elif anchors:
            out.append(NameMention(surface, start, Support.SUPPORTED, anchors=tuple(anchors), place=is_place))
        elif latin_left and not is_place and not acronyms:
            # a name in common words where the sources write a name in Latin script the claim leaves out
            out.append(NameMention(surface, start, Support.WRONG, missing=(surface,)))
        else:
            out.append(NameMention(surface, start, Support.UNVERIFIED, place=is_place))
    return out


def _named_otherwise(surface: str, anchors: list[str], src_names: list[tuple[list[str], bool]]) -> bool:
    """Whether a source name shares one of ``anchors`` with the claim's name ``surface`` but has a capitalized
    word the claim's name lacks (the sources use that word for someone or something else)."""
    mine = set(lx.key(surface).split())
    skip = lx.function_words() | lx.honorifics() | lx.office_words()
    return any(set(ws) & set(anchors) and any(w not in mine and w not in skip for w in ws) for ws, _ in src_names)


def _strip(text: str, phrases: list[str]) -> str:
    for p in sorted(phrases, key=len, reverse=True):
        text = re.sub(rf"(?<![\wÀ-ỹ]){re.escape(p)}(?![\wÀ-ỹ])", " ", text, flags=re.I)
    return text


def negations(text: str, lang: str) -> list[str]:
    """The negation cues of ``text`` in order, compounds that negate nothing set aside ("không khí", "not only")."""
    cues, not_neg = lx.negation(lang)
    t = _strip(lx.nfc(text), not_neg)
    for tag in sorted(lx.negation_tags(lang), key=len, reverse=True):  # "… hay không?" asks, it does not negate
        t = re.sub(rf"(?<![\wÀ-ỹ]){re.escape(tag)}(?=\s*(?:[?,.;:!)\"”]|$))", " ", t, flags=re.I)
    if lang != "vi" and re.search(r"\?\s*$", t) is None:
        t = t.replace("’", "'")
    pat = "|".join(re.escape(c) for c in sorted(cues, key=len, reverse=True) if c != "n't")
    found = [m.group(0).lower() for m in re.finditer(rf"(?<![\wÀ-ỹ])(?:{pat})(?![\wÀ-ỹ])", t, re.I)]
    if lang != "vi":
        found += ["n't"] * len(re.findall(r"\w+n't\b", t))
    return found


def negation_carriers(text: str, lang: str) -> list[str]:
    """Words that carry a negation in their meaning ("failed", "discouraged", "unable", "thất bại")."""
    if lang == "vi":
        t = lx.nfc(text).lower()
        return [c for c in lx.negation_carriers("vi") if re.search(rf"(?<![\wÀ-ỹ]){re.escape(c)}(?![\wÀ-ỹ])", t)]
    carriers = set(lx.negation_carriers("en"))
    out = [p for p in lx.data()["negation"]["en_carrier_phrases"] if re.search(rf"\b{re.escape(p)}\b", text, re.I)]
    out += [w.lower() for w in re.findall(r"\b[Nn]on-\w+", text)]
    for w in re.findall(r"[A-Za-z-]+", text):
        lw = w.lower()
        if lw in carriers:
            out.append(lw)
            continue
        for p in lx.negative_prefixes():
            rest = lw[len(p):]
            if lw.startswith(p) and len(rest) >= 4 and (lx.common_english(rest) or
                                                        (p == "dis" and lx.common_english("en" + rest))):
                out.append(lw)
                break
    return out


def cue_positions(text: str, cues: list[str], names: list[str], window: int = 200) -> dict[str, tuple[int, int]]:
    """For each name key of ``names``: (occurrences in ``text``, occurrences after one of ``cues`` in the same
    clause, within ``window`` characters) — titles may sit between the cue and the name ("theo lời mời của Tổng Bí
    thư Ban Chấp hành …, Chủ tịch nước Lào Thongloun Sisoulith")."""
    raw = lx.nfc(text)
    low = lx.fold(raw).lower()  # same length as ``raw`` for precomposed text
    if len(low) != len(raw):
        low = raw.lower()
    ends: list[int] = []
    for cue in cues:
        need_cap = cue.endswith(" +")
        c = lx.fold(cue.removesuffix(" +")).lower()
        for m in re.finditer(rf"(?<!\w){re.escape(c)}\s+", low):
            if need_cap and not raw[m.end():m.end() + 1].isupper():
                continue
            ends.append(m.end())
    out = {}
    for n in names:
        if not n:
            continue
        pat = r"(?<!\w)" + r"\W+".join(re.escape(w) for w in n.split()) + r"(?!\w)"
        occ = [m.start() for m in re.finditer(pat, low)]
        after = [o for o in occ if any(0 <= o - e <= window and not re.search(r"[.;:!?]", raw[e:o]) for e in ends)]
        out[n] = (len(occ), len(after))
    return out
