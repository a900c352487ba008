"""Prompt templates live as files in ``prompts/`` (``NAME.LANG.txt``); this module only loads them."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

PROMPTS_DIR = Path(os.environ.get("RAG_PROMPTS") or Path(__file__).resolve().parent.parent / "prompts")


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

