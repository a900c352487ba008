"""The MCP server with the SDK's own client, against the real server process (stdio and streamable HTTP) on a real
index. The answer test runs the default model (slow)."""

import asyncio
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ANSWER_LLM, DOC_A, DOC_B, free_port

pytest.importorskip("mcp")
from mcp import Client  # noqa: E402
from mcp.client.stdio import StdioServerParameters  # noqa: E402

RAG = str(Path(sys.executable).with_name("rag"))


@pytest.fixture()
def index(seeded_index, tmp_path):
    d = tmp_path / "index"
    shutil.copytree(seeded_index, d)
    return d


def _stdio(index: Path, llm: str = "llamacpp:qwen2.5-0.5b") -> StdioServerParameters:
    return StdioServerParameters(command=RAG, args=["--index", str(index), "--llm", llm, "mcp"],
                                 env={"HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"})


def _json(result) -> dict:
    assert not result.is_error, result
    return json.loads(result.content[0].text)


def test_stdio_lists_tools_searches_by_date_and_names_a_bad_field(index):
    async def run():
        async with Client(_stdio(index), read_timeout_seconds=120) as c:
            tools = {t.name: t for t in (await c.list_tools()).tools}
            assert set(tools) == {"search", "ask", "brief", "get_document", "list_documents"}
            assert all(t.description and len(t.description) > 40 for t in tools.values())
            assert "since" in tools["search"].input_schema["properties"]
            docs = _json(await c.call_tool("list_documents", {}))["documents"]
            assert {d["id"] for d in docs} == {DOC_A, DOC_B}
            hits = _json(await c.call_tool("search", {"query": "Tô Lâm Lào", "k": 5, "since": "2026-02-05"}))
            assert hits["passages"] and {p["doc_id"] for p in hits["passages"]} == {DOC_B}  # DOC_A is 2026-02-04
            bad = await c.call_tool("search", {"query": "x", "since": "yesterday"})
            assert bad.is_error and "since" in bad.content[0].text and "Traceback" not in bad.content[0].text
            bad = await c.call_tool("search", {"query": "x", "k": 0})
            assert bad.is_error and "k:" in bad.content[0].text
            bad = await c.call_tool("get_document", {"id": "nope"})
            assert bad.is_error and "id:" in bad.content[0].text
            doc = await c.read_resource(f"newsdesk://documents/{DOC_B}")
            assert "Tô Lâm" in doc.contents[0].text
    asyncio.run(run())


def test_http_needs_the_bearer_token_and_serves_the_same_tools(index):
    port = free_port()
    proc = subprocess.Popen([RAG, "--index", str(index), "mcp", "--http", str(port), "--auth", "u:p"],
                            env={"HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        import httpx

        url = f"http://127.0.0.1:{port}/mcp"
        deadline = time.time() + 90
        while time.time() < deadline:
            try:
                r = httpx.post(url, json={})
                break
            except httpx.HTTPError:
                time.sleep(0.5)
        assert r.status_code == 401  # no token

        async def run():
            import httpx2  # the SDK's HTTP client
            from mcp.client.streamable_http import streamable_http_client

            http = httpx2.AsyncClient(headers={"Authorization": "Bearer u:p"})

            async with Client(streamable_http_client(url, http_client=http)) as c:
                names = {t.name for t in (await c.list_tools()).tools}
                assert "ask" in names
                hits = _json(await c.call_tool("search", {"query": "kim ngạch thương mại", "k": 3, "doc": DOC_A}))
                assert {p["doc_id"] for p in hits["passages"]} == {DOC_A}
        asyncio.run(run())
    finally:
        proc.terminate()
        proc.wait(10)


def test_a_non_loopback_http_bind_needs_auth(index):
    r = subprocess.run([RAG, "--index", str(index), "mcp", "--http", "8765", "--host", "0.0.0.0"],
                       capture_output=True, text=True, env={"HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"})
    assert r.returncode == 2 and "--auth" in r.stderr


@pytest.mark.slow
def test_ask_gets_the_figure_with_a_citation_from_the_right_article(index):
    async def run():
        async with Client(_stdio(index, ANSWER_LLM), read_timeout_seconds=300) as c:
            out = _json(await c.call_tool("ask", {"question": "How much was two-way trade between Vietnam and Laos "
                                                              "in 2025?"}))
            assert not out["abstained"] and "2.6" in out["answer"] and "billion" in out["answer"].lower()
            assert out["citations"] and out["citations"][0]["doc_id"] == DOC_A
    asyncio.run(run())
