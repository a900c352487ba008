"""Prompt templates live as files in ``prompts/`` (``NAME.LANG.txt``); this module only loads them."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

def _default_dir() -> Path:
    """The repo's ``prompts/`` in a checkout (edit them in place); the copy shipped as ``rag._prompts`` in a wheel."""
    repo = Path(__file__).resolve().parent.parent / "prompts"
    if repo.is_dir():
        return repo
    from importlib.util import find_spec

    spec = find_spec("rag._prompts")  # a namespace package (no __init__ among the templates)
    return Path(list(spec.submodule_search_locations)[0]) if spec and spec.submodule_search_locations else repo


PROMPTS_DIR = Path(os.environ.get("RAG_PROMPTS") or _default_dir())


@lru_cache(maxsize=None)
def load(name: str, lang: str = "en") -> str:
    """Template ``name`` in ``lang``, falling back to English when no translation exists."""
    for candidate in (f"{name}.{lang}.txt", f"{name}.en.txt", f"{name}.txt"):
        p = PROMPTS_DIR / candidate
        if p.exists():
            return p.read_text(encoding="utf-8").strip()
    raise FileNotFoundError(f"prompt template {name!r} not found in {PROMPTS_DIR}")


def render(name: str, lang: str = "en", **values) -> str:
    text = load(name, lang)
    for k, v in values.items():
        text = text.replace("{" + k + "}", str(v))
    return text

