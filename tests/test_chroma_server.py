"""Scale-out for real: `chroma run` on loopback, the desk through HttpClient, several processes at once."""

import os
import shutil
import subprocess
import sys
import threading

import pytest

from conftest import ROOT, SEEDS, free_port, wait_http

CHROMA = shutil.which("chroma") or str(ROOT / ".venv" / "bin" / "chroma")


@pytest.fixture
def chroma_server(tmp_path):
    if not os.path.exists(CHROMA):
        pytest.skip("the chroma CLI is not installed")
    port = free_port()
    proc = subprocess.Popen([CHROMA, "run", "--path", str(tmp_path / "srv"), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_http(f"http://127.0.0.1:{port}/api/v2/heartbeat", proc, "chroma run", 120)
    yield port
    proc.terminate()
    proc.wait(timeout=30)


def test_concurrent_ingests_and_searches_through_a_chroma_server(chroma_server, tmp_path):
    from rag import NewsDesk

    idx = tmp_path / "index"
    extra = tmp_path / "extra"
    extra.mkdir()
    for i in range(3):
        (extra / f"tin{i}.txt").write_text(f" date 2026-03-0{i + 1}\nTin số {i}: Hà Nội khai trương tuyến buýt điện "
                                           f"số {40 + i} nối sân bay Nội Bài với trung tâm.", encoding="utf-8")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "RAG_CHROMA_HOST": "127.0.0.1", "RAG_CHROMA_PORT": str(chroma_server)}
    cli = [sys.executable, "-m", "rag.cli", "--index", str(idx), "ingest"]
    # two ingests in two processes at once (the registry's write lock serializes them; the server takes both)
    procs = [subprocess.Popen(cli + [str(p)], env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for p in (SEEDS, extra)]
    desk = NewsDesk(index=idx, chroma_host="127.0.0.1", chroma_port=chroma_server)
    errors: list[BaseException] = []

    def searcher():
        try:
            for _ in range(15):
                desk.search("kim ngạch thương mại Việt Nam Lào", k=3)
        except BaseException as e:  # noqa: BLE001 - collected and asserted below
            errors.append(e)

    threads = [threading.Thread(target=searcher) for _ in range(3)]
    for t in threads:
        t.start()
    outs = [p.communicate(timeout=600) for p in procs]
    for t in threads:
        t.join(timeout=600)
    assert all(p.returncode == 0 for p in procs), [o[1][-1500:] for o in outs]
    assert not errors, errors
    fresh = NewsDesk(index=idx, chroma_host="127.0.0.1", chroma_port=chroma_server)
    assert len(fresh.docs()) == 5
    assert fresh.store.collection.count() == fresh.store.chunk_count()
    assert fresh.search("tuyến buýt điện số 41", k=1).passages[0].doc_id == "tin1"
    assert fresh.search("kim ngạch thương mại hai chiều", k=1).passages[0].doc_id == "000_833a92ec386289a5"
