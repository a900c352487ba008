"""Stories: canonical articles grouped, as they arrive, into events followed over days; and a story's timeline.

Contract:

* ``StoryIndex.update()`` assigns every canonical article (``rag.copies``: copies join their canonical's story)
  that has no story yet, oldest first: to the story whose articles dated within ``WINDOW_DAYS`` of it are on
  average most similar to it, when that average reaches ``THRESHOLD``, else to a new story. Similarity of two
  articles = cosine of their embeddings (mean of the stored sentence vectors, centred on a background mean) +
  ``NAME_WEIGHT`` × Jaccard overlap of the names they mention (people, places, organisations: ``rag.facts``). Idempotent; a crash before an article
  is assigned is repaired by the next update.
* ``StoryIndex.stories(since)`` lists stories (title = the headline of the story's first article; article and
  outlet counts counting copies; first and last date).
* ``timeline(desk, story_id)`` gives the story's dated facts in event order: every sentence that states a day
  ("5/2", "5 February") or a relative one ("hôm qua", "yesterday": CLDR's relative day names, via Babel) resolved
  against its article's date, cited to its article and sentence; a fact from a later article that restates an
  earlier one (close sentence embeddings) with another date or figure is marked as changing it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from . import facts

# chosen on the tune stories of evals/data/newsroom_corpus.jsonl (evals/newsroom_bench.py --sweep)
WINDOW_DAYS = 10
NAME_WEIGHT = 0.5
THRESHOLD = 0.4
LINKAGE = "average"
BACKGROUND_FILE = Path(__file__).with_name("data") / "embedding_background.json"


@lru_cache(maxsize=4)
def background(model_id: str) -> np.ndarray | None:
    """The mean article embedding of a broad corpus for this embedding model (``rag/data``), removed before
    comparing two articles: e5's raw cosines between any two articles of one language crowd 0.88-0.93, centred
    ones spread out. None for a model without one (raw cosines then)."""
    d = json.loads(BACKGROUND_FILE.read_text(encoding="utf-8"))
    return np.asarray(d["mean"], dtype=np.float32) if d["embedding"] == model_id else None


@lru_cache(maxsize=1)
def days_ago_patterns() -> list[re.Pattern]:
    """"3 days ago" / "3 ngày trước" from CLDR's relative-time patterns (Babel), one regex per locale and form."""
    from babel import Locale

    out = []
    for loc in ("vi", "en"):
        for pattern in dict(Locale(loc)._data["date_fields"]["day"]["past"]).values():
            out.append(re.compile("^" + re.escape(pattern.lower()).replace(re.escape("{0}"), r"(\d+)") + "$"))
    return out


@lru_cache(maxsize=1)
def relative_days() -> dict[str, int]:
    """Relative day words -> offset in days, Vietnamese and English, from CLDR (Babel)."""
    from babel import Locale

    out: dict[str, int] = {}
    for loc in ("vi", "en"):
        rel = Locale(loc)._data["date_fields"]["day"]["relative"]
        for off, word in dict(rel).items():
            out[word.lower()] = int(off)
    return out


@lru_cache(maxsize=1)
def _month_words() -> set[str]:
    """Month names (CLDR, Babel): capitalized in English, never a name that ties two articles together."""
    from babel.dates import get_month_names

    return {m.lower() for loc in ("en", "vi") for width in ("wide", "abbreviated")
            for m in get_month_names(width, locale=loc).values()}


def names(text: str) -> set[str]:
    """The names an article mentions (lower case), month names trimmed off ("February Tô Lâm" -> "tô lâm")."""
    months = _month_words()
    out = set()
    for n in facts.extract(text).names:
        words = n.lower().split()
        while words and words[0] in months:
            words.pop(0)
        while words and words[-1] in months:
            words.pop()
        if words and len(" ".join(words)) > 2:
            out.add(" ".join(words))
    return out


def _date(s: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(s[:10]) if s else None
    except ValueError:
        return None


@dataclass
class Story:
    id: str
    title: str
    doc_ids: list[str]  # canonical articles, oldest first
    copies: int  # copies of those articles stored besides them
    outlets: int  # distinct sources (outlets) among articles and copies
    first_date: str | None
    last_date: str | None

    def to_dict(self) -> dict:
        return {"id": self.id, "title": self.title, "doc_ids": self.doc_ids, "articles": len(self.doc_ids),
                "copies": self.copies, "outlets": self.outlets, "first_date": self.first_date,
                "last_date": self.last_date}


class StoryIndex:
    def __init__(self, store, window_days: int = WINDOW_DAYS, threshold: float = THRESHOLD,
                 name_weight: float = NAME_WEIGHT, linkage: str = LINKAGE):
        self.store, self.db = store, store.db
        self.window, self.threshold, self.name_weight = window_days, threshold, name_weight
        self.linkage = linkage  # "single": the most similar member decides; "average": the story's members on average
        self._feat: dict[str, tuple[np.ndarray | None, set[str]]] = {}

    def _features(self, doc_id: str) -> tuple[np.ndarray | None, set[str]]:
        if doc_id not in self._feat:
            rows = self.db.execute("SELECT vec FROM sentences WHERE doc_id=?", (doc_id,)).fetchall()
            vec = None
            if rows:
                v = np.mean([np.frombuffer(r[0], dtype=np.float16).astype(np.float32) for r in rows], axis=0)
                v = v / (np.linalg.norm(v) + 1e-9)
                bg = background(self.store.embedding_model)
                if bg is not None:
                    v = v - bg
                vec = v / (np.linalg.norm(v) + 1e-9)
            r = self.db.execute("SELECT title, text FROM docs WHERE doc_id=?", (doc_id,)).fetchone()
            self._feat[doc_id] = (vec, names(f"{r[0] or ''}. {r[1]}") if r else set())
        return self._feat[doc_id]

    def similarity(self, a: str, b: str) -> float:
        va, na = self._features(a)
        vb, nb = self._features(b)
        cos = float(va @ vb) if va is not None and vb is not None else 0.0
        jac = len(na & nb) / len(na | nb) if na and nb else 0.0
        return cos + self.name_weight * jac

    def _canonical_docs(self) -> list[tuple[str, str | None, str]]:
        return self.db.execute(
            "SELECT d.doc_id, d.date, d.content_hash FROM docs d LEFT JOIN doc_sigs s ON s.doc_id = d.doc_id "
            "WHERE d.state='ok' AND s.copy_of IS NULL ORDER BY COALESCE(d.date, ''), d.updated_at, d.doc_id").fetchall()

    def update(self) -> int:
        """Assign every unassigned (or changed) canonical article to a story; returns how many were assigned."""
        docs = self._canonical_docs()
        assigned = dict(self.db.execute("SELECT doc_id, content_hash FROM story_docs"))
        canon = {d for d, _, _ in docs}
        stale = [d for d in assigned if d not in canon]  # removed, or now a copy
        todo = [(d, date, h) for d, date, h in docs if assigned.get(d) != h]
        for d, _, _ in todo:  # new or changed content: its features are read again
            self._feat.pop(d, None)
        if stale:
            with self.store._tx():
                self.db.executemany("DELETE FROM story_docs WHERE doc_id=?", [(d,) for d in stale])
        members = [(d, st, _date(date)) for d, st, date in self.db.execute(
            "SELECT sd.doc_id, sd.story_id, d.date FROM story_docs sd JOIN docs d ON d.doc_id = sd.doc_id")]
        days = [_date(date) for _, date, _ in todo]
        if todo and all(days):  # only articles that can be within the window of a new one are ever compared
            lo = min(days) - dt.timedelta(days=self.window)
            hi = max(days) + dt.timedelta(days=self.window)
            members = [m for m in members if m[2] is None or lo <= m[2] <= hi]
        dim = self.store.embedder.dim
        mat = [self._features(d)[0] if self._features(d)[0] is not None else np.zeros(dim, np.float32)
               for d, _, _ in members]
        for doc_id, date, h in todo:
            when = _date(date)
            vec = self._features(doc_id)[0]
            best, best_sim = None, -1.0
            if members:
                cos = (np.vstack(mat) @ vec) if vec is not None else np.zeros(len(members))
                sims: dict[str, list[float]] = {}
                for i in np.argsort(-cos)[:30]:  # the closest by embedding, then names decide among them
                    other, story, odate = members[i]
                    if other == doc_id or (when and odate and abs((when - odate).days) > self.window):
                        continue
                    sims.setdefault(story, [])
                if self.linkage == "average":
                    for i, (other, story, odate) in enumerate(members):
                        if story in sims and other != doc_id and not (when and odate and abs((when - odate).days) > self.window):
                            sims[story].append(self.similarity(doc_id, other))
                    scored = {st: sum(v) / len(v) for st, v in sims.items() if v}
                else:
                    scored = {}
                    for i in np.argsort(-cos)[:30]:
                        other, story, odate = members[i]
                        if story in sims and other != doc_id and not (when and odate and abs((when - odate).days) > self.window):
                            scored[story] = max(scored.get(story, -1.0), self.similarity(doc_id, other))
                if scored:
                    best = max(scored, key=scored.get)
                    best_sim = scored[best]
            story = best if best is not None and best_sim >= self.threshold else \
                "s" + hashlib.sha1(doc_id.encode("utf-8")).hexdigest()[:10]
            with self.store._tx():
                self.db.execute("INSERT OR REPLACE INTO story_docs VALUES (?,?,?)", (doc_id, story, h))
            old = next((i for i, m in enumerate(members) if m[0] == doc_id), None)
            if old is not None:  # re-assigned after its content changed
                members.pop(old)
                mat.pop(old)
            members.append((doc_id, story, when))
            mat.append(vec if vec is not None else np.zeros(dim, np.float32))
        return len(todo)

    def stories(self, since: str | None = None) -> list[Story]:
        rows = self.db.execute(
            "SELECT sd.story_id, sd.doc_id, d.title, d.date, d.source FROM story_docs sd JOIN docs d "
            "ON d.doc_id = sd.doc_id WHERE d.state='ok' ORDER BY COALESCE(d.date, ''), d.updated_at, d.doc_id").fetchall()
        copies: dict[str, list[tuple[str, str]]] = {}
        for c, canon, src in self.db.execute(
                "SELECT s.doc_id, s.copy_of, d.source FROM doc_sigs s JOIN docs d ON d.doc_id = s.doc_id "
                "WHERE s.copy_of IS NOT NULL AND d.state='ok'"):
            copies.setdefault(canon, []).append((c, src))
        by: dict[str, list] = {}
        for sid, doc, title, date, src in rows:
            by.setdefault(sid, []).append((doc, title or self._lead(doc), date, src))
        out = []
        for sid, docs in by.items():
            dates = sorted(d for _, _, d, _ in docs if d)
            if since and (not dates or dates[-1] < since):
                continue
            outlets = {_outlet(src) for _, _, _, src in docs} | {_outlet(s) for d, *_ in docs for _, s in copies.get(d, [])}
            out.append(Story(sid, next((t for _, t, _, _ in docs if t), docs[0][0]), [d for d, *_ in docs],
                             sum(len(copies.get(d, [])) for d, *_ in docs), len(outlets),
                             dates[0] if dates else None, dates[-1] if dates else None))
        out.sort(key=lambda s: (s.last_date or "", len(s.doc_ids)), reverse=True)
        return out

    def _lead(self, doc_id: str) -> str:
        """An untitled article's first sentence, shortened: what a headline would say."""
        r = self.db.execute("SELECT substr(text, 1, 400) FROM docs WHERE doc_id=?", (doc_id,)).fetchone()
        first = re.split(r"(?<=[.!?])\s", (r[0] if r else "").strip(), maxsplit=1)[0]
        return first if len(first) <= 120 else first[:117].rsplit(" ", 1)[0] + "…"

    def story(self, story_id: str) -> Story | None:
        return next((s for s in self.stories() if s.id == story_id), None)

    def labels(self) -> dict[str, str]:
        """Every stored article (copies included, through their canonical) -> its story id."""
        own = dict(self.db.execute("SELECT doc_id, story_id FROM story_docs"))
        for c, canon in self.db.execute("SELECT doc_id, copy_of FROM doc_sigs WHERE copy_of IS NOT NULL"):
            if canon in own:
                own[c] = own[canon]
        return own


def _outlet(source: str) -> str:
    m = re.match(r"https?://(?:www\.)?([^/:]+)", source or "")
    return m.group(1).lower() if m else (source or "")


# ------------------------------------------------------------------------------------------------
# timelines


@dataclass
class Fact:
    date: str  # the event's date, ISO
    text: str  # the sentence
    doc_id: str
    start: int
    end: int
    reported: str | None  # the article's date
    how: str  # "stated" (a day in the sentence) or "relative" ("hôm qua" resolved against the article's date)
    changes: dict | None = field(default=None)  # the earlier fact this one changes: {doc_id, text, date}
    until: str | None = None  # the last day, when the sentence states a span ("5–6/2")

    def when(self) -> str:
        return self.date if not self.until else f"{self.date} – {self.until}"

    def to_dict(self) -> dict:
        return {"date": self.date, "until": self.until, "text": self.text, "doc_id": self.doc_id, "start": self.start, "end": self.end,
                "reported": self.reported, "how": self.how, "changes": self.changes}


def event_dates(sentence: str, reported: dt.date | None) -> tuple[list[dt.date], str] | None:
    """The days a sentence states, resolved with its article's date (the year; relative days)."""
    f = facts.extract(sentence)
    days = []
    year_m = re.search(r"\b(19|20)\d{2}\b", sentence)
    for surface, pairs in f.date_items:
        y = re.search(r"\b((?:19|20)\d{2})\b", surface)
        for d, m in sorted(pairs):
            year = int(y.group(1)) if y else (reported.year if reported else (int(year_m.group(0)) if year_m else None))
            if year is None:
                continue
            try:
                day = dt.date(year, m, d)
            except ValueError:
                continue
            if reported and not y and (day - reported).days > 200:  # "ngày 28/12" in a January report
                day = day.replace(year=year - 1)
            days.append(day)
    if days:
        return sorted(set(days)), "stated"
    if reported:
        low = sentence.lower()
        for word, off in sorted(relative_days().items(), key=lambda t: -len(t[0])):
            if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", low):
                return [reported + dt.timedelta(days=off)], "relative"
    return None


def timeline(store, story: Story, changed_cosine: float = 0.85) -> list[Fact]:
    from .chunking import sentence_spans

    out: list[Fact] = []
    vecs: list[np.ndarray | None] = []
    seen: set[tuple[str, str]] = set()
    for doc_id in story.doc_ids:
        doc = store.get_document(doc_id)
        if doc is None:
            continue
        reported = _date(doc.date)
        stored = store.sentence_vectors(doc_id, 0, len(doc.text))
        for sp in sentence_spans(doc.text, store.embedder.count_tokens, store.settings.chunk_tokens):
            text = doc.text[sp.start:sp.end].strip()
            if (doc_id, text) in seen:
                continue
            seen.add((doc_id, text))
            got = event_dates(text, reported)
            if not got:
                continue
            days, how = got
            out.append(Fact(days[0].isoformat(), text, doc_id, sp.start, sp.end, doc.date, how,
                            until=days[-1].isoformat() if len(days) > 1 else None))
            vecs.append(stored.get((sp.start, sp.end)))
    # a later report restating an earlier fact with another day or figure changes it
    for i, f in enumerate(out):
        for j in range(i):
            g = out[j]
            if g.doc_id == f.doc_id or (g.reported or "") >= (f.reported or "") or vecs[i] is None or vecs[j] is None:
                continue
            cos = float(np.asarray(vecs[i], dtype=np.float32) @ np.asarray(vecs[j], dtype=np.float32))
            if cos >= changed_cosine and ((g.date, g.until) != (f.date, f.until)
                                          or facts.extract(g.text).numbers != facts.extract(f.text).numbers):
                f.changes = {"doc_id": g.doc_id, "text": g.text, "date": g.date, "until": g.until}
    out.sort(key=lambda x: (x.date, x.reported or "", x.start))
    return out
