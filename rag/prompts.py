"""Prompt templates live as files in ``prompts/`` (``NAME.LANG.txt``); this module only loads them."""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path

from .errors import NewsDeskError


class PromptError(NewsDeskError):
    """A prompt template and the values given to it do not match."""

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


_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


def placeholders(name: str, lang: str = "en") -> set[str]:
    """The ``{name}`` placeholders template ``name`` expects."""
    return set(_PLACEHOLDER.findall(load(name, lang)))


def render(name: str, lang: str = "en", **values) -> str:
    """Template ``name`` with each ``{placeholder}`` replaced by its value, in one pass: a value's own text is never
    scanned again (an article that contains "{cite}" stays as written). Raises ``PromptError`` when a placeholder
    has no value or a value has no placeholder."""
    text = load(name, lang)
    wanted = set(_PLACEHOLDER.findall(text))
    missing, unknown = wanted - values.keys(), values.keys() - wanted
    if missing or unknown:
        raise PromptError(f"prompt {name!r} ({lang}): " + "; ".join(
            x for x in (f"no value for {', '.join(sorted(missing))}" if missing else "",
                        f"no placeholder for {', '.join(sorted(unknown))}" if unknown else "") if x))
    return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), text)

