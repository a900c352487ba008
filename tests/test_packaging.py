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
