"""Syndicated copies: near-duplicate articles grouped under one canonical article.

A Vietnamese agency report reappears on many sites with a new headline, a credit line, a paragraph trimmed or
moved. Contract:

* every stored document gets a MinHash signature of its word 5-shingles (``datasketch``, 128 permutations) and its
  shingle count; the signature's 32 bands of 4 rows are stored in SQLite (``doc_bands``), so candidates are one
  indexed query (locality-sensitive hashing; a pair with Jaccard 0.42 is a candidate half the time, 0.6 nearly
  always);
* a candidate pair is a copy when the smaller article is mostly contained in the larger (containment estimated from
  the signatures and the sizes: ≥ ``CONTAINED``) and their sizes are comparable (≥ ``MIN_SIZE_RATIO``), or, in the
  band just below, when their embeddings (mean of the stored sentence vectors) are nearly the same
  (≥ ``SECOND_LOOK_COSINE``) — and, when both are dated, they are at most ``WINDOW_DAYS`` apart;
* a copy points at its group's canonical article (``copy_of``): the first of the group the desk grouped (among
  articles grouped together, the earliest dated, then the first stored). Removing a canonical article makes the
  next member canonical.

Grouping is a catch-up over documents whose signature is missing or stale (``update``), so it is idempotent and a
crash between writing a document and grouping it is repaired by the next ingest.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import struct
from dataclasses import dataclass

import numpy as np

NUM_PERM = 128
BANDS, ROWS = 32, 4
SHINGLE = 5
CONTAINED = 0.75
MIN_SIZE_RATIO = 0.35
SECOND_LOOK = 0.5  # containment from which the embedding decides
SECOND_LOOK_COSINE = 0.96
WINDOW_DAYS = 7

_WORD = re.compile(r"\w+", re.UNICODE)


def shingles(text: str, k: int = SHINGLE) -> set[str]:
    words = _WORD.findall(text.lower())
    if len(words) < k:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i:i + k]) for i in range(len(words) - k + 1)}


def signature(text: str) -> tuple[np.ndarray, int]:
    """MinHash hash values (uint64, ``NUM_PERM``) and the shingle count of ``text``."""
    from datasketch import MinHash

    sh = shingles(text)
    m = MinHash(num_perm=NUM_PERM, seed=1)
    m.update_batch([s.encode("utf-8") for s in sh])
    return m.hashvalues.astype(np.uint64), len(sh)


def bands(hv: np.ndarray) -> list[tuple[int, int]]:
    out = []
    for b in range(BANDS):
        chunk = hv[b * ROWS:(b + 1) * ROWS].tobytes()
        out.append((b, struct.unpack("<q", hashlib.blake2b(chunk, digest_size=8).digest())[0]))
    return out


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean(a == b))


def containment(j: float, na: int, nb: int) -> float:
    """Share of the smaller shingle set inside the larger, from their Jaccard estimate and sizes."""
    if not na or not nb:
        return 0.0
    inter = j * (na + nb) / (1 + j)
    return min(1.0, inter / min(na, nb))


@dataclass
class Verdict:
    copy: bool
    jaccard: float
    containment: float
    cosine: float | None = None


def _days_apart(a: str | None, b: str | None) -> int | None:
    try:
        return abs((dt.date.fromisoformat(a[:10]) - dt.date.fromisoformat(b[:10])).days) if a and b else None
    except ValueError:
        return None


def judge(hv_a, n_a, hv_b, n_b, date_a=None, date_b=None, cosine=None) -> Verdict:
    """Whether two articles are copies of one report (see the module's contract). ``cosine``: a callable giving
    the embedding cosine, asked only in the second-look band."""
    j = jaccard(hv_a, hv_b)
    c = containment(j, n_a, n_b)
    days = _days_apart(date_a, date_b)
    if days is not None and days > WINDOW_DAYS:
        return Verdict(False, j, c)
    ratio = min(n_a, n_b) / max(n_a, n_b) if n_a and n_b else 0.0
    if ratio < MIN_SIZE_RATIO:
        return Verdict(False, j, c)
    if c >= CONTAINED:
        return Verdict(True, j, c)
    if c >= SECOND_LOOK and cosine is not None:
        cos = cosine()
        return Verdict(cos is not None and cos >= SECOND_LOOK_COSINE, j, c, cos)
    return Verdict(False, j, c)


class CopyIndex:
    """The copy groups of one index (tables ``doc_sigs`` and ``doc_bands`` in its registry)."""

    def __init__(self, store):
        self.store = store
        self.db = store.db

    def _centroid(self, doc_id: str) -> np.ndarray | None:
        rows = self.db.execute("SELECT vec FROM sentences WHERE doc_id=?", (doc_id,)).fetchall()
        if not rows:
            return None
        v = np.mean([np.frombuffer(r[0], dtype=np.float16).astype(np.float32) for r in rows], axis=0)
        return v / (np.linalg.norm(v) + 1e-9)

    def stale(self) -> list[str]:
        """Stored documents with no signature, or one computed from other content."""
        return [r[0] for r in self.db.execute(
            "SELECT d.doc_id FROM docs d LEFT JOIN doc_sigs s ON s.doc_id = d.doc_id "
            "WHERE d.state='ok' AND (s.doc_id IS NULL OR s.content_hash != d.content_hash) "
            "ORDER BY COALESCE(d.date, ''), d.rowid")]

    def update(self, doc_ids: list[str] | None = None, hostile=None) -> list[str]:
        """Sign and group every stale document (or these); returns the ids grouped as copies. ``hostile(doc_id)``:
        an article that carries instructions aimed at a model is signed but never grouped — it neither hides a
        clean copy as its canonical nor hides behind one (the answer path leaves it out by name)."""
        todo = self.stale() if doc_ids is None else doc_ids
        copies = []
        for doc_id in todo:
            r = self.db.execute("SELECT text, date, content_hash FROM docs WHERE doc_id=? AND state='ok'",
                                (doc_id,)).fetchone()
            if r is None:
                continue
            text, date, chash = r
            hv, n = signature(text)
            isolated = bool(hostile and hostile(doc_id))
            canon = None if isolated else self._canonical_for(doc_id, hv, n, date)
            with self.store._tx():
                self._forget(doc_id)
                self.db.execute("INSERT INTO doc_sigs VALUES (?,?,?,?,?)", (doc_id, hv.tobytes(), n, canon, chash))
                if not isolated:  # no bands: never found as a candidate
                    self.db.executemany("INSERT INTO doc_bands VALUES (?,?,?)", [(b, h, doc_id) for b, h in bands(hv)])
            if canon:
                copies.append(doc_id)
        return copies

    def _canonical_for(self, doc_id, hv, n, date) -> str | None:
        bs = bands(hv)
        cands = {r[0] for r in self.db.execute(
            "SELECT DISTINCT doc_id FROM doc_bands WHERE " + " OR ".join(["(band=? AND hash=?)"] * len(bs)),
            [x for b in bs for x in b]) if r[0] != doc_id}
        best, best_c = None, 0.0
        mine = None
        for c in sorted(cands):
            row = self.db.execute("SELECT s.minhash, s.n_shingles, s.copy_of, d.date FROM doc_sigs s JOIN docs d "
                                  "ON d.doc_id = s.doc_id WHERE s.doc_id=?", (c,)).fetchone()
            if row is None:
                continue
            hv_c = np.frombuffer(row[0], dtype=np.uint64)

            def cosine(c=c):
                nonlocal mine
                mine = self._centroid(doc_id) if mine is None else mine
                other = self._centroid(c)
                return float(mine @ other) if mine is not None and other is not None else None

            v = judge(hv, n, hv_c, row[1], date, row[3], cosine)
            if v.copy and v.containment > best_c:
                best, best_c = (row[2] or c), v.containment
        return best

    def _forget(self, doc_id: str) -> None:
        self.db.execute("DELETE FROM doc_sigs WHERE doc_id=?", (doc_id,))
        self.db.execute("DELETE FROM doc_bands WHERE doc_id=?", (doc_id,))

    def remove(self, doc_id: str) -> None:
        """Forget a removed document; its copies get the next member as their canonical."""
        members = [r[0] for r in self.db.execute(
            "SELECT s.doc_id FROM doc_sigs s JOIN docs d ON d.doc_id = s.doc_id WHERE s.copy_of=? "
            "ORDER BY COALESCE(d.date, ''), d.rowid", (doc_id,))]
        with self.store._tx():
            self._forget(doc_id)
            if members:
                self.db.execute("UPDATE doc_sigs SET copy_of=NULL WHERE doc_id=?", (members[0],))
                self.db.executemany("UPDATE doc_sigs SET copy_of=? WHERE doc_id=?", [(members[0], m) for m in members[1:]])

    def copy_of(self) -> dict[str, str | None]:
        """Every signed document -> its canonical's id (None for a canonical article)."""
        return dict(self.db.execute("SELECT doc_id, copy_of FROM doc_sigs"))

    def groups(self) -> dict[str, list[str]]:
        """Canonical id -> its copies (canonical articles without copies included, with [])."""
        out: dict[str, list[str]] = {}
        for d, c in sorted(self.copy_of().items()):
            if c is None:
                out.setdefault(d, [])
        for d, c in sorted(self.copy_of().items()):
            if c is not None:
                out.setdefault(c, []).append(d)
        return out
