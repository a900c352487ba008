"""Hybrid retrieval: dense (Chroma) + BM25 (SQLite FTS5), language-aware fusion, filters.

Fusion methods:

* ``blend`` — min-max normalize each retriever's scores over the candidate pool, then
  ``w * dense + (1 - w) * bm25``. The dense weight ``w`` is chosen *per passage*: ``dense_weight`` when the
  passage is in the question's language, ``dense_weight_crosslingual`` when it is not (BM25 can only match
  names and numbers across languages; naive fusion then loses to dense alone — STACK.md).
* ``rrf`` — reciprocal-rank fusion ``w/(k + rank_dense) + (1 - w)/(k + rank_bm25)`` with the same weights.
* ``dense`` / ``bm25`` — a single retriever (for ablations).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from .documents import Passage
from .lang import detect_question
from .store import Filters, Store

FUSIONS = ("blend", "rrf", "dense", "bm25")


@dataclass
class RetrievalResult:
    query: str
    lang: str
    passages: list[Passage]
    best_dense: float  # highest dense cosine among candidates (evidence strength, used for abstention)
    ms: float
    qvec: np.ndarray | None = None  # the query embedding (evidence selection reuses it)
    copies_hidden: list[str] = field(default_factory=list)  # syndicated copies among the candidates, left out


def _minmax(scores: dict[str, float]) -> dict[str, float]:
    if not scores:
        return {}
    lo, hi = min(scores.values()), max(scores.values())
    if hi - lo < 1e-12:
        return {k: 1.0 for k in scores}
    return {k: (v - lo) / (hi - lo) for k, v in scores.items()}


class Retriever:
    def __init__(self, store: Store, cache_size: int = 512):
        self.store = store
        self.settings = store.settings
        self._qcache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def embed_query(self, query: str) -> np.ndarray:
        """The query's embedding, from an LRU cache (the eval and the chat ask the same text more than once)."""
        with self._lock:
            v = self._qcache.get(query)
            if v is not None:
                self._qcache.move_to_end(query)
                return v
        v = self.store.embedder.embed_query(query)
        with self._lock:
            self._qcache[query] = v
            while len(self._qcache) > self._cache_size:
                self._qcache.popitem(last=False)
        return v

    def search(self, query: str, k: int | None = None, filters: Filters | None = None,
               fusion: str | None = None, lang: str | None = None) -> RetrievalResult:
        t0 = time.perf_counter()
        s = self.settings
        k = k or s.top_k
        fusion = fusion or s.fusion
        if fusion not in FUSIONS:
            raise ValueError(f"unknown fusion {fusion!r}: choose one of {', '.join(FUSIONS)}")
        lang = lang or detect_question(query)
        pool = max(4 * k, 30)

        dense: list[tuple[str, float]] = []
        qvec = None
        if fusion != "bm25":
            qvec = self.embed_query(query)
            dense = self.store.dense_search(qvec, pool, filters)
        bm25: list[tuple[str, float]] = []
        if fusion != "dense":
            bm25 = self.store.bm25_search(query, pool, filters)

        ids = list(dict.fromkeys([c for c, _ in dense] + [c for c, _ in bm25]))
        found = self.store.passages(ids)  # committed chunks only: skips vectors of a crashed write
        copies: set[str] = set()
        if not (filters and filters.doc_ids):  # a syndicated copy is searched once, as its canonical article
            copies = self.store.copies_among({p.doc_id for p in found.values()})
            found = {c: p for c, p in found.items() if p.doc_id not in copies}
        d_raw = {c: v for c, v in dense if c in found}
        b_raw = {c: v for c, v in bm25 if c in found}

        if fusion == "dense":
            fused = dict(d_raw)
        elif fusion == "bm25":
            fused = dict(b_raw)
        elif fusion == "blend":
            dn, bn = _minmax(d_raw), _minmax(b_raw)
            fused = {}
            for c in found:
                w = s.dense_weight if found[c].lang == lang else s.dense_weight_crosslingual
                fused[c] = w * dn.get(c, 0.0) + (1 - w) * bn.get(c, 0.0)
        else:  # rrf
            d_rank = {c: r for r, c in enumerate(sorted(d_raw, key=lambda x: -d_raw[x]), 1)}
            b_rank = {c: r for r, c in enumerate(sorted(b_raw, key=lambda x: -b_raw[x]), 1)}
            fused = {}
            for c in found:
                w = s.dense_weight if found[c].lang == lang else s.dense_weight_crosslingual
                fused[c] = (w / (s.rrf_k + d_rank[c]) if c in d_rank else 0.0) + (
                    (1 - w) / (s.rrf_k + b_rank[c]) if c in b_rank else 0.0)

        ranked = sorted(fused, key=lambda c: -fused[c])[:k]
        out = []
        for c in ranked:
            p = found[c]
            p.score = float(fused[c])
            p.scores = {"dense": d_raw.get(c, 0.0), "bm25": b_raw.get(c, 0.0)}
            out.append(p)
        best = max(d_raw.values(), default=0.0)
        return RetrievalResult(query=query, lang=lang, passages=out, best_dense=best,
                               ms=(time.perf_counter() - t0) * 1000, qvec=qvec, copies_hidden=sorted(copies))
