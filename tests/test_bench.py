"""A CI-sized run of the archive-scale search benchmark (evals/bench_search.py): it builds, times and reports."""

import json
import subprocess
import sys

from conftest import ROOT


def test_bench_smoke_writes_a_report_and_a_plot(tmp_path):
    r = subprocess.run([sys.executable, str(ROOT / "evals" / "bench_search.py"), "--sizes", "100,400",
                        "--queries", "20", "--out", str(tmp_path)], capture_output=True, text=True, timeout=900,
                       env={"HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT),
                            "HOME": str(__import__("os").environ.get("HOME", "/root"))})
    assert r.returncode == 0, r.stderr[-3000:]
    rep = json.loads((tmp_path / "bench.json").read_text())
    assert [x["chunks"] for x in rep["results"]] == [100, 400]
    for x in rep["results"]:
        assert x["chunks_per_s"] > 0 and x["disk_bytes_per_chunk"] > 0
        for name in ("blend", "bm25", "dense", "blend+date filter"):
            assert 0 < x[name]["p50_ms"] <= x[name]["p95_ms"]
    assert rep["query_embedding_ms"]["p50"] > 0
    assert (tmp_path / "bench.png").stat().st_size > 10_000


def test_ingest_bench_reports_its_ratio_to_the_bare_embedder(tmp_path):
    r = subprocess.run([sys.executable, str(ROOT / "evals" / "bench_ingest.py"), str(ROOT / "seeds"), "--out",
                        str(tmp_path), "--llama-index"], capture_output=True, text=True, timeout=600,
                       env={"HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT),
                            "HOME": str(__import__("os").environ.get("HOME", "/root"))})
    assert r.returncode == 0, r.stderr[-3000:]
    rep = json.loads((tmp_path / "ingest.json").read_text())
    assert rep["documents"] == 2 and rep["chunks"] > 0 and rep["sentences"] >= rep["documents"] and not rep["errors"]
    assert 0 < rep["ratio_vs_bare_chunks"] < rep["ratio_vs_bare_chunks_and_sentences"]
    # LlamaIndex's default path on the same files, same embedder and chunk budget, timed in the same run
    assert rep["llama_index_nodes"] > 0 and rep["llama_index_s"] > 0 and rep["ingest_speedup_vs_llama_index"] > 0
