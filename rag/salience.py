"""Which sentences hold the news: the extractive half of summaries and briefings.

A small model asked to summarize a whole article writes generic bullets and loses the figures; asked to
restate one sentence it keeps them. So a digest first *picks* sentences, here, with no model call:

* candidates are the article's sentences (the spans embedded at ingest), minus headings in capitals, photo
  captions and fragments;
* a sentence scores for its position (the lead carries the news), its checkable facts (numbers, dates, named
  people and places: ``facts.fact_count``), its centrality (cosine to the article's mean sentence vector,
  standardized within the article) and, for a topic briefing, its similarity to the topic;
* every article gets its best sentence first (coverage), then the best of the rest by maximal marginal
  relevance (a sentence too close to one already picked is a repeat);
* across articles, a later report supersedes an earlier plan: an earlier article's sentence in the future tense
  ("sẽ", "dự kiến", "will", "is expected to") that is close to a sentence of a later article is dropped.

Picked sentences come back as :class:`Pick` records with exact offsets into their article, so a citation
points at the sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from . import facts
from .chunking import sentence_spans
from .evidence import carries_instructions
from .lexical import fold


@dataclass
class Pick:
    doc_id: str
    start: int
    end: int
    text: str
    position: int  # index of the sentence in its article
    score: float
    title: str = ""
    date: str | None = None
    source: str = ""
    lang: str = ""
    chunk_id: str = ""


_FUTURE = re.compile(r"\b(?:sẽ|dự kiến|dự định|kế hoạch|will|is expected to|are expected to|plans? to|is set to|"
                     r"are set to|scheduled)\b", re.I)
_CAPTION = re.compile(r"(?:^|\s)(?:Ảnh|Nguồn|Photo|Source|Video)\s*:", re.I)


def usable(text: str) -> bool:
    """A sentence that can be a bullet: not a heading in capitals, a caption or a fragment."""
    t = text.strip()
    words = re.findall(r"[^\W\d_]+", t)
    if len(words) < 6:
        return False
    letters = [c for c in t if c.isalpha()]
    if letters and sum(c.isupper() for c in letters) / len(letters) > 0.6:
        return False
    return not _CAPTION.search(t)


def _cos(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = a / (np.linalg.norm(a, axis=-1, keepdims=True) + 1e-9)
    b = b / (np.linalg.norm(b, axis=-1, keepdims=True) + 1e-9)
    return a @ b.T


def fact_keys(text: str) -> dict[str, float]:
    """The checkable facts of a sentence as comparable keys, each with its weight: figures and dates count more
    than names (a name recurs in every sentence of a story; a figure is news once)."""
    f = facts.extract(text)
    keys: dict[str, float] = {}
    for surface, vals in f.number_items:
        if vals:
            keys["n:" + str(round(max(vals), 3))] = 1.3 if (vals & f.percents or re.search(r"[%$€£]|USD|tỷ|triệu|billion|million", surface)) else 1.0
    for surface, pairs in f.date_items:
        keys["d:" + str(sorted(pairs))] = 1.0
    for name in f.names:
        keys["p:" + fold(name).lower()] = 0.6
    return keys


class SentencePicker:
    def __init__(self, store, hostile=None, lead_weight: float = 0.35, fact_weight: float = 0.1, central_weight: float = 0.1,
                 topic_weight: float = 0.25, repeat_cos: float = 0.95, supersede_cos: float = 0.93):
        self.store = store
        # the desk's injection detector (patterns and probe); alone, the patterns
        self.hostile = hostile or (lambda d: carries_instructions(getattr(store.get_document(d), "text", "") or ""))
        self.lead_weight, self.fact_weight = lead_weight, fact_weight
        self.central_weight, self.topic_weight = central_weight, topic_weight
        self.repeat_cos, self.supersede_cos = repeat_cos, supersede_cos

    def candidates(self, doc_id: str) -> tuple[list[Pick], np.ndarray]:
        """The article's usable sentences, scored on their own (position, facts, centrality), and their vectors."""
        doc = self.store.get_document(doc_id)
        if doc is None or not doc.text.strip():
            return [], np.zeros((0, 0), dtype=np.float32)
        chunks = self.store.doc_chunks(doc_id)
        spans = sentence_spans(doc.text, self.store.embedder.count_tokens, self.store.settings.chunk_tokens)
        stored = self.store.sentence_vectors(doc_id, 0, len(doc.text))
        missing = [(s.start, s.end) for s in spans if (s.start, s.end) not in stored]
        if missing:  # an index built before sentence vectors were stored
            vecs = self.store.embedder.embed_passages([doc.text[a:b] for a, b in missing])
            stored.update({sp: v for sp, v in zip(missing, vecs)})
        picks, vecs = [], []
        for i, sp in enumerate(spans):
            text = doc.text[sp.start:sp.end].strip()
            if not usable(text):
                continue
            chunk = next((c for c in chunks if c.start <= sp.start < c.end), chunks[0] if chunks else None)
            picks.append(Pick(doc_id, sp.start, sp.end, text, i, 0.0, doc.title or "", doc.date, doc.source or "",
                              getattr(chunk, "lang", "") or "", getattr(chunk, "chunk_id", "") or ""))
            vecs.append(stored[(sp.start, sp.end)])
        if not picks:
            return [], np.zeros((0, 0), dtype=np.float32)
        m = np.vstack(vecs).astype(np.float32)
        central = _cos(m, m.mean(axis=0, keepdims=True))[:, 0]
        z = (central - central.mean()) / (central.std() + 1e-6)
        for k, p in enumerate(picks):
            p.score = self.lead_weight / (1 + k) ** 1.5 + self.central_weight * float(z[k])
        return picks, m

    def ranked(self, doc_ids: list[str], topic_vec: np.ndarray | None = None) -> tuple[list[Pick], list[str]]:
        """Every usable sentence of ``doc_ids`` in the order to use them: the best sentence of each article first
        (coverage), then the rest by score; repeats and superseded plans left out. Notes say what was dropped."""
        notes: list[str] = []
        pool: list[Pick] = []
        vecs: list[np.ndarray] = []
        for d in doc_ids:
            if self.hostile(d):
                notes.append(f"left out article {d}: it carries instructions aimed at the model (prompt injection)")
                continue
            ps, m = self.candidates(d)
            if topic_vec is not None and len(ps) > 1:
                sims = _cos(m, topic_vec[None, :])[:, 0]
                z = (sims - sims.mean()) / (sims.std() + 1e-6)
                for p, s in zip(ps, z):
                    p.score += self.topic_weight * float(s)
            pool += ps
            vecs += list(m)
        if not pool:
            return [], notes
        V = np.vstack(vecs)
        sim = _cos(V, V)
        # a later report supersedes an earlier plan
        alive = [True] * len(pool)
        for i, p in enumerate(pool):
            if not _FUTURE.search(p.text):
                continue
            for j, q in enumerate(pool):
                if (q.date or "") > (p.date or "") and sim[i, j] >= self.supersede_cos:
                    alive[i] = False
                    notes.append(f"superseded by a later report: {p.text[:90]}")
                    break
        keys = [fact_keys(p.text) for p in pool]
        left = [i for i in range(len(pool)) if alive[i]]
        chosen: list[int] = []
        covered: dict[str, float] = {}

        def gain(i: int) -> float:
            new = sum(w for k, w in keys[i].items() if k not in covered)
            # a sentence that adds no fact not already covered is filler here, whatever its position
            return pool[i].score + (self.fact_weight * min(new, 5.0) if new else -0.3)

        def take(i: int) -> None:
            chosen.append(i)
            left.remove(i)
            covered.update(keys[i])

        def repeat(i: int) -> bool:
            return any(sim[i, j] >= self.repeat_cos for j in chosen)

        for d in doc_ids:  # coverage: the best sentence of every article first
            cands = [i for i in left if pool[i].doc_id == d and not repeat(i)]
            if cands:
                take(max(cands, key=gain))
        while left:  # then, greedily, the sentence that adds the most news not yet covered
            cands = [i for i in left if not repeat(i)]
            if not cands:
                break
            take(max(cands, key=gain))
        return [pool[i] for i in chosen], notes
