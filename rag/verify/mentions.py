"""One extraction pass over a claim and its sources: proper names (judged across languages), negations, the actor.

Numbers, amounts, percentages and dates come from ``rag.facts.extract`` (one cached pass per text)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from . import lexicon as lx
from .problems import NameMention, Support

_CAP = r"[A-ZĐÀ-ỸÁÉÍÓÚÝ][\wÀ-ỹ'’.-]*"
_WORD = re.compile(r"[\wÀ-ỹĐđ'’.-]+|[,;:()\"“”]")


@dataclass(frozen=True)
class Source:
    """The sources of one claim, prepared once: folded words with their positions."""

    texts: tuple[str, ...]
    words: tuple[str, ...]        # folded, lower case, in order over all texts
    joined: str                   # " w1 w2 ... " for whole-word search

    @classmethod
    def of(cls, texts: list[str]) -> "Source":
        words: list[str] = []
        for t in texts:
            words += re.findall(r"\w+", lx.fold(lx.nfc(t)).lower())
        return cls(tuple(texts), tuple(words), " " + " ".join(words) + " ")

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
                   for w in set(self.words) if w[:1] == word_key[:1])


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
        if not re.match(_CAP, w) or w.lower() in fw or re.fullmatch(r"[IVXLC]+|\d+", w):
            i += 1
            continue
        j = i + 1
        while j < len(toks):
            t = toks[j][0]
            if re.match(_CAP, t) and not re.fullmatch(r"[IVXLC]+", t):
                j += 1
            elif t.lower() in ("of", "and", "on", "the", "de", "du", "la", "von", "van", "upon") and j + 1 < len(toks) \
                    and re.match(_CAP, toks[j + 1][0]) and toks[j + 1][0].lower() not in fw:
                j += 2
            elif re.fullmatch(r"[IVXLC]+", t):  # "World War II": the numeral is the number check's
                j += 1
            else:
                break
        words = [t for t, _ in toks[i:j]]
        opens = i == 0 or toks[i - 1][0] in ('"', "“", "(", ":") or re.search(r"[.!?]\s*$", text[:s])
        if opens and len(words) == 1 and lx.common_english(words[0]):
            i = j
            continue
        surface = text[s:toks[j - 1][1] + len(toks[j - 1][0])].rstrip(".,'’")
        surface = re.sub(r"['’]s$", "", surface)
        out.append((surface, s))
        i = j
    return out


def judge_name(surface: str, start: int, src: Source, cross: bool) -> NameMention:
    """Supported / unverified / wrong for one name of the claim.

    Literal presence (diacritics folded) supports it; a CLDR place or language is supported by its name in either
    language and is wrong when the sources have neither; each remaining word is *distinctive* (not an English common
    word: "Warsaw", "Saxon", "Thongloun") or *translatable* ("Garden", "Uprising", "Conference"). A name is supported
    when a distinctive word is in the sources (or spelled almost alike) and none is missing; wrong when a distinctive
    word is missing; unverified when only translatable words are left — across languages (``cross``) a translator
    renders those in their own words; in the same language they must be there, so they count as distinctive."""
    k = lx.key(surface)
    if src.has(k):
        return NameMention(surface, start, Support.SUPPORTED, anchors=(k,))
    places = lx.places()
    words = [w for w in re.findall(r"[\wÀ-ỹĐđ'’-]+", surface) if w.lower() not in lx.function_words()
             and not re.fullmatch(r"[IVXLC]+|\d+", w)]
    anchors, missing, is_place = [], [], False
    i = 0
    while i < len(words):
        # the longest CLDR place starting here ("South Africa", "United Kingdom", "French")
        hit = None
        for j in range(min(len(words), i + 4), i, -1):
            pk = lx.key(" ".join(words[i:j]))
            if pk in places:
                hit = (j, pk)
                break
        if hit:
            j, pk = hit
            is_place = True
            if any(src.has(v) for v in places[pk]):
                anchors.append(pk)
            else:
                missing.append(" ".join(words[i:j]))
            i = j
            continue
        w = words[i]
        wk = lx.key(re.sub(r"['’]s$", "", w))
        i += 1
        if not wk:
            continue
        if src.has(wk) or src.near(wk):
            anchors.append(wk)
        elif cross and lx.common_english(w) and not w.isupper():
            continue  # translatable: the sentence may say it in its own words
        else:
            missing.append(w)
    if missing:
        return NameMention(surface, start, Support.WRONG, missing=tuple(missing), place=is_place)
    if anchors:
        return NameMention(surface, start, Support.SUPPORTED, anchors=tuple(anchors), place=is_place)
    return NameMention(surface, start, Support.UNVERIFIED, place=is_place)


def _strip(text: str, phrases: list[str]) -> str:
    for p in sorted(phrases, key=len, reverse=True):
        text = re.sub(rf"(?<![\wÀ-ỹ]){re.escape(p)}(?![\wÀ-ỹ])", " ", text, flags=re.I)
    return text


def negations(text: str, lang: str) -> list[str]:
    """The negation cues of ``text`` in order, compounds that negate nothing set aside ("không khí", "not only")."""
    cues, not_neg = lx.negation(lang)
    t = _strip(lx.nfc(text), not_neg)
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
    out = []
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


def counterpart_names(text: str, lang: str, names: list[str]) -> set[str]:
    """The keys of ``names`` that ``text`` gives right after a host/inviter/counterpart cue ("theo lời mời của
    Tổng Bí thư … Thongloun", "hosted by X"): people the sentence's actor acted with or on."""
    t = lx.key(text)
    out = set()
    for cue in lx.counterpart_cues(lang):
        ck = lx.key(cue)
        for m in re.finditer(rf"(?:^| ){re.escape(ck)} ", t + " "):
            after = t[m.end():m.end() + 90]  # titles may sit between the cue and the name
            for n in names:
                if n and after.find(n) >= 0 and after.find(n) <= 70:
                    out.add(n)
    return out
