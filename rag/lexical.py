"""BM25 over Vietnamese-aware tokens.

Vietnamese writes one syllable per space-separated token, so lower-cased Unicode word tokens *are*
syllables with their diacritics ("thương", "mại"); word segmentation (pyvi/underthesea) gave no consistent
gain here (STACK.md). Each chunk is indexed in two fields:

* exact — syllables with diacritics (tone marks distinguish words: "bán" sell vs "bạn" friend);
* folded — diacritics stripped, đ→d, so a query typed without accents ("kim ngach thuong mai") still matches.

The score is ``bm25(exact) + FOLD_WEIGHT * bm25(folded)``, computed by SQLite's FTS5 (its ``bm25()`` with column
weights) over an inverted index in the store's SQLite database (see store.py), updated in the same transaction
as the document registry. :func:`bm25_scores` is the same formula in Python, kept as the reference the tests
compare FTS5's ranking with.
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


def fts_columns(text: str) -> tuple[str, str]:
    """The two FTS5 columns of a chunk: its tokens with diacritics, and folded. Separators inside numbers become
    "_" (a token character of the FTS tokenizer), so "2,6" stays one token as in :func:`tokenize`."""
    toks = [re.sub(r"[.,]", "_", t) for t in tokenize(text)]
    return " ".join(toks), " ".join(fold(t) for t in toks)


def fts_tokens(text: str) -> list[str]:
    """The query's distinct tokens as the FTS5 columns spell them."""
    return list(dict.fromkeys(re.sub(r"[.,]", "_", t) for t in tokenize(text)))


def fts_query(text: str, df: dict[str, int] | None = None, n_docs: int = 0, max_df: float = 0.5,
              max_postings: int = 6000) -> str:
    """An FTS5 MATCH expression: any query token, exact or folded.

    With ``df`` (chunks holding each exact and folded token), the work of a query is bounded: tokens are taken
    rarest first while the postings they make FTS5 read stay within ``max_postings``; the common syllables
    ("của", "và", "là", "được") that would push past it are left out — always after the rarer ones, whose idf
    carries the ranking. Tokens in more than ``max_df`` of the chunks never count (past half of the chunks FTS5's
    idf, log((N - df + 0.5) / (df + 0.5)), is floored at ~0). On a small index nothing is left out; on an archive
    the query reads a bounded number of postings however many chunks hold a common syllable."""
    toks = fts_tokens(text)
    if df is not None and n_docs:
        cost = {t: df.get(t, 0) + (df.get(fold(t), 0) if fold(t) != t else 0) for t in toks}
        useful = [t for t in toks if df.get(t, 0) <= max_df * n_docs] or toks
        kept, total = [], 0
        for t in sorted(useful, key=lambda t: cost[t]):
            if kept and total + cost[t] > max_postings:
                break
            kept.append(t)
            total += cost[t]
        toks = [t for t in toks if t in kept]
    if not toks:
        return ""
    q = lambda ts: " OR ".join('"' + t.replace('"', '""') + '"' for t in dict.fromkeys(ts))  # noqa: E731
    return f"exact : ({q(toks)}) OR folded : ({q(fold(t) for t in toks)})"


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
