"""Sentence-aware chunking measured in tokens of the embedding model, with character offsets.

Sentences are packed into chunks of at most ``max_tokens`` (the embedder's own token count), a chunk
prefers to end at a paragraph boundary, and consecutive chunks overlap by whole trailing sentences worth
up to ``overlap_tokens``. A single sentence longer than the budget is split at word boundaries.
Every chunk's text is exactly ``document.text[start:end]``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from .documents import Chunk, Document
from .lang import detect

# Abbreviations after which a period does not end a sentence (Vietnamese and English news usage).
_ABBREV = {
    "tp", "ts", "ths", "pgs", "gs", "bs", "ks", "nxb", "q", "p", "tt", "ubnd", "hđnd", "st",
    "mr", "mrs", "ms", "dr", "prof", "sen", "rep", "gov", "gen", "col", "lt", "sgt", "jr", "sr",
    "inc", "ltd", "co", "corp", "vs", "etc", "no", "fig", "jan", "feb", "mar", "apr", "jun", "jul",
    "aug", "sep", "sept", "oct", "nov", "dec", "u.s", "u.k", "e.g", "i.e", "a.m", "p.m",
}
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s+[\"'“‘«(\[]?[\w\d])")


@dataclass
class Span:
    start: int
    end: int


def split_sentences(text: str) -> list[Span]:
    """Sentence spans (start, end) over ``text``; paragraph breaks always end a sentence."""
    spans: list[Span] = []
    for para in re.finditer(r"[^\n]+", text):
        p_start, p_text = para.start(), para.group(0)
        cur = 0
        for m in _BOUNDARY.finditer(p_text):
            end = m.end()
            before = p_text[cur:m.start()].split()
            last = before[-1].lower().rstrip(".") if before else ""
            # "TS." / "Mr." / initials like "J." are not sentence ends
            if last in _ABBREV or (len(last) == 1 and last.isalpha()):
                continue
            nxt = p_text[end:].lstrip()[:1]
            if nxt and nxt.islower():  # "…, e.g. the" — a lowercase continuation is the same sentence
                continue
            seg = p_text[cur:end]
            if seg.strip():
                s = cur + (len(seg) - len(seg.lstrip()))
                spans.append(Span(p_start + s, p_start + end))
            cur = end
        seg = p_text[cur:]
        if seg.strip():
            s = cur + (len(seg) - len(seg.lstrip()))
            e = cur + len(seg.rstrip())
            spans.append(Span(p_start + s, p_start + e))
    return spans


def _paragraph_ends(text: str) -> set[int]:
    return {m.start() for m in re.finditer(r"\n", text)} | {len(text)}


def _split_long(text: str, span: Span, count: Callable[[str], int], max_tokens: int) -> list[Span]:
    """Split an over-long sentence at word boundaries into pieces that fit."""
    words = list(re.finditer(r"\S+", text[span.start:span.end]))
    out: list[Span] = []
    i = 0
    while i < len(words):
        j = i + 1
        # grow greedily; binary growth would be faster but sentences this long are rare
        while j < len(words) and count(text[span.start + words[i].start(): span.start + words[j].end()]) <= max_tokens:
            j += 1
        a, b = span.start + words[i].start(), span.start + words[j - 1].end()
        if j == i + 1 and count(text[a:b]) > max_tokens:  # one "word" over budget (no spaces: URLs, base64, CJK)
            out.extend(_split_chars(text, a, b, count, max_tokens))
        else:
            out.append(Span(a, b))
        i = j
    return out


def _split_chars(text: str, a: int, b: int, count: Callable[[str], int], max_tokens: int) -> list[Span]:
    """Split text[a:b] into the longest character runs that fit (binary search per piece)."""
    out: list[Span] = []
    while a < b:
        lo, hi = a + 1, b  # the longest end with count(text[a:end]) <= max_tokens; one character at least
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if count(text[a:mid]) <= max_tokens:
                lo = mid
            else:
                hi = mid - 1
        out.append(Span(a, lo))
        a = lo
    return out


def sentence_spans(text: str, count_tokens: Callable[[str], int], max_tokens: int = 160) -> list[Span]:
    """The sentences chunks are built from (an over-long sentence split to fit ``max_tokens``)."""
    sents: list[Span] = []
    for s in split_sentences(text):
        if count_tokens(text[s.start:s.end]) > max_tokens:
            sents.extend(_split_long(text, s, count_tokens, max_tokens))
        else:
            sents.append(s)
    return sents


def chunk_document(
    doc: Document,
    count_tokens: Callable[[str], int],
    max_tokens: int = 160,
    overlap_tokens: int = 40,
) -> list[Chunk]:
    """Chunk ``doc`` into token-bounded, sentence-aligned, overlapping chunks.

    ``count_tokens`` returns the number of content tokens of a text for the embedding model.
    """
    if max_tokens < 16:
        raise ValueError("chunk size must be at least 16 tokens")
    text = doc.text
    sents = sentence_spans(text, count_tokens, max_tokens)
    if not sents:
        return []
    sizes = [count_tokens(text[s.start:s.end]) for s in sents]
    para_ends = _paragraph_ends(text)

    groups: list[tuple[int, int]] = []  # [first, last] sentence indices, inclusive
    i = 0
    while i < len(sents):
        total = sizes[i]
        j = i
        best_para_end = None
        # the real count of the joined span: token counts of sentences do not add up exactly (the tokenizer
        # merges across the joins), and a chunk must never exceed max_tokens
        while (j + 1 < len(sents) and total + sizes[j + 1] <= max_tokens + 8
               and count_tokens(text[sents[i].start:sents[j + 1].end]) <= max_tokens):
            if sents[j].end in para_ends or text[sents[j].end:sents[j + 1].start].count("\n") > 0:
                best_para_end = j
            j += 1
            total += sizes[j]
        # prefer ending at a paragraph boundary if it keeps the chunk at least half full
        if (
            j + 1 < len(sents)
            and best_para_end is not None
            and best_para_end != j
            and sum(sizes[i:best_para_end + 1]) >= max_tokens // 2
        ):
            j = best_para_end
        groups.append((i, j))
        if j + 1 >= len(sents):
            break
        # overlap: trailing whole sentences of this chunk up to overlap_tokens, never the whole chunk
        k, ov = j + 1, 0
        while k - 1 > i and ov + sizes[k - 1] <= overlap_tokens:
            k -= 1
            ov += sizes[k]
        i = k if k <= j else j + 1

    chunks = []
    short_hash = doc.content_hash[:8]
    for n, (a, b) in enumerate(groups):
        start, end = sents[a].start, sents[b].end
        body = text[start:end]
        chunks.append(
            Chunk(
                chunk_id=f"{doc.doc_id}#{short_hash}-{n:04d}",
                doc_id=doc.doc_id,
                text=body,
                start=start,
                end=end,
                index=n,
                lang=detect(body),
            )
        )
    return chunks
