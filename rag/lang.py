"""Language identification for questions, passages and answers (py3langid, offline, ~20 µs).

Questions are classified between the product's two main languages (unrestricted langid calls short
strings like "Cambodia" Bikol); longer passages use the full model so any corpus language is labelled.
"""

from __future__ import annotations

import re
from functools import lru_cache

_VI_CHARS = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.I)


@lru_cache(maxsize=2)
def _identifier(restricted: bool):
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)
    if restricted:
        ident.set_languages(["vi", "en"])
    return ident


def detect_question(text: str) -> str:
    """'vi' or 'en' (the languages questions come in). Vietnamese-only letters decide at once."""
    # names keep their diacritics in any language ("President Tô Lâm said"): look at the other words
    common = " ".join(w for w in text.split() if not w[:1].isupper()) or text
    if _VI_CHARS.search(common):
        return "vi"
    return _identifier(True).classify(text)[0]


def detect(text: str) -> str:
    """Any language code for a passage; 'und' for text with no letters."""
    if not re.search(r"\w", text):
        return "und"
    if len(_VI_CHARS.findall(text)) >= 3:
        return "vi"
    return _identifier(False).classify(text[:2000])[0]


LANG_NAMES = {"vi": "Vietnamese", "en": "English"}
