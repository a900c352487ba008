"""``rag doctor``: what is wrong with this desk's index and models, and how to repair it.

Each check reads the index directly where it can (so a damaged part is named, not a traceback), says ``ok``,
``warn`` or ``fail`` with a one-line fix, and ``repair=True`` applies the repairs that lose nothing: finish or undo a
crashed write, drop vectors no chunk owns, re-embed documents whose vectors are gone (from the text the registry
keeps, so the source files need not exist) and rebuild the lexical index from the chunks.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from dataclasses import asdict, dataclass
from pathlib import Path

from .config import Settings
from .errors import NewsDeskError


@dataclass
class Check:
    name: str
    status: str  # "ok" | "warn" | "fail"
    detail: str
    fix: str = ""
    repaired: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


LOW_DISK_BYTES = 500 * 1024 * 1024


def _folder(settings: Settings) -> list[Check]:
    d = Path(settings.index)
    if not d.exists():
        return [Check("index folder", "warn", f"{d} does not exist yet", f"rag --index {d} ingest PATH...")]
    out = []
    probe = d / f".doctor-{os.getpid()}"
    try:
        probe.write_text("x")
        probe.unlink()
        out.append(Check("index folder", "ok", f"{d} is writable"))
    except OSError as e:
        out.append(Check("index folder", "fail", f"{d} cannot be written: {e.strerror or e}",
                         "fix its permissions or mount, or point --index at a writable folder"))
    from .store import _read_only

    if _read_only(d):
        out.append(Check("disk space", "ok", "a read-only file system (nothing can be written to it)"))
        return out
    free = shutil.disk_usage(d).free
    out.append(Check("disk space", "ok" if free >= LOW_DISK_BYTES else "warn", f"{free / 2**30:.1f} GiB free",
                     "" if free >= LOW_DISK_BYTES else "free some space: ingest stops with a message when the disk "
                                                       "is full, and what is stored stays as it was"))
    return out


def _registry(settings: Settings) -> Check:
    reg = Path(settings.index) / "registry.sqlite"
    if not reg.exists():
        return Check("registry", "warn", f"{reg} does not exist (nothing ingested yet)", "rag ingest PATH...")
    try:
        db = sqlite3.connect(f"file:{reg}?mode=ro", uri=True)
        res = db.execute("PRAGMA quick_check").fetchone()[0]
        n = db.execute("SELECT count(*) FROM docs").fetchone()[0]
        db.close()
    except sqlite3.DatabaseError as e:
        from .store import _read_only

        if _read_only(reg.parent) or not os.access(reg.parent, os.W_OK):
            return Check("registry", "fail", f"{reg} cannot be opened in a read-only folder: {e}",
                         "make the index folder writable (its write-ahead log needs it, even to read), or copy it "
                         "to a writable place; the index itself is not damaged")
        return Check("registry", "fail", f"{reg} cannot be read: {e}",
                     f"move {settings.index} away and ingest your articles again (the files are not touched)")
    if res != "ok":
        return Check("registry", "fail", f"{reg}: {res}", f"move {settings.index} away and ingest your articles again")
    return Check("registry", "ok", f"{reg.name} is sound ({n} documents)")


def _store_checks(desk, repair: bool) -> list[Check]:
    store = desk.store
    out = []
    pending = [r[0] for r in store.db.execute("SELECT doc_id FROM docs WHERE state!='ok'")]
    if pending:
        c = Check("unfinished writes", "warn", f"{len(pending)} document(s) left half-written by a stopped ingest: "
                  f"{', '.join(pending[:5])}", "rag doctor --repair (or any rag ingest) removes them; ingest "
                  "their files again")
        if repair:
            with store.write_lock():  # recover() runs on taking the lock
                pass
            c.repaired = f"removed {len(pending)} half-written document(s)"
        out.append(c)
    else:
        out.append(Check("unfinished writes", "ok", "none"))
    try:
        col = store.collection
        ids = set(col.get(include=[])["ids"])
    except Exception as e:  # a damaged chroma folder fails in many ways
        full = "disk is full" in str(e) or "No space left" in str(e)
        ro = "read-only" in str(e) or "readonly" in str(e)
        out.append(Check("vectors", "fail", f"Chroma at {store.dir / 'chroma'} cannot be read: {e}",
                         "free disk space: Chroma cannot open on a full disk; nothing stored is lost, and the next "
                         "ingest finishes what was cut short" if full else
                         "make the index folder writable, or copy it to a writable place (it is not damaged)" if ro else
                         f"move {store.dir / 'chroma'} away, then rag doctor --repair re-embeds every document"))
        return out
    rows = store.db.execute("SELECT c.chunk_id, c.doc_id FROM chunks c JOIN docs d ON d.doc_id=c.doc_id "
                            "WHERE d.state='ok'").fetchall()
    chunk_ids = {cid for cid, _ in rows}
    orphans = ids - chunk_ids
    lost_docs = sorted({doc for cid, doc in rows if cid not in ids})
    if not orphans and not lost_docs:
        out.append(Check("vectors", "ok", f"{len(ids)} vectors, one per chunk"))
    else:
        c = Check("vectors", "fail" if lost_docs else "warn",
                  f"{len(chunk_ids - ids)} chunk(s) of {len(lost_docs)} document(s) have no vector (search finds them "
                  f"by keywords only); {len(orphans)} vector(s) belong to no chunk",
                  "rag doctor --repair re-embeds them from the stored text and drops the strays")
        if repair:
            done = []
            if orphans:
                col.delete(ids=sorted(orphans))
                done.append(f"dropped {len(orphans)} stray vector(s)")
            if lost_docs:
                from .ingest import ingest_documents

                rep = ingest_documents(store, [d for d in map(store.get_document, lost_docs) if d is not None])
                done.append(f"re-embedded {rep.docs_added + rep.docs_updated} document(s), {rep.chunks_added} chunks")
            c.repaired = "; ".join(done)
        out.append(c)
    fts_rows = {r[0] for r in store.db.execute("SELECT rowid FROM chunks_fts")}
    chunk_rows = {r[0] for r in store.db.execute("SELECT rowid FROM chunks")}
    try:
        store.db.execute("INSERT INTO chunks_fts(chunks_fts, rank) VALUES ('integrity-check', 1)")
        sound = True
    except sqlite3.DatabaseError:
        sound = False
    if sound and fts_rows == chunk_rows:
        out.append(Check("lexical index", "ok", f"{len(fts_rows)} chunks indexed"))
    else:
        c = Check("lexical index", "fail", f"FTS5 index {'is damaged' if not sound else 'disagrees with the chunks'}"
                  f" ({len(fts_rows - chunk_rows)} extra, {len(chunk_rows - fts_rows)} missing)",
                  "rag doctor --repair rebuilds it from the chunks")
        if repair:
            from . import lexical

            with store.write_lock(), store._tx():
                store.db.execute("INSERT INTO chunks_fts(chunks_fts) VALUES ('delete-all')")
                store.db.executemany("INSERT INTO chunks_fts(rowid, exact, folded) VALUES (?,?,?)",
                                     [(rid, *lexical.fts_columns(t)) for rid, t in
                                      store.db.execute("SELECT rowid, text FROM chunks").fetchall()])
            store._df_cache.clear()
            c.repaired = f"rebuilt from {len(chunk_rows)} chunks"
        out.append(c)
    out.append(_injections(desk))
    gone = [i.doc_id for i in store.list_docs() if i.state == "ok" and "://" not in i.source
            and not Path(i.source).exists()]
    out.append(Check("source files", "ok", "every stored article's file is where it was ingested from" if not gone
                     else f"{len(gone)} article(s) were ingested from files that are gone (still searchable): "
                          f"{', '.join(gone[:5])}"))
    return out


def _injections(desk) -> Check:
    """Articles that answers and briefings leave out because they carry text aimed at the model: named, so a user
    can read them (and remove one, or set injection_probe = false, if the probe got a genuine article wrong)."""
    how = "patterns and probe" if desk.evidence.injection.probe is not None else "patterns only"
    hostile = {}
    for i in desk.store.list_docs():
        if i.state == "ok":
            why = desk.evidence.injection.reasons(i.doc_id)
            if why:
                hostile[i.doc_id] = why[0]
    if not hostile:
        return Check("prompt injection", "ok", f"no article carries text aimed at the model ({how})")
    shown = "; ".join(f"{d}: {w[:70]!r}" for d, w in list(hostile.items())[:5])
    return Check("prompt injection", "warn", f"{len(hostile)} article(s) left out of answers and briefings because "
                 f"they carry text aimed at the model ({how}): {shown}",
                 "read them: rag remove ID drops one; if a genuine article is flagged, set injection_probe = false")


# One forward pass of a GGUF in a child process: a llama.cpp build for instructions this CPU lacks kills the
# process (SIGILL), which no exception in this one could report.
_GGUF_PROBE = ("import sys, llama_cpp; m = llama_cpp.Llama(model_path=sys.argv[1], n_ctx=64, n_threads=1, "
               "verbose=False); m.eval(m.tokenize(b'ok'))")


def probe_child(cmd: list[str], what: str, timeout: float = 300) -> Check | None:
    """Run ``cmd`` (a forward pass of the model) in a child process. ``None`` when it exits cleanly; a failing
    ``Check`` naming the signal and the fix when it is killed (SIGILL: llama.cpp built for instructions this CPU,
    or the virtual machine it runs in, does not enable), or when it exits with an error."""
    import signal
    import subprocess

    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return Check("LLM", "fail", f"{what}: one forward pass took over {timeout:.0f}s", "check the machine's load")
    if r.returncode == 0:
        return None
    if r.returncode == -signal.SIGILL:
        return Check("LLM", "fail", f"{what}: llama.cpp died with an illegal instruction (SIGILL): it was built for "
                     "CPU instructions this machine does not enable (often AMX in a virtual machine)",
                     "rebuild without them: pip cache remove llama_cpp_python, then make install (see README)")
    if r.returncode < 0:
        return Check("LLM", "fail", f"{what}: llama.cpp was killed by signal {-r.returncode}",
                     "see the README's requirements; rag doctor again once fixed")
    tail = (r.stderr.strip().splitlines() or ["no message"])[-1]
    return Check("LLM", "fail", f"{what}: the model did not load: {tail}", "see the message")


def _llm(settings: Settings) -> Check:
    import sys

    from .llm import get_llm, gguf_path

    try:
        path = gguf_path(settings.llm, settings.cache_dir)
        if path is not None and path.exists():  # a missing file is reported by loading it below
            bad = probe_child([sys.executable, "-c", _GGUF_PROBE, str(path)], f"{settings.llm} ({path})")
            if bad is not None:
                return bad
        llm = get_llm(settings)
        if hasattr(llm, "check"):
            llm.check()
        else:
            llm.chat([{"role": "user", "content": "ok"}], max_tokens=1)
    except NewsDeskError as e:
        return Check("LLM", "fail", f"{settings.llm}: {e}",
                     "start the host, pull the model, or choose another with --llm / RAG_LLM")
    return Check("LLM", "ok", f"{settings.llm} answers")


def diagnose(settings: Settings, repair: bool = False, check_llm: bool = True) -> list[Check]:
    """Run every check (and the safe repairs when ``repair``); never raises for a damaged index."""
    checks = _folder(settings)
    reg = _registry(settings)
    checks.append(reg)
    if reg.status != "fail" and Path(settings.index).exists():
        from . import NewsDesk

        try:
            desk = NewsDesk(settings)
            checks.append(Check("embedding model", "ok", f"{desk.store.embedding_model} (dim {desk.embedder.dim})"))
            checks += _store_checks(desk, repair)
            desk.store.close()
        except NewsDeskError as e:
            checks.append(Check("index", "fail", str(e), "see the message; rag doctor again once fixed"))
    if check_llm:
        checks.append(_llm(settings))
    return checks
