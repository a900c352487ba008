"""The one root of the errors a user can cause or fix: bad input, a missing model or server, a damaged index.

Every module raises a subclass (``ConfigError``, ``LoadError``, ``EmbeddingError``, ``StoreError``, ``LLMError``,
``BriefingError``); the CLI (``rag.cli._Group``) and the app (``rag.app._readable``) each translate it into a
message in one place. Anything else that escapes is a bug, and is reported as one.
"""


class NewsDeskError(Exception):
    """Something the user can act on; ``str(e)`` is the message shown to them."""
