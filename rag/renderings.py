"""Model renderings kept beside the index, so a sentence quoted again is not rendered again.

An English question over Vietnamese articles shows its quoted sentence with the model's English rendering (one
generation of a few seconds on the embedded model). Readers ask about the same stories, so the same sentences come
back as quotes. ``Renderings`` keys each rendering by the model's name and the exact messages that produced it (so a
changed prompt or model renders afresh) and keeps the model's raw reply in ``renderings.sqlite`` in the index folder;
callers still check what they show. It is a cache: a folder it cannot write to only means nothing is kept.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from pathlib import Path


class Renderings:
    """``get(model, messages)`` -> the reply kept for that call, or None; ``put(model, messages, text)`` keeps it."""

    def __init__(self, folder: Path):
        self.path = Path(folder) / "renderings.sqlite"
        self._db: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    @staticmethod
    def key(model: str, messages: list[dict]) -> str:
        return hashlib.sha256(json.dumps([model, messages], ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()

    def _conn(self) -> sqlite3.Connection | None:
        if self._db is None:
            try:
                self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
                self._db.execute("CREATE TABLE IF NOT EXISTS renderings (key TEXT PRIMARY KEY, text TEXT NOT NULL)")
            except sqlite3.Error:
                self._db = None  # a read-only index: render every time
        return self._db

    def get(self, model: str, messages: list[dict]) -> str | None:
        with self._lock:
            db = self._conn()
            row = db.execute("SELECT text FROM renderings WHERE key = ?", (self.key(model, messages),)).fetchone() if db else None
        if row is None:
            self.misses += 1
            return None
        self.hits += 1
        return row[0]

    def put(self, model: str, messages: list[dict], text: str) -> None:
        with self._lock:
            db = self._conn()
            if db is None:
                return
            try:
                db.execute("INSERT OR REPLACE INTO renderings VALUES (?, ?)", (self.key(model, messages), text))
            except sqlite3.Error:
                pass
