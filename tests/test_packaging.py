"""The built wheel carries the prompt templates (a non-editable install used to fail on every `rag ask`)."""

import subprocess
import sys
import zipfile

from conftest import ROOT


def test_the_wheel_ships_the_prompts_and_finds_them(tmp_path):
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation", "-q",
                        "-w", str(tmp_path / "dist")], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    (whl,) = (tmp_path / "dist").glob("rag_newsdesk-*.whl")
    names = zipfile.ZipFile(whl).namelist()
    shipped = {n.split("/")[-1] for n in names if n.startswith("rag/_prompts/")}
    assert shipped == {p.name for p in (ROOT / "prompts").glob("*.txt")}
    # the installed layout (no repo prompts/ beside the package) loads them from the package
    site = tmp_path / "site"
    zipfile.ZipFile(whl).extractall(site)
    code = "import rag.prompts as p; print(p.PROMPTS_DIR); print(p.load('evidence_system', 'vi')[:20])"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                       env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"}, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.splitlines()[0] == str(site / "rag" / "_prompts")
    # and the installed package answers: ingest the seeds and ask, with no repo beside it
    from conftest import FAST_LLM, SEEDS

    import os

    # the model cache (assembled weights) stays where the user's is; nothing else of the checkout is visible
    env = {"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1", "HOME": os.environ.get("HOME", "/root"),
           **{k: v for k, v in os.environ.items() if k == "XDG_CACHE_HOME"}}
    idx = tmp_path / "index"
    cli = [sys.executable, "-m", "rag.cli", "--index", str(idx), "--llm", FAST_LLM]
    r = subprocess.run(cli + ["ingest", str(SEEDS)], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    r = subprocess.run(cli + ["ask", "--json", "Kim ngạch thương mại hai chiều Việt Nam – Lào năm 2025 đạt bao nhiêu?"],
                       capture_output=True, text=True, cwd=tmp_path, env=env, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    import json

    ans = json.loads(r.stdout)
    assert ans["citations"] and "2,6" in ans["answer"] and not ans["abstained"]
