"""BM25 over Vietnamese-aware tokens.

Vietnamese writes one syllable per space-separated token, so lower-cased Unicode word tokens *are*
syllables with their diacritics ("thương", "mại"); word segmentation (pyvi/underthesea) gave no consistent
gain here (STACK.md). Each chunk is indexed in two fields:

* exact — syllables with diacritics (tone marks distinguish words: "bán" sell vs "bạn" friend);
* folded — diacritics stripped, đ→d, so a query typed without accents ("kim ngach thuong mai") still matches.

The score is ``bm25(exact) + FOLD_WEIGHT * bm25(folded)``. Postings live in the store's SQLite database
(see store.py) so the lexical index is updated in the same transaction as the document registry.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter

K1 = 1.2
B = 0.75
FOLD_WEIGHT = 0.3
FOLD_PREFIX = "~"

_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|\w+", re.UNICODE)


def fold(token: str) -> str:
    """Strip Vietnamese (and other Latin) diacritics: 'thương' -> 'thuong', 'đảng' -> 'dang'."""
    t = token.replace("đ", "d").replace("Đ", "D")
    t = unicodedata.normalize("NFD", t)
    return "".join(c for c in t if unicodedata.category(c) != "Mn")


def tokenize(text: str) -> list[str]:
    """Lower-cased NFC word/syllable tokens; numbers keep their separators ('2,6', '5–6' -> '5','6')."""
    text = unicodedata.normalize("NFC", text).lower()
    return [t.strip("_") for t in _TOKEN.findall(text) if t.strip("_")]


def index_terms(text: str) -> tuple[Counter, int]:
    """Term frequencies for both fields (folded terms carry FOLD_PREFIX) and the token length."""
    toks = tokenize(text)
    tf = Counter(toks)
    tf.update(FOLD_PREFIX + fold(t) for t in toks)
    return tf, len(toks)


def query_terms(text: str) -> dict[str, float]:
    """Query term -> weight (exact terms 1.0, folded terms FOLD_WEIGHT). Repeated terms count once."""
    toks = set(tokenize(text))
    terms: dict[str, float] = {t: 1.0 for t in toks}
    for t in toks:
        terms[FOLD_PREFIX + fold(t)] = FOLD_WEIGHT
    return terms


def bm25_scores(
    terms: dict[str, float],
    postings: dict[str, list[tuple[str, int]]],
    doc_len: dict[str, int],
    n_docs: int,
    avg_len: float,
) -> dict[str, float]:
    """Okapi BM25 (Lucene's non-negative idf) summed over weighted query terms."""
    scores: dict[str, float] = {}
    if n_docs == 0:
        return scores
    avg_len = avg_len or 1.0
    for term, weight in terms.items():
        plist = postings.get(term)
        if not plist:
            continue
        df = len(plist)
        idf = math.log(1 + (n_docs - df + 0.5) / (df + 0.5))
        for chunk_id, tf in plist:
            dl = doc_len.get(chunk_id, avg_len)
            s = idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * dl / avg_len))
            scores[chunk_id] = scores.get(chunk_id, 0.0) + weight * s
    return scores
