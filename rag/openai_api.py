"""An OpenAI-compatible chat API served beside the app by ``rag serve``: ``GET /v1/models``,
``POST /v1/chat/completions`` (streamed as server-sent events, or not).

The "model" is the news desk: the last user message is answered from the index by ``NewsDesk.ask`` — the same
evidence, checks, citations and abstention as the CLI and the app; earlier messages are the conversation it
condenses follow-ups from. Citations come back inline (``[n]``) and structured, in an extra top-level field
``citations`` (``n``, ``doc_id``, ``title``, ``date``, ``source``, ``text`` of the cited passage) — on the
response, and on the last chunk of a stream. A stream carries the *checked* answer: the claims are validated before
anything is sent, so no client ever shows a sentence that was later dropped.

Auth follows the app: on loopback without ``--auth`` the API is open; with ``--auth USER:PASS`` every call needs
``Authorization: Bearer USER:PASS`` (``openai.OpenAI(api_key="USER:PASS", base_url=…/v1)``).
"""


import hmac
import json
import logging
import time
import uuid

from .errors import NewsDeskError, public_message

log = logging.getLogger("rag.api")

MODEL_ID = "newsdesk"


def _error(status: int, message: str, kind: str = "invalid_request_error"):
    from fastapi.responses import JSONResponse

    return JSONResponse({"error": {"message": message, "type": kind, "param": None, "code": None}}, status_code=status)


def _text(content) -> str:
    """A message's content: a string, or OpenAI content parts ([{"type": "text", "text": …}])."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")
    return ""


def parse_messages(body) -> tuple[str, list[dict]]:
    """(question, history) from a chat-completions body; ValueError names the field that is wrong."""
    if not isinstance(body, dict):
        raise ValueError("the request body must be a JSON object")
    msgs = body.get("messages")
    if not isinstance(msgs, list) or not msgs:
        raise ValueError("'messages' must be a non-empty list")
    turns = []
    for i, m in enumerate(msgs):
        if not isinstance(m, dict) or m.get("role") not in ("system", "user", "assistant", "developer", "tool"):
            raise ValueError(f"messages[{i}] must be an object with a role of system, user or assistant")
        turns.append({"role": m["role"], "content": _text(m.get("content"))})
    users = [i for i, t in enumerate(turns) if t["role"] == "user"]
    if not users or not turns[users[-1]]["content"].strip():
        raise ValueError("the last user message is missing or empty")
    last = users[-1]
    history = [t for t in turns[:last] if t["role"] in ("user", "assistant")]
    return turns[last]["content"].strip(), history


def citations(ans) -> list[dict]:
    return [{"n": c.n, "doc_id": c.passage.doc_id, "title": c.passage.title, "date": c.passage.date,
             "source": c.passage.source, "text": c.passage.text} for c in ans.citations]


def add_routes(app, desk, auth: tuple[str, str] | None, max_queue: int = 64) -> None:
    """Register the /v1 routes on ``app`` (the app's FastAPI server), ahead of the app's own routes. At most
    ``max_queue`` questions are answered or waiting at once (the model answers one at a time); past that a client
    gets 503 with Retry-After at once, instead of a queue that grows without end."""
    import threading

    in_flight = [0]
    gate = threading.Lock()
    from fastapi import APIRouter, Request
    from fastapi.responses import JSONResponse, StreamingResponse

    router = APIRouter()
    key = f"{auth[0]}:{auth[1]}" if auth else None

    def authorized(request: Request) -> bool:
        if key is None:
            return True
        given = request.headers.get("authorization", "")
        token = given[7:].strip() if given.lower().startswith("bearer ") else ""
        return hmac.compare_digest(token.encode(), key.encode())

    @router.get("/v1/models")
    def models(request: Request):
        if not authorized(request):
            return _error(401, "missing or wrong API key (Authorization: Bearer USER:PASS)", "authentication_error")
        return {"object": "list", "data": [{"id": MODEL_ID, "object": "model", "created": 0,
                                            "owned_by": "rag-newsdesk"}]}

    @router.post("/v1/chat/completions")
    async def chat(request: Request):
        if not authorized(request):
            return _error(401, "missing or wrong API key (Authorization: Bearer USER:PASS)", "authentication_error")
        try:
            body = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            return _error(400, "the request body is not valid JSON")
        try:
            question, history = parse_messages(body)
        except ValueError as e:
            return _error(400, str(e))
        from starlette.concurrency import run_in_threadpool

        with gate:
            busy = in_flight[0] >= max_queue
            if not busy:
                in_flight[0] += 1
        if busy:
            r = _error(503, f"the desk is busy: {max_queue} questions are being answered or waiting; retry shortly",
                       "server_busy")
            r.headers["Retry-After"] = "5"
            return r
        try:
            ans = await run_in_threadpool(desk.ask, question, history)
        except ValueError as e:  # the request itself: an empty or over-long question
            return _error(400, public_message(e))
        except Exception as e:  # the model or the index failed: a message, never a stack trace
            if not isinstance(e, (NewsDeskError, ValueError)):
                log.error("unexpected error answering a /v1 request", exc_info=e)
            return _error(500, public_message(e), "server_error")
        finally:
            with gate:
                in_flight[0] -= 1
        cid, created = f"chatcmpl-{uuid.uuid4().hex[:24]}", int(time.time())
        extra = {"citations": citations(ans), "abstained": ans.abstained, "state": ans.state.value,
                 "confidence": round(ans.confidence, 4)}
        usage = {"prompt_tokens": ans.usage.get("prompt_tokens", 0),
                 "completion_tokens": ans.usage.get("completion_tokens", 0)}
        usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
        if not body.get("stream"):
            return JSONResponse({"id": cid, "object": "chat.completion", "created": created, "model": MODEL_ID,
                                 "choices": [{"index": 0, "message": {"role": "assistant", "content": ans.display or ans.answer},
                                              "finish_reason": "stop"}],
                                 "usage": usage, **extra})

        def events():
            def chunk(delta: dict, finish=None, **more) -> str:
                return "data: " + json.dumps({"id": cid, "object": "chat.completion.chunk", "created": created,
                                              "model": MODEL_ID, "choices": [{"index": 0, "delta": delta,
                                                                              "finish_reason": finish}], **more},
                                             ensure_ascii=False) + "\n\n"

            yield chunk({"role": "assistant", "content": ""})
            words = (ans.display or ans.answer).split(" ")
            for i, w in enumerate(words):
                yield chunk({"content": w if i == 0 else " " + w})
            yield chunk({}, "stop", **extra)
            yield "data: [DONE]\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")

    app.include_router(router)
    # the app's own routes include catch-alls: ours go first
    ours = [r for r in app.router.routes if getattr(r, "path", "").startswith("/v1/")]
    app.router.routes[:] = ours + [r for r in app.router.routes if r not in ours]
