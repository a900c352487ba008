"""Ingestion: files -> documents -> chunks -> vectors -> store, idempotently, with progress."""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .chunking import chunk_document, sentence_spans
from .documents import MAX_FILE_BYTES, Document, LoadError, Skipped, iter_files, limit_text, load_path
from .store import DocWrite, Store, StoreError


@dataclass
class IngestReport:
    docs_added: int = 0
    docs_updated: int = 0
    docs_unchanged: int = 0
    chunks_added: int = 0
    chunks_total: int = 0
    errors: list[dict] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)  # files of a folder that are not articles
    warnings: list[dict] = field(default_factory=list)  # ingested, but not whole (a limit cut the document)
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return {
            "docs_added": self.docs_added,
            "docs_updated": self.docs_updated,
            "docs_unchanged": self.docs_unchanged,
            "chunks_added": self.chunks_added,
            "chunks_total": self.chunks_total,
            "errors": self.errors,
            "skipped": self.skipped,
            "warnings": self.warnings,
        }


ProgressFn = Callable[[int, int, str], None]  # (done, total, label)


def chunker_signature(store: Store) -> str:
    s = store.settings
    return f"v2:{store.embedder.model_id}:{s.chunk_tokens}:{s.chunk_overlap_tokens}"


def load_all(paths: list[Path], report: IngestReport, max_bytes: int = MAX_FILE_BYTES) -> list[Document]:
    """Load every file under ``paths``; per-file/record errors go to ``report.errors``."""
    docs: list[Document] = []
    seen: dict[str, str] = {}
    for path, err in iter_files(paths):
        if isinstance(err, Skipped):
            report.skipped.append({"path": err.path, "reason": err.reason})
            continue
        if err is not None:
            report.errors.append({"path": err.path, "error": err.reason})
            continue
        try:
            loaded, rec_errors = load_path(path, max_bytes)
        except LoadError as e:
            report.errors.append({"path": e.path, "error": e.reason})
            continue
        for e in rec_errors:
            report.errors.append({"path": e.path, "error": e.reason})
        for d in loaded:
            if d.doc_id in seen:
                report.errors.append({"path": d.source if d.source != str(path) else str(path),
                                      "error": f"duplicate document id {d.doc_id!r} (already loaded from {seen[d.doc_id]})"})
                continue
            seen[d.doc_id] = str(path)
            docs.append(d)
    return docs


def ingest(store: Store, paths: list[Path], progress: ProgressFn | None = None) -> IngestReport:
    """Ingest files/folders. Unchanged documents are skipped; changed ones replace their old chunks."""
    t0 = time.perf_counter()
    report = IngestReport()
    docs = load_all(paths, report, int(store.settings.max_file_mb * 1024 * 1024))
    return ingest_documents(store, docs, progress, report, t0)


def ingest_documents(store: Store, docs: list[Document], progress: ProgressFn | None = None,
                     report: IngestReport | None = None, t0: float | None = None) -> IngestReport:
    """Ingest documents already in memory (files go through :func:`ingest`; other readers — LlamaIndex's, a
    crawler — come here). Same rules: unchanged documents skipped, changed ones replaced, one bad one reported."""
    t0 = time.perf_counter() if t0 is None else t0
    report = report or IngestReport()
    # With a Chroma server, embedding runs outside the write lock (it is most of the time) and each batch takes the
    # lock to write: two ingests embed side by side and write in turn. The embedded Chroma is not safe for two
    # writing processes (each holds its own copy of the HNSW index), so there one ingest holds the lock throughout.
    per_batch = bool(store.settings.chroma_host)
    with contextlib.ExitStack() as whole:
        if per_batch:
            with store.write_lock():  # first, finish or undo what a crashed writer left
                pass
        else:
            whole.enter_context(store.write_lock())
        return _ingest_locked(store, docs, progress, report, t0, per_batch)


def _ingest_locked(store: Store, docs: list[Document], progress: ProgressFn | None, report: IngestReport,
                   t0: float, per_batch: bool) -> IngestReport:
    sig = chunker_signature(store)
    emb = store.embedder
    lost = store.docs_missing_vectors()  # e.g. a deleted chroma/ folder: re-embed instead of "unchanged"
    todo: list[tuple[Document, bool]] = []
    for d in docs:
        d, cut = limit_text(d, store.settings.max_doc_chars)
        if cut:
            report.warnings.append({"path": d.source, "warning": f"document {d.doc_id!r}: {cut}"})
        prev = store.doc_signature(d.doc_id)
        if prev == (d.content_hash, sig) and d.doc_id not in lost:
            report.docs_unchanged += 1
            continue
        if prev is not None and prev[0] != d.content_hash:
            old = store.get_document(d.doc_id)
            if old is not None and old.source != d.source and Path(old.source).name == Path(d.source).name \
                    and Path(old.source).resolve() != Path(d.source).resolve() and Path(old.source).is_file():
                # two live files with one name in different folders: never silently replace what is stored
                # (a file that moved, or an upload whose copy is gone, is an update)
                report.errors.append({"path": d.source, "error": (
                    f"document id {d.doc_id!r} already holds {old.source}; not replaced. Remove it first "
                    f"(rag remove {d.doc_id}) or give this file another name")})
                continue
        todo.append((d, prev is not None))
    batch: list[tuple[DocWrite, bool]] = []

    def write(writes: list[DocWrite]) -> None:
        if per_batch:
            with store.write_lock():
                store.write_documents(writes)
        else:
            store.write_documents(writes)

    def flush() -> None:
        # small documents are written together (one Chroma add for the batch); a failed batch is retried
        # one document at a time, so one bad document is reported alone
        group = batch[:]
        batch.clear()
        try:
            write([w for w, _ in group])
            done = group
        except StoreError:  # the index itself cannot be written (read-only, disk full): stop, nothing is lost
            raise
        except (ValueError, RuntimeError):
            done = []
            for w, existed in group:
                try:
                    write([w])
                    done.append((w, existed))
                except (ValueError, RuntimeError) as e:
                    report.errors.append({"path": w.doc.source, "error": f"document {w.doc.doc_id!r}: {e}"})
        for w, existed in done:
            report.chunks_added += len(w.chunks)
            if existed:
                report.docs_updated += 1
            else:
                report.docs_added += 1

    for n, (d, existed) in enumerate(todo):
        if progress:
            progress(n, len(todo), d.doc_id)
        try:
            chunks = chunk_document(d, emb.count_tokens, store.settings.chunk_tokens,
                                    store.settings.chunk_overlap_tokens)
            vectors = emb.embed_passages([c.text for c in chunks])
            # sentence vectors: the answer path selects evidence sentences without embedding at query time
            spans = [(sp.start, sp.end) for sp in sentence_spans(d.text, emb.count_tokens, store.settings.chunk_tokens)]
            svecs = (emb.embed_passages([d.text[a:b] for a, b in spans])
                     if spans and store.settings.sentence_vectors else None)
        except (ValueError, RuntimeError) as e:  # one bad document must not stop the rest
            report.errors.append({"path": d.source, "error": f"document {d.doc_id!r}: {e}"})
            continue
        batch.append((DocWrite(d, sig, chunks, vectors, spans, svecs), existed))
        if sum(len(w.chunks) for w, _ in batch) >= store.settings.write_batch_chunks:
            flush()
    flush()
    if progress:
        progress(len(todo), len(todo), "")
    report.chunks_total = store.chunk_count()
    report.seconds = time.perf_counter() - t0
    return report
