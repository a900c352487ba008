"""The desk as a Model Context Protocol server (the official ``mcp`` SDK): tools to search, ask, brief and read the
articles, and each document as a resource. ``rag mcp`` speaks stdio; ``rag mcp --http PORT`` streamable HTTP on
loopback (a non-loopback host needs ``--auth USER:PASS``, sent as ``Authorization: Bearer USER:PASS``).

Errors reach the client as MCP tool errors carrying the desk's public message (``rag.errors.public_message``):
a bad argument names its field; nothing else of the server (paths, tracebacks) is sent."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import Field

from .errors import NewsDeskError, public_message
from .store import Filters

INSTRUCTIONS = ("A private news desk over the user's own articles (Vietnamese first, any language). Use `search` to "
                "find passages (with date and document filters), `ask` for a checked answer with numbered citations "
                "(it says when the articles do not hold the answer), `brief` for a bilingual (Vietnamese/English) "
                "briefing of a date range, topic or documents, and `list_documents` / `get_document` to read.")


class ArgumentError(NewsDeskError):
    """A tool argument that is out of range or malformed; the message names the field."""


def _date(field: str, value: str | None) -> str | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(value).isoformat()
    except (TypeError, ValueError):
        raise ArgumentError(f"{field}: {value!r} is not a date (YYYY-MM-DD)") from None


def _passage(p, n: int | None = None) -> dict:
    d = {"doc_id": p.doc_id, "title": p.title, "date": p.date, "source": p.source, "passage": p.text,
         "score": round(float(p.score), 4)}
    return {"n": n, **d} if n is not None else d


def build_server(desk) -> Any:
    """An ``MCPServer`` whose tools and resources call ``desk`` (a ``NewsDesk``)."""
    from mcp.server.mcpserver import MCPServer
    from mcp.server.mcpserver.exceptions import ResourceNotFoundError, ToolError

    server = MCPServer("newsdesk", instructions=INSTRUCTIONS)

    def guarded(fn):
        def run(*a, **kw):
            try:
                return fn(*a, **kw)
            except NewsDeskError as e:
                raise ToolError(public_message(e)) from None
            except ValueError as e:  # the desk's own argument checks
                raise ToolError(public_message(e)) from None
        run.__name__, run.__doc__, run.__annotations__ = fn.__name__, fn.__doc__, fn.__annotations__
        run.__wrapped__ = fn  # the SDK reads the signature (and so the input schema) from here
        return run

    @server.tool(description="Search the articles: the passages that best match `query` (hybrid dense + BM25, "
                             "Vietnamese-aware), optionally only from `since`/`until` (inclusive YYYY-MM-DD dates) "
                             "or one document `doc`. Returns each passage with its doc_id, title, date and text.")
    @guarded
    def search(query: Annotated[str, Field(description="what to look for, in any language")],
               k: Annotated[int, Field(description="how many passages (1 to 50)")] = 5,
               since: Annotated[str | None, Field(description="earliest article date, YYYY-MM-DD")] = None,
               until: Annotated[str | None, Field(description="latest article date, YYYY-MM-DD")] = None,
               doc: Annotated[str | None, Field(description="only this document id")] = None) -> dict:
        if not query or not query.strip():
            raise ArgumentError("query: must not be empty")
        if not 1 <= k <= 50:
            raise ArgumentError(f"k: {k} is out of range (1 to 50)")
        f = Filters(since=_date("since", since), until=_date("until", until), doc_ids=[doc] if doc else None)
        res = desk.search(query, k=k, filters=f)
        return {"query": query, "passages": [_passage(p) for p in res.passages[:k]]}

    @server.tool(description="Ask a question about the articles (English or Vietnamese). Returns a checked answer "
                             "in the question's language whose claims cite [n], the cited passages (doc_id, title, "
                             "date, passage; the first is the sentence the answer rests on), `state` (answered / uncertain / "
                             "not_in_articles — then the first citation is the closest sentence the articles have), "
                             "`confidence` (0-1, the probability that what is shown is right) and `display`, the "
                             "text to show a reader.")
    @guarded
    def ask(question: Annotated[str, Field(description="a question in English or Vietnamese")]) -> dict:
        a = desk.ask(question)
        return {"answer": a.answer, "display": a.display or a.answer, "state": a.state.value,
                "confidence": round(a.confidence, 4), "abstained": a.abstained, "language": a.language,
                "citations": [_passage(c.passage, c.n) for c in a.citations], "flags": a.flags}

    @server.tool(description="A bilingual briefing (a Vietnamese and an English section, every line citing its "
                             "source sentence) of the articles from `since` to `until` (YYYY-MM-DD), about `topic`, "
                             "or of the documents listed in `docs`. Takes tens of seconds per article group.")
    @guarded
    def brief(since: Annotated[str | None, Field(description="earliest article date, YYYY-MM-DD")] = None,
              until: Annotated[str | None, Field(description="latest article date, YYYY-MM-DD")] = None,
              topic: Annotated[str | None, Field(description="what the briefing is about")] = None,
              docs: Annotated[list[str] | None, Field(description="document ids to brief")] = None,
              words: Annotated[int, Field(description="length, 30 to 600 (150 ≈ 6 bullets)")] = 150) -> dict:
        if not 30 <= words <= 600:
            raise ArgumentError(f"words: {words} is out of range (30 to 600)")
        dg = desk.brief(since=_date("since", since), until=_date("until", until), query=topic or None,
                        docs=docs or None, words=words)
        return dg.to_dict()

    @server.tool(description="One article by its `id` (as `list_documents` or a citation gives it): its title, "
                             "date, source and full text.")
    @guarded
    def get_document(id: Annotated[str, Field(description="a document id")]) -> dict:
        doc = desk.store.get_document(id)
        if doc is None:
            raise ArgumentError(f"id: no document {id!r} in the index")
        return {"id": doc.doc_id, "title": doc.title, "date": doc.date, "source": doc.source, "text": doc.text}

    @server.tool(description="Every article in the index: id, title, date and size in chunks.")
    @guarded
    def list_documents() -> dict:
        return {"documents": [{"id": d.doc_id, "title": d.title, "date": d.date, "chunks": d.n_chunks}
                              for d in desk.docs()]}

    @server.resource("newsdesk://documents/{doc_id}", name="document", mime_type="text/plain",
                     description="An article's full text.")
    def document(doc_id: str) -> str:
        doc = desk.store.get_document(doc_id)
        if doc is None:
            raise ResourceNotFoundError(f"no document {doc_id!r}")
        return doc.text

    return server


def _bearer_guard(app, token: str):
    """ASGI middleware: every HTTP request must carry ``Authorization: Bearer <token>``."""
    async def guarded(scope, receive, send):
        if scope["type"] == "http":
            headers = dict(scope.get("headers") or [])
            if headers.get(b"authorization", b"").decode() != f"Bearer {token}":
                await send({"type": "http.response.start", "status": 401,
                            "headers": [(b"content-type", b"application/json")]})
                await send({"type": "http.response.body", "body": b'{"error": "authorization required"}'})
                return
        await app(scope, receive, send)
    return guarded


def serve_mcp(desk, http_port: int | None = None, host: str = "127.0.0.1", auth: str | None = None) -> None:
    """Run the server: stdio when ``http_port`` is None, else streamable HTTP at ``http://host:port/mcp``."""
    server = build_server(desk)
    if http_port is None:
        server.run("stdio")
        return
    import uvicorn

    app = server.streamable_http_app()
    if auth:
        app = _bearer_guard(app, auth)
    uvicorn.run(app, host=host, port=http_port, log_level="warning")
