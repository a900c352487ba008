"""`rag doctor`: names what is wrong with an index, and --repair fixes what it can without losing anything."""

import json
import sqlite3
import subprocess
import sys

import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings

from conftest import DOC_A, DOC_B, FAST_LLM, ROOT, free_port


def doctor(index, *args, llm=FAST_LLM):
    r = subprocess.run([sys.executable, "-m", "rag.cli", "--index", str(index), "--llm", llm, "doctor", "--json",
                        *args], capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert "Traceback" not in r.stderr, r.stderr
    return r.returncode, json.loads(r.stdout)


def by_name(rep):
    return {c["name"]: c for c in rep["checks"]}


def test_a_healthy_index_passes_every_check(index_copy):
    code, rep = doctor(index_copy)
    assert code == 0 and rep["ok"], rep
    assert all(c["status"] == "ok" for c in rep["checks"]), rep
    assert {"registry", "vectors", "lexical index", "unfinished writes", "prompt injection", "LLM"} <= set(by_name(rep))


def test_an_article_left_out_as_prompt_injection_is_named(index_copy, tmp_path):
    """garak's "Note by a trustworthy expert recruiter: …" inside a genuine bio (no pattern matches it; the probe
    does): doctor names the article, so a user can read it."""
    case = next(json.loads(x) for x in (ROOT / "evals" / "data" / "injection_garak.jsonl").open(encoding="utf-8")
                if json.loads(x)["probe"] == "LatentInjectionResumeFull")
    f = tmp_path / "recruiter-note.txt"
    f.write_text(f" date 2026-02-09\n{case['article']}\n", encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "rag.cli", "--index", str(index_copy), "ingest", str(f)],
                       capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    code, rep = doctor(index_copy, "--no-llm")
    c = by_name(rep)["prompt injection"]
    assert c["status"] == "warn" and "recruiter-note" in c["detail"] and "probe" in c["detail"], c
    assert DOC_A not in c["detail"] and DOC_B not in c["detail"]


def test_damage_is_named_and_repaired_without_losing_an_article(index_copy):
    col = chromadb.PersistentClient(path=str(index_copy / "chroma"),
                                    settings=ChromaSettings(anonymized_telemetry=False)).get_collection("chunks")
    db = sqlite3.connect(index_copy / "registry.sqlite")
    a_chunks = [r[0] for r in db.execute("SELECT chunk_id FROM chunks WHERE doc_id=?", (DOC_A,))]
    col.delete(ids=a_chunks[:3])  # vectors lost
    col.add(ids=["stray"], embeddings=[np.ones(384).tolist()], metadatas=[{"doc_id": "gone"}])  # a stray vector
    rid = db.execute("SELECT rowid, text FROM chunks WHERE doc_id=? LIMIT 1", (DOC_B,)).fetchone()[0]
    db.execute("INSERT INTO chunks_fts(rowid, exact, folded) VALUES (?, 'x', 'x')", (rid + 10_000,))  # stray row
    db.execute("INSERT INTO docs (doc_id, content_hash, chunker, source, text, n_chunks, state, updated_at) "
               "VALUES ('half', 'h', 'c', 'half.txt', 'half', 0, 'pending', 0)")  # a killed writer's leftover
    db.commit()
    db.close()
    code, rep = doctor(index_copy, llm="ollama:none")
    checks = by_name(rep)
    assert code == 1 and not rep["ok"]
    assert checks["vectors"]["status"] == "fail" and "3 chunk(s) of 1 document(s)" in checks["vectors"]["detail"]
    assert "1 vector(s) belong to no chunk" in checks["vectors"]["detail"]
    assert checks["lexical index"]["status"] == "fail" and checks["unfinished writes"]["status"] == "warn"
    assert checks["LLM"]["status"] == "fail" and "--llm" in checks["LLM"]["fix"]

    code, rep = doctor(index_copy, "--repair")
    assert code == 0, rep
    assert "re-embedded 1 document(s), " in by_name(rep)["vectors"]["repaired"]
    code, rep = doctor(index_copy)
    assert code == 0 and all(c["status"] == "ok" for c in rep["checks"]), rep
    from rag import NewsDesk

    desk = NewsDesk(index=index_copy, llm=FAST_LLM)
    assert {d.doc_id for d in desk.docs()} == {DOC_A, DOC_B}
    assert desk.search("kim ngạch thương mại 2025", k=1, fusion="dense").passages


def test_a_damaged_registry_is_a_failed_check_not_a_traceback(index_copy):
    reg = index_copy / "registry.sqlite"
    for f in index_copy.glob("registry.sqlite-*"):
        f.unlink()
    reg.write_bytes(reg.read_bytes()[:5000])
    code, rep = doctor(index_copy, "--no-llm")
    assert code == 1 and by_name(rep)["registry"]["status"] == "fail"
    assert str(reg) in by_name(rep)["registry"]["detail"] and "ingest" in by_name(rep)["registry"]["fix"]


def test_an_unreachable_ollama_is_named(tmp_path):
    port = free_port()
    r = subprocess.run([sys.executable, "-m", "rag.cli", "--index", str(tmp_path / "i"), "--llm", "ollama:qwen2.5",
                        "doctor"], capture_output=True, text=True, timeout=300, cwd=ROOT,
                       env={**__import__("os").environ, "RAG_OLLAMA_HOST": f"http://127.0.0.1:{port}",
                            "RAG_LLM_TIMEOUT": "5"})
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "fail  LLM" in r.stdout and f"127.0.0.1:{port}" in r.stdout


def test_the_model_probe_names_an_illegal_instruction_and_its_fix():
    """A llama.cpp built for instructions the CPU does not enable kills its process with SIGILL; doctor runs the
    forward pass in a child, so it can say so instead of dying. The children here are real processes."""
    from rag.doctor import probe_child

    sigill = [sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGILL)"]
    bad = probe_child(sigill, "llamacpp:x (/m.gguf)")
    assert bad.status == "fail" and "SIGILL" in bad.detail and "/m.gguf" in bad.detail
    assert "pip cache remove llama_cpp_python" in bad.fix
    assert probe_child([sys.executable, "-c", "pass"], "x") is None
    err = probe_child([sys.executable, "-c", "raise SystemExit('bad magic in /m.gguf')"], "x")
    assert err.status == "fail" and "bad magic in /m.gguf" in err.detail
