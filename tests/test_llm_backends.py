"""LLM backends: Ollama against a replay server (up, down, slow, model missing); OpenAI-compatible against a
real ``python -m llama_cpp.server`` on loopback."""

import subprocess
import sys

import pytest

from conftest import DOC_A, free_port, wait_http
from ollama_replay import Replay
from rag.config import Settings
from rag.llm import LLMTimeout, LLMUnavailable, OllamaLLM, OpenAICompatLLM, resolve_packaged_model


def test_ollama_streams_and_sends_num_ctx():
    with Replay() as rp:
        llm = OllamaLLM("qwen2.5:0.5b", rp.url, n_ctx=8192, keep_alive="1m", timeout=10)
        llm.check()
        toks = []
        res = llm.chat([{"role": "user", "content": "hi"}], max_tokens=50, on_token=toks.append)
        assert res.text == "Kim ngạch thương mại đạt 2,6 tỷ USD năm 2025 [1]." and len(toks) == 4
        assert res.prompt_tokens == 321 and res.completion_tokens == 4
        body = rp.requests[-1]["body"]
        assert body["options"]["num_ctx"] == 8192 and body["options"]["num_predict"] == 50
        assert body["keep_alive"] == "1m" and body["stream"] is True


def test_ollama_model_not_pulled_is_a_clear_error():
    with Replay() as rp:
        llm = OllamaLLM("llama3:70b", rp.url, timeout=10)
        with pytest.raises(LLMUnavailable, match="ollama pull llama3:70b"):
            llm.check()
        with pytest.raises(LLMUnavailable, match="ollama pull llama3:70b"):
            llm.chat([{"role": "user", "content": "hi"}])


def test_ollama_server_down():
    llm = OllamaLLM("qwen2.5:0.5b", f"http://127.0.0.1:{free_port()}", timeout=5)
    with pytest.raises(LLMUnavailable, match="cannot reach Ollama"):
        llm.chat([{"role": "user", "content": "hi"}])


def test_ollama_timeout():
    with Replay(delay=3.0) as rp:
        llm = OllamaLLM("qwen2.5:0.5b", rp.url, timeout=0.5)
        with pytest.raises(LLMTimeout):
            llm.chat([{"role": "user", "content": "hi"}])


def test_ollama_backend_through_the_answer_pipeline(seeded_index):
    from rag import NewsDesk

    with Replay() as rp:
        desk = NewsDesk(index=seeded_index, llm="ollama:qwen2.5:0.5b", ollama_host=rp.url)
        ans = desk.ask("Kim ngạch thương mại hai chiều Việt Nam – Lào năm 2025 đạt bao nhiêu?")
    assert not ans.abstained and "2,6 tỷ USD" in ans.answer
    # the replayed answer cites [1]; validation keeps it only if passage 1 holds the figure, else re-cites
    assert ans.citations and all("2,6 tỷ USD" in c.passage.text for c in ans.citations)
    assert ans.citations[0].passage.doc_id == DOC_A
    assert ans.model["llm"] == "ollama:qwen2.5:0.5b"


@pytest.fixture(scope="module")
def llama_server():
    pytest.importorskip("uvicorn", reason="install the [server] extra")
    model = resolve_packaged_model("qwen2.5-0.5b", Settings.load().cache_dir)
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1",
                             "--port", str(port), "--n_ctx", "4096", "--n_threads", "2", "--model_alias", "qwen-0.5b"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/v1"
    wait_http(f"{url}/models", proc, "llama_cpp.server", 120)
    yield url
    proc.terminate()
    proc.wait(timeout=30)


def test_openai_compatible_backend_against_llama_cpp_server(llama_server, seeded_index):
    llm = OpenAICompatLLM("qwen-0.5b", llama_server, timeout=120)
    toks = []
    res = llm.chat([{"role": "user", "content": "Reply with the single word: hello"}], max_tokens=8,
                   on_token=toks.append)
    assert res.text.strip() and len(toks) >= 1 and "hello" in res.text.lower()

    from rag import NewsDesk

    desk = NewsDesk(index=seeded_index, llm="openai:qwen-0.5b", openai_base_url=llama_server)
    ans = desk.ask("Kim ngạch thương mại hai chiều Việt Nam – Lào năm 2025 đạt bao nhiêu?")
    assert not ans.abstained and "2,6" in ans.answer
    assert ans.citations and ans.citations[0].passage.doc_id == DOC_A


def test_openai_backend_unreachable():
    llm = OpenAICompatLLM("m", f"http://127.0.0.1:{free_port()}/v1", timeout=5)
    with pytest.raises(LLMUnavailable):
        llm.chat([{"role": "user", "content": "hi"}])


def _scripted_server(responses):
    """A loopback HTTP server answering each POST with the next (status, body) of ``responses``."""
    import http.server
    import threading

    seen = []

    class H(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("content-length", 0)))
            status, body = responses[min(len(seen), len(responses) - 1)]
            seen.append(status)
            self.send_response(status)
            self.send_header("content-type", "text/event-stream")
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *a):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, seen


def test_openai_backend_retries_a_busy_host_and_names_a_garbage_answer():
    from rag.llm import RETRIES, LLMError

    ok = ('data: {"choices": [{"delta": {"content": "2,6 tỷ USD [1]"}, "finish_reason": "stop"}]}\n\n'
          "data: [DONE]\n\n")
    srv, seen = _scripted_server([(503, "busy"), (503, "busy"), (200, ok)])
    try:
        llm = OpenAICompatLLM("m", f"http://127.0.0.1:{srv.server_address[1]}/v1", timeout=10)
        assert llm.chat([{"role": "user", "content": "hi"}]).text == "2,6 tỷ USD [1]"
        assert seen == [503, 503, 200] and RETRIES == 2
    finally:
        srv.shutdown()
    srv, seen = _scripted_server([(503, "busy")])  # busy for good: a message after the retries, not a hang
    try:
        llm = OpenAICompatLLM("m", f"http://127.0.0.1:{srv.server_address[1]}/v1", timeout=10)
        with pytest.raises(LLMError, match="HTTP 503"):
            llm.chat([{"role": "user", "content": "hi"}])
        assert len(seen) == RETRIES + 1
    finally:
        srv.shutdown()
    srv, _ = _scripted_server([(200, "data: <html>502 Bad Gateway</html>\n\n")])
    try:
        llm = OpenAICompatLLM("m", f"http://127.0.0.1:{srv.server_address[1]}/v1", timeout=10)
        with pytest.raises(LLMError, match="not an OpenAI chat stream"):
            llm.chat([{"role": "user", "content": "hi"}])
    finally:
        srv.shutdown()


def test_replay_file_answers_a_prompt_seen_before_without_the_model(tmp_path):
    """The second identical call is read back (no call reaches the model); a different prompt is generated."""
    from rag.config import Settings
    from rag.llm import get_llm

    from conftest import FAKE_REPLIES

    FAKE_REPLIES["replay"] = ["first reply", "second reply"]
    llm = get_llm(Settings(llm="fake:replay", llm_replay=str(tmp_path / "replies.sqlite")))
    msgs = [{"role": "user", "content": "Q?"}]
    a = llm.chat(msgs)
    streamed: list[str] = []
    b = llm.chat(msgs, on_token=streamed.append)
    c = llm.chat([{"role": "user", "content": "another"}])
    assert (a.text, a.replayed) == ("first reply", False)
    assert (b.text, b.replayed) == ("first reply", True) and "".join(streamed) == "first reply"
    assert c.text == "second reply" and len(llm.inner.calls) == 2


@pytest.mark.slow
def test_a_side_call_leaves_the_answer_context_cached():
    """A rendering made through side_llm does not evict the answer prompt from llama.cpp's KV cache; made on the
    answer context itself, it does (the next answer recomputes its whole prompt)."""
    from rag.config import Settings
    from rag.llm import get_llm, side_llm

    from conftest import FAST_LLM

    llm = get_llm(Settings(llm=FAST_LLM))
    evidence = "[1] " + "Kim ngạch thương mại hai chiều Việt Nam – Lào năm 2025 đạt 2,6 tỷ USD. " * 6
    answer = lambda q: llm.chat([{"role": "system", "content": "Answer from the evidence."},  # noqa: E731
                                 {"role": "user", "content": f"{evidence}\nQuestion: {q}"}], max_tokens=4)
    render = [{"role": "user", "content": "Translate into English: Xin chào các bạn."}]
    answer("How much was trade?")
    side_llm(llm).chat(render, max_tokens=4)
    kept = answer("In which year?")
    llm.chat(render, max_tokens=4)
    evicted = answer("Between which countries?")
    assert side_llm(llm) is not llm
    assert kept.cached_tokens > 0.8 * kept.prompt_tokens > evicted.cached_tokens, (kept, evicted)
