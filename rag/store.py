"""The index: Chroma (vectors) + one SQLite database (document registry, chunk records, FTS5 lexical index).

Crash consistency. SQLite is the source of truth for what is searchable; Chroma only holds vectors.
Every document write follows one protocol:

1. SQLite transaction: mark the document ``pending`` and delete its old chunk rows and FTS5 rows;
2. Chroma: delete the document's vectors, add the new ones;
3. SQLite transaction: insert chunk rows and FTS5 rows, mark the document ``ok``.

A run killed anywhere leaves at most ``pending`` documents. Searches only return chunks whose rows exist
(step 3 committed), and the next write operation (``recover``) deletes a pending document's vectors and
rows so that re-running ingest re-adds it: no duplicates, no half documents. Writers from several processes
are serialized with a file lock (Chroma's local SQLite is not safe for concurrent writers).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np

from . import lexical
from .config import Settings
from .documents import Chunk, Document, Passage
from .embeddings import Embedder
from .errors import NewsDeskError

SCHEMA_VERSION = "1"
COLLECTION = "chunks"


class StoreError(NewsDeskError, RuntimeError):
    """The index cannot be opened or used as asked."""


class EmbeddingMismatchError(StoreError):
    pass


@dataclass
class Filters:
    """Retrieval filters: inclusive ISO date range and/or a set of document ids."""

    since: str | None = None
    until: str | None = None
    doc_ids: list[str] | None = None

    def chroma_where(self) -> dict | None:
        conds: list[dict] = []
        if self.since:
            conds.append({"date_int": {"$gte": _date_int(self.since)}})
        if self.until:
            conds.append({"date_int": {"$lte": _date_int(self.until)}})
        if self.doc_ids:
            conds.append({"doc_id": {"$in": list(self.doc_ids)}})
        if not conds:
            return None
        return conds[0] if len(conds) == 1 else {"$and": conds}

    def sql(self) -> tuple[str, list]:
        clauses, args = [], []
        if self.since:
            clauses.append("d.date IS NOT NULL AND d.date >= ?")
            args.append(self.since)
        if self.until:
            clauses.append("d.date IS NOT NULL AND d.date <= ?")
            args.append(self.until)
        if self.doc_ids:
            clauses.append(f"d.doc_id IN ({','.join('?' * len(self.doc_ids))})")
            args.extend(self.doc_ids)
        return (" AND " + " AND ".join(clauses)) if clauses else "", args


def _date_int(iso: str) -> int:
    return int(iso[:10].replace("-", ""))


@dataclass
class DocInfo:
    doc_id: str
    title: str | None
    date: str | None
    source: str
    n_chunks: int
    content_hash: str
    state: str
    updated_at: float
    url: str | None = None
    copy_of: str | None = None  # the canonical article's id when this is a syndicated copy (rag.copies)

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass
class DocWrite:
    """One document to write: its chunks with their vectors, and its sentence spans with theirs."""

    doc: Document
    chunker: str
    chunks: list[Chunk]
    vectors: np.ndarray
    sentences: list[tuple[int, int]] | None = None
    sentence_vectors: np.ndarray | None = None


_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs (
  doc_id TEXT PRIMARY KEY, content_hash TEXT NOT NULL, chunker TEXT NOT NULL, source TEXT NOT NULL,
  title TEXT, date TEXT, url TEXT, text TEXT NOT NULL, n_chunks INTEGER NOT NULL DEFAULT 0,
  state TEXT NOT NULL, updated_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS chunks (
  chunk_id TEXT PRIMARY KEY, doc_id TEXT NOT NULL REFERENCES docs(doc_id), idx INTEGER NOT NULL,
  start INTEGER NOT NULL, "end" INTEGER NOT NULL, text TEXT NOT NULL, lang TEXT NOT NULL, ntok INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
-- the lexical index: FTS5, contentless (the text is stored once, in chunks), row i = chunks.rowid i
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(exact, folded, content='',
  tokenize="unicode61 remove_diacritics 0 tokenchars '_'");
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts_vocab USING fts5vocab(chunks_fts, 'row');
-- sentence vectors (float16) for evidence selection at answer time (schema 2; older indexes lack them and
-- get them computed on demand)
CREATE TABLE IF NOT EXISTS sentences (doc_id TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
  vec BLOB NOT NULL, PRIMARY KEY (doc_id, start));
-- syndicated copies (rag/copies.py): MinHash signatures, their LSH bands, each copy's canonical article
CREATE TABLE IF NOT EXISTS doc_sigs (doc_id TEXT PRIMARY KEY, minhash BLOB NOT NULL, n_shingles INTEGER NOT NULL,
  copy_of TEXT, content_hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS doc_bands (band INTEGER NOT NULL, hash INTEGER NOT NULL, doc_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS doc_bands_key ON doc_bands(band, hash);
CREATE INDEX IF NOT EXISTS doc_bands_doc ON doc_bands(doc_id);
-- stories (rag/stories.py): canonical articles grouped into events followed over days
CREATE TABLE IF NOT EXISTS story_docs (doc_id TEXT PRIMARY KEY, story_id TEXT NOT NULL, content_hash TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS story_docs_story ON story_docs(story_id);
-- feeds (rag/feeds.py) and what the fetcher knows of each URL (conditional GET)
CREATE TABLE IF NOT EXISTS feeds (url TEXT PRIMARY KEY, title TEXT, added_at REAL NOT NULL, last_refresh REAL,
  last_status TEXT, last_error TEXT, items_seen INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS http_cache (url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT, fetched_at REAL);
CREATE TABLE IF NOT EXISTS feed_items (feed_url TEXT NOT NULL, item_key TEXT NOT NULL, doc_id TEXT, seen_at REAL,
  text_hash TEXT,
  PRIMARY KEY (feed_url, item_key));
"""


def _read_only(folder: Path) -> bool:
    """The folder's file system is mounted read-only (root ignores permissions, not a read-only mount)."""
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        return False


class Store:
    """Open (or create) the index at ``settings.index`` for ``embedder``."""

    def __init__(self, settings: Settings, embedder: Embedder):
        self.settings = settings
        self.embedder = embedder
        self.dir = Path(settings.index)
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise StoreError(f"cannot create index folder {self.dir}: {e.strerror or e}") from e
        reg = self.dir / "registry.sqlite"
        self._tx_lock = threading.RLock()
        self._df_cache: dict[str, tuple[int, int]] = {}  # term -> (chunks holding it, index size then)
        try:
            self.db = sqlite3.connect(reg, timeout=60, isolation_level=None, check_same_thread=False)
            # switching to WAL and creating the schema do not wait for another process doing the same ("database
            # is locked" at once): processes opening one index serialize these few statements on a lock file
            with self._open_lock():
                self.db.execute("PRAGMA journal_mode=WAL")
                self.db.execute("PRAGMA synchronous=NORMAL")
                self.db.executescript(_SCHEMA)
                self._check_meta()
                self._migrate()
        except sqlite3.DatabaseError as e:
            if reg.exists() and not os.access(self.dir, os.W_OK | os.X_OK) or _read_only(self.dir):
                # the index is fine: SQLite's write-ahead log needs the folder writable, even to read
                raise StoreError(f"the index folder {self.dir} is read-only ({e}); the index needs a writable folder, "
                                 f"even to search: make it writable, or copy it to a writable place") from e
            raise StoreError(f"the index registry {reg} cannot be read ({e}); move the index folder {self.dir} "
                             f"away and ingest your articles again") from e
        self._collection = None

    @contextlib.contextmanager
    def _open_lock(self) -> Iterator[None]:
        try:
            fh = open(self.dir / ".open.lock", "a")
        except OSError:  # a read-only index: nothing will be created, readers need no lock
            yield
            return
        with fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    # ---- identity -------------------------------------------------------------------------------
    def _meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def _check_meta(self) -> None:
        stored = self._meta("embedding_model")
        if stored is None:
            with self._tx():
                self.db.execute("INSERT OR REPLACE INTO meta VALUES ('embedding_model', ?)", (self.embedder.model_id,))
                self.db.execute("INSERT OR REPLACE INTO meta VALUES ('embedding_dim', ?)", (str(self.embedder.dim),))
                self.db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
        elif stored != self.embedder.model_id:
            raise EmbeddingMismatchError(
                f"the index at {self.dir} was built with embedding model {stored!r}, but {self.embedder.model_id!r} "
                f"was requested. Vectors from different models cannot be mixed. Either use the index's model "
                f"(--embedding / RAG_EMBEDDING), or re-index into a new folder: "
                f"rag --index NEW_DIR --embedding {self.settings.embedding} ingest PATH... "
                f"(or delete {self.dir} and ingest again)."
            )

    def _migrate(self) -> None:
        """Bring an index written by an older version up to date, once, in one transaction (sqlite-utils style:
        each step is named in ``meta`` when done). ``fts5``: BM25 postings moved from a table read into Python to
        SQLite's FTS5 index."""
        if self._meta("lexical") == "fts5":
            return
        with self._tx():
            if self._meta("lexical") == "fts5":  # another process did it first
                return
            rows = self.db.execute("SELECT rowid, text FROM chunks").fetchall()
            self.db.executemany("INSERT INTO chunks_fts(rowid, exact, folded) VALUES (?,?,?)",
                                [(rid, *lexical.fts_columns(text)) for rid, text in rows])
            # ORDER BY rank (ranked inside FTS5) uses our column weights: exact 1.0, folded FOLD_WEIGHT
            self.db.execute("INSERT INTO chunks_fts(chunks_fts, rank) VALUES ('rank', ?)",
                            (f"bm25(1.0, {lexical.FOLD_WEIGHT})",))
            self.db.execute("DROP TABLE IF EXISTS postings")
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('lexical', 'fts5')")

    @property
    def embedding_model(self) -> str:
        return self._meta("embedding_model") or self.embedder.model_id

    # ---- plumbing -------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _tx(self) -> Iterator[None]:
        # one connection serves every thread of a process (the app's workers): one transaction at a time on it
        with self._tx_lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            else:
                self.db.execute("COMMIT")

    @contextlib.contextmanager
    def write_lock(self) -> Iterator[None]:
        """Serialize writers across processes; recovers leftovers of a crashed writer first. The kernel drops the
        lock of a process that dies, so a killed writer never blocks the next one. A folder that cannot be written
        (read-only, full) is a :class:`StoreError` naming it, and what is stored stays as it was."""
        try:
            fh = open(self.dir / ".write.lock", "w")
        except OSError as e:
            raise StoreError(f"cannot write to the index folder {self.dir}: {e.strerror or e}") from e
        with fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:  # another writer: say so, then wait for it (the kernel frees a dead one's lock)
                holder = (self.dir / ".write.pid").read_text().strip() if (self.dir / ".write.pid").exists() else "?"
                logging.getLogger("rag.store").warning(
                    "another ingest (pid %s) is writing to %s; waiting for it to finish", holder, self.dir)
                fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                (self.dir / ".write.pid").write_text(str(os.getpid()))
            except OSError:
                pass
            try:
                self.recover()
                yield
            except sqlite3.OperationalError as e:  # "database or disk is full", "attempt to write a readonly ..."
                raise StoreError(f"cannot write to the index {self.dir / 'registry.sqlite'}: {e}. Nothing already "
                                 f"stored was changed; free space or fix permissions and ingest again") from e
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    @property
    def collection(self):
        if self._collection is None:
            with self._tx_lock:  # several threads asking first: one opens it
                if self._collection is None:
                    self._open_collection()
        return self._collection

    def _open_collection(self) -> None:
        if self._collection is None:
            import chromadb
            from chromadb.config import Settings as ChromaSettings

            chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
            try:
                if self.settings.chroma_host:
                    client = chromadb.HttpClient(host=self.settings.chroma_host, port=self.settings.chroma_port,
                                                 settings=chroma_settings)
                    name = "rag_" + hashlib.sha1(str(self.dir.resolve()).encode()).hexdigest()[:12]
                    name = self._meta("chroma_collection") or name
                else:
                    client = chromadb.PersistentClient(path=str(self.dir / "chroma"), settings=chroma_settings)
                    name = COLLECTION
            except Exception as e:  # connection errors come in several types
                where = (f"Chroma server {self.settings.chroma_host}:{self.settings.chroma_port}"
                         if self.settings.chroma_host else f"{self.dir / 'chroma'}")
                if not self.settings.chroma_host and (_read_only(self.dir) or "readonly" in str(e)):
                    raise StoreError(f"the index folder {self.dir} is read-only (Chroma: {e}); the index needs a "
                                     f"writable folder, even to search: make it writable, or copy it to a writable "
                                     f"place (the index itself is not damaged)") from e
                raise StoreError(f"cannot open Chroma at {where}: {e}") from e
            # embedding_function=None: we always pass our own vectors; Chroma's default would download a model
            try:
                self._max_batch = max(1, int(client.get_max_batch_size()))
            except Exception:  # an older server without the endpoint
                self._max_batch = 1000
            # HNSW parameters are fixed when a collection is created (an existing one keeps its own; Chroma 1.5
            # ignores a later change of ef_search): recall@10 against exact search on 10k real chunk vectors was
            # 0.997 at ef_search 100 and 0.999 at 200, for +0.1 ms (evals/bench_hnsw.py)
            self._collection = client.get_or_create_collection(
                name=name, embedding_function=None,
                metadata={"embedding_model": self.embedder.model_id},
                configuration={"hnsw": {"space": "cosine", "max_neighbors": self.settings.hnsw_m,
                                        "ef_construction": 100, "ef_search": self.settings.hnsw_ef_search}},
            )
            if self._meta("chroma_collection") is None:
                with self._tx():
                    self.db.execute("INSERT OR REPLACE INTO meta VALUES ('chroma_collection', ?)", (name,))

    # ---- writes ---------------------------------------------------------------------------------
    def recover(self) -> list[str]:
        """Finish or undo writes a crashed run left behind. Returns the doc ids cleaned up."""
        pending = [r[0] for r in self.db.execute("SELECT doc_id FROM docs WHERE state != 'ok'")]
        for doc_id in pending:
            self.collection.delete(where={"doc_id": doc_id})
            with self._tx():
                self._delete_rows(doc_id)
                self.db.execute("DELETE FROM docs WHERE doc_id=?", (doc_id,))
        return pending

    def _delete_rows(self, doc_id: str) -> None:
        # a contentless FTS5 row is deleted by giving it back the values it was indexed with
        rows = self.db.execute("SELECT rowid, text FROM chunks WHERE doc_id=?", (doc_id,)).fetchall()
        self.db.executemany("INSERT INTO chunks_fts(chunks_fts, rowid, exact, folded) VALUES ('delete', ?, ?, ?)",
                            [(rid, *lexical.fts_columns(text)) for rid, text in rows])
        self.db.execute("DELETE FROM chunks WHERE doc_id=?", (doc_id,))
        self.db.execute("DELETE FROM sentences WHERE doc_id=?", (doc_id,))

    def doc_signature(self, doc_id: str) -> tuple[str, str] | None:
        row = self.db.execute("SELECT content_hash, chunker FROM docs WHERE doc_id=? AND state='ok'", (doc_id,)).fetchone()
        return (row[0], row[1]) if row else None

    def write_document(self, doc: Document, chunker: str, chunks: list[Chunk], vectors: np.ndarray,
                       sentences: list[tuple[int, int]] | None = None, sentence_vectors: np.ndarray | None = None) -> None:
        """Add or replace ``doc`` with its chunks and their vectors (call inside ``write_lock``).

        ``sentences`` (character spans) and ``sentence_vectors`` are stored for evidence selection."""
        self.write_documents([DocWrite(doc, chunker, chunks, vectors, sentences, sentence_vectors)])

    def write_documents(self, writes: list[DocWrite]) -> None:
        """Add or replace several documents with the three steps of the crash protocol done once for all of
        them (call inside ``write_lock``): a Chroma add costs ~30 ms however few vectors it carries, so a batch of
        small documents is written many times faster than one document at a time. A crash leaves all of them
        ``pending``, and ``recover`` removes them as it does one."""
        if not writes:
            return
        now = time.time()
        ids = [w.doc.doc_id for w in writes]
        with self._tx():  # 1. intent
            known = {r[0] for r in self.db.execute(
                f"SELECT doc_id FROM docs WHERE doc_id IN ({','.join('?' * len(ids))})", ids)}
            for w in writes:
                d = w.doc
                self._delete_rows(d.doc_id)
                self.db.execute(
                    "INSERT OR REPLACE INTO docs (doc_id, content_hash, chunker, source, title, date, url, text, "
                    "n_chunks, state, updated_at) VALUES (?,?,?,?,?,?,?,?,?, 'pending', ?)",
                    (d.doc_id, d.content_hash, w.chunker, d.source, d.title, d.date, d.url, d.text, len(w.chunks), now))
        col = self.collection  # 2. vectors (a document the registry never held has none to delete)
        if known:
            col.delete(where={"doc_id": {"$in": sorted(known)}})
        rows = [(c, w.vectors[i], w.doc) for w in writes for i, c in enumerate(w.chunks)]
        step = getattr(self, "_max_batch", 1000)  # Chroma refuses one add larger than its max batch (5,461)
        for i in range(0, len(rows), step):
            part = rows[i:i + step]
            # no documents=: the text lives in SQLite only (Chroma would store it again and index it for search)
            col.add(ids=[c.chunk_id for c, _, _ in part], embeddings=[v.tolist() for _, v, _ in part],
                    metadatas=[{"doc_id": c.doc_id, "idx": c.index, "lang": c.lang,
                                "date_int": _date_int(d.date) if d.date else 0} for c, _, d in part])
        with self._tx():  # 3. commit: rows + FTS5 rows, state ok
            for w in writes:
                for c in w.chunks:
                    exact, folded = lexical.fts_columns(c.text)
                    cur = self.db.execute("INSERT INTO chunks VALUES (?,?,?,?,?,?,?,?)",
                                          (c.chunk_id, c.doc_id, c.index, c.start, c.end, c.text, c.lang,
                                           exact.count(" ") + 1 if exact else 0))
                    self.db.execute("INSERT INTO chunks_fts(rowid, exact, folded) VALUES (?,?,?)",
                                    (cur.lastrowid, exact, folded))
                if w.sentences and w.sentence_vectors is not None:
                    self.db.executemany("INSERT OR REPLACE INTO sentences VALUES (?,?,?,?)",
                                        [(w.doc.doc_id, a, b, v.astype(np.float16).tobytes())
                                         for (a, b), v in zip(w.sentences, w.sentence_vectors)])
            self.db.executemany("UPDATE docs SET state='ok' WHERE doc_id=?", [(i,) for i in ids])

    def remove_document(self, doc_id: str) -> bool:
        """Delete one document (call inside ``write_lock``). False if it is not in the index."""
        if not self.db.execute("SELECT 1 FROM docs WHERE doc_id=?", (doc_id,)).fetchone():
            return False
        with self._tx():
            self.db.execute("UPDATE docs SET state='deleting' WHERE doc_id=?", (doc_id,))
        self.collection.delete(where={"doc_id": doc_id})
        with self._tx():
            self._delete_rows(doc_id)
            self.db.execute("DELETE FROM docs WHERE doc_id=?", (doc_id,))
        return True

    # ---- reads ----------------------------------------------------------------------------------
    def list_docs(self) -> list[DocInfo]:
        rows = self.db.execute(
            "SELECT doc_id, title, date, source, n_chunks, content_hash, state, updated_at, url FROM docs "
            "ORDER BY date, doc_id"
        ).fetchall()
        return [DocInfo(*r) for r in rows]

    def copies_among(self, doc_ids: set[str]) -> set[str]:
        """Those of ``doc_ids`` that are syndicated copies of another stored article (``rag.copies``)."""
        if not doc_ids:
            return set()
        ids = sorted(doc_ids)
        return {r[0] for r in self.db.execute(
            f"SELECT doc_id FROM doc_sigs WHERE copy_of IS NOT NULL AND doc_id IN ({','.join('?' * len(ids))})", ids)}

    def copy_sources(self, doc_id: str) -> list[str]:
        """The sources (URLs or files) of an article's syndicated copies."""
        return [r[0] for r in self.db.execute(
            "SELECT d.source FROM doc_sigs s JOIN docs d ON d.doc_id = s.doc_id WHERE s.copy_of=? AND d.state='ok'",
            (doc_id,))]

    def get_document(self, doc_id: str) -> Document | None:
        r = self.db.execute("SELECT doc_id, text, source, title, date, url FROM docs WHERE doc_id=? AND state='ok'",
                            (doc_id,)).fetchone()
        return Document(*r) if r else None

    def stats(self) -> dict:
        n_docs = self.db.execute("SELECT COUNT(*) FROM docs WHERE state='ok'").fetchone()[0]
        n_pending = self.db.execute("SELECT COUNT(*) FROM docs WHERE state!='ok'").fetchone()[0]
        n_chunks = self.db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
        n_vectors = self.collection.count()
        out = {
            "index": str(self.dir),
            "documents": n_docs,
            "chunks": n_chunks,
            "vectors": n_vectors,
            "pending_documents": n_pending,
            "embedding_model": self.embedding_model,
            "embedding_dim": self.embedder.dim,
            "chroma": (f"http://{self.settings.chroma_host}:{self.settings.chroma_port}"
                       if self.settings.chroma_host else "embedded"),
        }
        if n_vectors < n_chunks:
            out["warning"] = (f"{n_chunks - n_vectors} chunks have no vector (was the chroma folder deleted?): search "
                              f"uses keywords only for them; ingest the same files again to re-embed them")
        return out

    def chunk_count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]

    def passages(self, chunk_ids: list[str]) -> dict[str, Passage]:
        """Chunk rows (committed only) joined with their document's metadata."""
        out: dict[str, Passage] = {}
        for i in range(0, len(chunk_ids), 500):
            part = chunk_ids[i:i + 500]
            rows = self.db.execute(
                f"SELECT c.chunk_id, c.doc_id, c.text, c.start, c.\"end\", c.lang, d.title, d.date, d.source "
                f"FROM chunks c JOIN docs d ON d.doc_id=c.doc_id AND d.state='ok' "
                f"WHERE c.chunk_id IN ({','.join('?' * len(part))})", part).fetchall()
            for cid, did, text, s, e, lang, title, date, source in rows:
                out[cid] = Passage(chunk_id=cid, doc_id=did, text=text, score=0.0, title=title, date=date,
                                   source=source, start=s, end=e, lang=lang)
        return out

    def doc_chunks(self, doc_id: str) -> list[Passage]:
        ids = [r[0] for r in self.db.execute("SELECT chunk_id FROM chunks WHERE doc_id=? ORDER BY idx", (doc_id,))]
        ps = self.passages(ids)
        return [ps[i] for i in ids if i in ps]

    def sentence_vectors(self, doc_id: str, start: int, end: int) -> dict[tuple[int, int], np.ndarray]:
        """Stored sentence vectors of ``doc_id`` whose span lies inside [start, end)."""
        rows = self.db.execute('SELECT start, "end", vec FROM sentences WHERE doc_id=? AND start>=? AND "end"<=?',
                               (doc_id, start, end)).fetchall()
        return {(a, b): np.frombuffer(v, dtype=np.float16).astype(np.float32) for a, b, v in rows}

    def docs_missing_vectors(self) -> set[str]:
        """Committed documents with chunks that Chroma does not hold (a lost or truncated ``chroma/`` folder).
        Cheap when nothing is missing: only the counts are compared."""
        n = self.chunk_count()
        if n == 0 or self.collection.count() >= n:
            return set()
        have = set(self.collection.get(include=[])["ids"])
        rows = self.db.execute("SELECT c.chunk_id, c.doc_id FROM chunks c JOIN docs d ON d.doc_id=c.doc_id "
                               "WHERE d.state='ok'").fetchall()
        return {doc for cid, doc in rows if cid not in have}

    def dense_search(self, qvec: np.ndarray, n: int, filters: Filters | None = None) -> list[tuple[str, float]]:
        """Top-n chunk ids by cosine similarity (committed chunks only)."""
        total = self.collection.count()
        if total == 0:
            return []
        fsql, fargs = (filters or Filters()).sql()
        if fsql and not filters.doc_ids:
            # a date range: Chroma's filtered HNSW query is slow on a large index (113 ms median at 100k chunks),
            # so the nearest neighbours come unfiltered, deeper, and the registry applies the range; only a range
            # so narrow that too few survive goes to Chroma's filter
            depth = min(total, max(10 * n, 300))
            res = self.collection.query(query_embeddings=[qvec.tolist()], n_results=depth, include=["distances"])
            ids, dists = res["ids"][0], res["distances"][0]
            ok = {r[0] for r in self.db.execute(
                f"SELECT c.chunk_id FROM chunks c JOIN docs d ON d.doc_id=c.doc_id "
                f"WHERE c.chunk_id IN ({','.join('?' * len(ids))}){fsql}", ids + fargs)} if ids else set()
            found = [(cid, 1.0 - float(d)) for cid, d in zip(ids, dists) if cid in ok][:n]
            if len(found) >= n or depth >= total:
                return found
        res = self.collection.query(query_embeddings=[qvec.tolist()], n_results=min(n, total),
                                    where=filters.chroma_where() if filters else None,
                                    include=["distances"])
        ids, dists = res["ids"][0], res["distances"][0]
        return [(cid, 1.0 - float(d)) for cid, d in zip(ids, dists)]

    def _document_frequencies(self, terms: list[str], n_docs: int) -> dict[str, int]:
        """Chunks holding each term. FTS5 counts them by reading the term's postings — as slow as the search for a
        common syllable — so counts are kept in memory and refreshed once the index has grown or shrunk by a
        tenth (they only decide which syllables are too common to read)."""
        cache = self._df_cache
        fresh = {t: cache[t][0] for t in terms if t in cache and abs(cache[t][1] - n_docs) <= 0.1 * max(n_docs, 1)}
        missing = [t for t in terms if t not in fresh]
        if missing:
            got = dict(self.db.execute(
                f"SELECT term, doc FROM chunks_fts_vocab WHERE term IN ({','.join('?' * len(missing))})",
                missing).fetchall())
            for t in missing:
                fresh[t] = got.get(t, 0)
                cache[t] = (fresh[t], n_docs)
            if len(cache) > 200_000:
                cache.clear()
        return fresh

    def bm25_search(self, query: str, n: int, filters: Filters | None = None) -> list[tuple[str, float]]:
        """BM25 (exact + FOLD_WEIGHT × folded syllables) by SQLite FTS5, reading a bounded number of postings: the
        most common syllables of the query are left out when rarer ones fill the budget (``lexical.fts_query``)."""
        toks = lexical.fts_tokens(query)
        if not toks:
            return []
        toks = list(dict.fromkeys(toks + [lexical.fold(t) for t in toks]))
        n_docs = self.db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
        df = self._document_frequencies(toks, n_docs)
        match = lexical.fts_query(query, df, n_docs)
        if not match:
            return []
        fsql, fargs = (filters or Filters()).sql()
        w = f"1.0, {lexical.FOLD_WEIGHT}"
        # FTS5 ranks and cuts inside the module when the query reads only its table (a join would score and sort
        # every match first); the committed chunks that pass the filters are then looked up for the rows it
        # returns — with a filter, from a deeper cut, and by the full join only if that leaves too few
        depth = n if not fsql else 8 * n
        hits = self.db.execute(f"SELECT rowid, -bm25(chunks_fts, {w}) FROM chunks_fts WHERE chunks_fts MATCH ? "
                               f"ORDER BY rank LIMIT ?", [match, depth]).fetchall()
        ok = dict(self.db.execute(
            f"SELECT c.rowid, c.chunk_id FROM chunks c JOIN docs d ON d.doc_id=c.doc_id AND d.state='ok' "
            f"WHERE c.rowid IN ({','.join('?' * len(hits))}){fsql}", [r for r, _ in hits] + fargs).fetchall()) if hits else {}
        found = [(ok[r], float(sc)) for r, sc in hits if r in ok][:n]
        if not fsql or len(found) >= n or len(hits) < depth:
            return found
        rows = self.db.execute(
            f"SELECT c.chunk_id, -bm25(chunks_fts, {w}) FROM chunks_fts JOIN chunks c ON c.rowid = chunks_fts.rowid "
            f"JOIN docs d ON d.doc_id=c.doc_id AND d.state='ok' WHERE chunks_fts MATCH ?{fsql} "
            f"ORDER BY bm25(chunks_fts, {w}) LIMIT ?", [match, *fargs, n]).fetchall()
        return [(cid, float(sc)) for cid, sc in rows]

    def close(self) -> None:
        self.db.close()


def describe(store: Store) -> str:
    return json.dumps(store.stats(), ensure_ascii=False)
