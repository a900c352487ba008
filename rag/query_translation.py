"""A question asked in one language over articles written in another (an English question over Vietnamese news):
the question rendered in the articles' language by the model, searched together with the original.

The multilingual embedding ranks sentences of another language less well than sentences of the question's own;
searching with both renderings brings the sentence that holds the answer to the top more often. Used when the
setting ``translate_questions`` is on (off by default: ``docs/measurements.md``, "Question translation")."""

from __future__ import annotations

from functools import lru_cache

from . import prompts


@lru_cache(maxsize=16)
def language_name(code: str) -> str:
    """English name of language ``code`` (CLDR via Babel): "vi" -> "Vietnamese"; the code itself if unknown."""
    try:
        from babel import Locale

        return Locale("en").languages.get(code) or code
    except Exception:
        return code


def articles_language(langs: list[str]) -> str:
    """The language most of ``langs`` (the top passages' languages) are in; "" when none is known."""
    known = [x for x in langs if x]
    return max(set(known), key=known.count) if known else ""


def translate_question(llm, question: str, target: str, max_tokens: int = 60) -> str:
    """``question`` in language ``target`` (its first line of output), names and numbers kept; "" when the model
    returns nothing. One short call to ``llm``; the result only extends a search, it is never shown."""
    out = llm.chat([{"role": "user", "content": prompts.render("translate_question", "en", language=language_name(target),
                                                               question=question)}],
                   max_tokens=max_tokens, temperature=0.0)
    lines = [x.strip() for x in out.text.strip().splitlines() if x.strip()]
    return lines[0] if lines else ""
