"""The one root of the errors a user can cause or fix: bad input, a missing model or server, a damaged index.

Every module raises a subclass (``ConfigError``, ``LoadError``, ``EmbeddingError``, ``StoreError``, ``LLMError``,
``BriefingError``); the CLI (``rag.cli._Group``) and the app (``rag.app._readable``) each translate it into a
message in one place. Anything else that escapes is a bug, and is reported as one.
"""


class NewsDeskError(Exception):
    """Something the user can act on; ``str(e)`` is the message shown to them."""


_ABS_PATH = __import__("re").compile(r"(?<![\w:/])/(?:[^\s'\"(),;:]+/)+([^\s'\"(),;:/]*)")


def public_message(e: BaseException) -> str:
    """What a remote client may see of an error: the message of a :class:`NewsDeskError` or ``ValueError`` with
    folders cut from its paths ("/srv/idx/registry.sqlite" -> "registry.sqlite"), else only the error's kind (the
    server log has the rest). No stack trace, no filesystem layout."""
    if isinstance(e, (NewsDeskError, ValueError)):
        return _ABS_PATH.sub(lambda m: m.group(1) or "…", str(e))
    return f"Something went wrong ({type(e).__name__}). See the server log for details."


class QuestionError(NewsDeskError, ValueError):
    """A question the desk cannot take as asked (empty, too long); the message says what to change."""
