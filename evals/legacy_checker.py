"""The claim checks that rag.verify replaced, kept frozen here so evals/verify_bench.py can measure before against
after: lost negation by regular expressions, and names across languages by literal presence with hand-listed short
country names. Not used by the product."""

from __future__ import annotations

import re
import unicodedata

from rag.lexical import fold
from rag.facts import ALIASES, _GENERIC_NAME_WORDS, _folded_words, cldr_aliases, extract, unsupported



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
    from rag.lang import detect_question

    neg = negated(source, detect_question(source))
    if not neg:
        return None
    if negated(claim, claim_lang) or (_VI_NEG_CLAIM if claim_lang == "vi" else _EN_NEG_CLAIM).search(claim):
        return None
    return neg


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
