"""Time to first token in the browser: `rag serve` + headless Chromium, a seed question typed into the chat.

    python evals/browser_ttft.py --index .rag/index --llm llamacpp:qwen2.5-1.5b [--reps 3]

Reports, per run, the seconds from the click to the first answer text in the page (past the "…" placeholder) and to the final, checked
answer with its citation links. The first run includes loading the model (a cold start); later runs are warm.
Needs Debian's chromium and the playwright package (`make test` installs both).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

QUESTIONS = [
    "Kim ngạch thương mại hai chiều Việt Nam – Lào năm 2025 đạt bao nhiêu?",
    "What was the two-way trade between Vietnam and Laos in 2025?",
]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, proc: subprocess.Popen, timeout: float = 180) -> None:
    end = time.time() + timeout
    while time.time() < end:
        if proc.poll() is not None:
            raise SystemExit(f"rag serve exited with {proc.returncode}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("rag serve did not come up")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", required=True)
    ap.add_argument("--llm", default="llamacpp:qwen2.5-1.5b")
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    port = _port()
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "rag.cli", "--index", args.index, "--llm", args.llm, "serve",
                             "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    runs = []
    try:
        _wait(url, proc)
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            for i in range(args.reps):
                q = QUESTIONS[i % len(QUESTIONS)]
                page = b.new_page(viewport={"width": 1400, "height": 900})
                page.goto(url)
                page.fill("#question textarea", q)
                t0 = time.perf_counter()
                page.click("#ask-btn")
                tail = q[-12:]
                page.wait_for_function(
                    "(tail) => { const t = document.querySelector('#chat').innerText; const i = t.lastIndexOf(tail);"
                    " return i >= 0 && t.slice(i + tail.length).replace(/[\\s…]/g, '').length > 0; }",
                    arg=tail, timeout=600_000)
                first = time.perf_counter() - t0
                page.locator("#chat a[href$='#src-1']").first.wait_for(timeout=600_000)
                final = time.perf_counter() - t0
                runs.append({"question": q, "first_text_s": round(first, 2), "final_s": round(final, 2),
                             "cold": i == 0})
                page.close()
            b.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    print(json.dumps({"llm": args.llm, "runs": runs}, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
