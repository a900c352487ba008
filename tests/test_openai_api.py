"""The OpenAI-compatible chat API of `rag serve`, called with the real `openai` client (and raw HTTP for the errors)."""

import os
import re
import shutil
import subprocess
import sys

import httpx
import pytest

from conftest import ANSWER_LLM, ROOT, free_port, wait_http

openai = pytest.importorskip("openai")

Q = "What was the two-way trade between Vietnam and Laos in 2025?"
TRADE_DOC = "000_833a92ec386289a5"


def _serve(index, *args):
    port = free_port()
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "rag.cli", "--index", str(index), "--llm", ANSWER_LLM, "serve",
                             "--port", str(port), *args], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_http(f"http://127.0.0.1:{port}/", proc, "rag serve", 120)
    return proc, f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def api(seeded_index, tmp_path_factory):
    idx = tmp_path_factory.mktemp("api") / "index"
    shutil.copytree(seeded_index, idx)
    proc, url = _serve(idx)
    yield url
    proc.terminate()
    proc.wait(timeout=30)


def test_models_and_a_cited_answer_with_structured_citations(api):
    client = openai.OpenAI(base_url=f"{api}/v1", api_key="unused-on-loopback")
    assert [m.id for m in client.models.list()] == ["newsdesk"]
    res = client.chat.completions.create(model="newsdesk", messages=[{"role": "user", "content": Q}])
    text = res.choices[0].message.content
    assert "2.6" in text and "[1]" in text
    extra = res.model_extra
    assert extra["abstained"] is False
    assert extra["citations"][0]["n"] == 1 and extra["citations"][0]["doc_id"] == TRADE_DOC
    assert "2,6 tỷ USD" in extra["citations"][0]["text"] and extra["citations"][0]["date"] == "2026-02-04"


def test_streaming_delivers_the_checked_answer_then_the_citations(api):
    client = openai.OpenAI(base_url=f"{api}/v1", api_key="unused-on-loopback")
    stream = client.chat.completions.create(model="newsdesk", stream=True, messages=[
        {"role": "system", "content": "You are helpful."}, {"role": "user", "content": Q}])
    parts, last = [], None
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            parts.append(chunk.choices[0].delta.content)
        last = chunk
    assert len(parts) > 3 and "2.6" in "".join(parts) and "[1]" in "".join(parts)
    assert last.choices[0].finish_reason == "stop" and last.model_extra["citations"][0]["doc_id"] == TRADE_DOC


def test_bad_requests_are_openai_style_errors(api):
    r = httpx.post(f"{api}/v1/chat/completions", json={"model": "newsdesk", "messages": []}, timeout=30)
    assert r.status_code == 400 and "messages" in r.json()["error"]["message"]
    r = httpx.post(f"{api}/v1/chat/completions", content=b"{not json", timeout=30)
    assert r.status_code == 400 and "JSON" in r.json()["error"]["message"]


def test_a_server_on_the_network_refuses_calls_without_the_key(seeded_index):
    proc, url = _serve(seeded_index, "--host", "0.0.0.0", "--auth", "desk:s3cret")
    try:
        with pytest.raises(openai.AuthenticationError):
            openai.OpenAI(base_url=f"{url}/v1", api_key="wrong").models.list()
        r = httpx.post(f"{url}/v1/chat/completions", json={"messages": [{"role": "user", "content": Q}]}, timeout=30)
        assert r.status_code == 401
        ok = openai.OpenAI(base_url=f"{url}/v1", api_key="desk:s3cret").models.list()
        assert [m.id for m in ok] == ["newsdesk"]
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_messages_are_read_as_question_and_history():
    from rag.openai_api import parse_messages

    q, hist = parse_messages({"messages": [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Who visited Laos?"}, {"role": "assistant", "content": "To Lam [1]."},
        {"role": "user", "content": [{"type": "text", "text": "When did the visit end?"}]}]})
    assert q == "When did the visit end?"
    assert hist == [{"role": "user", "content": "Who visited Laos?"}, {"role": "assistant", "content": "To Lam [1]."}]
    for bad, field in (({"messages": "hi"}, "messages"), ({"messages": [{"role": "user", "content": " "}]}, "empty"),
                       ({"messages": [{"role": "robot", "content": "x"}]}, "messages[0]"), ([], "object")):
        with pytest.raises(ValueError, match=re.escape(field)):
            parse_messages(bad)
