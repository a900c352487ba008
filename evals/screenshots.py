"""Regenerates docs/briefing.png (the Briefing tab) or docs/stories.png (the Stories tab) of `rag serve` over an
index, in Debian's chromium.

    .venv/bin/python evals/screenshots.py --index .rag/index [--since 2026-02-01 --until 2026-02-28]
    .venv/bin/python evals/screenshots.py --tab stories --index .rag/stories --story-title "Theo Đại sứ"

Starts the app on a free loopback port; Briefing: writes a briefing through the browser (the progress bar shows
while it runs) and saves the screenshot once both sections are filled in; Stories: opens the timeline of the story
whose title starts with ``--story-title`` (default: the first listed).
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--index", default=".rag/index")
    ap.add_argument("--since", default="2026-02-01")
    ap.add_argument("--until", default="2026-02-28")
    ap.add_argument("--out")
    ap.add_argument("--tab", choices=["briefing", "stories"], default="briefing")
    ap.add_argument("--story-title", default="")
    a = ap.parse_args()
    a.out = a.out or str(ROOT / "docs" / f"{a.tab}.png")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, HF_HUB_OFFLINE="1", GRADIO_ANALYTICS_ENABLED="False")
    proc = subprocess.Popen([str(Path(sys.executable).parent / "rag"), "--index", a.index, "serve", "--port", str(port)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            b = p.chromium.launch(executable_path="/usr/bin/chromium",
                                  args=["--headless", "--no-sandbox", "--disable-gpu"])
            page = b.new_page(viewport={"width": 1500, "height": 1100})
            page.goto(url)
            if a.tab == "stories":
                page.get_by_role("tab", name="Stories").click()
                page.click("#story-pick input")
                opt = page.get_by_role("option").filter(has_text=a.story_title).first if a.story_title else \
                    page.get_by_role("option").first
                opt.click()
                page.click("#story-btn")
                page.wait_for_function("() => /\\d{4}-\\d{2}-\\d{2}/.test(document.querySelector('#timeline').innerText)",
                                       timeout=120_000)
                time.sleep(1)
                page.screenshot(path=a.out, full_page=True)
                b.close()
                print(f"wrote {a.out}")
                return
            page.get_by_role("tab", name="Briefing").click()
            page.fill("#brief-since textarea, #brief-since input", a.since)
            page.fill("#brief-until textarea, #brief-until input", a.until)
            t0 = time.time()
            page.click("#brief-btn")
            page.wait_for_function("() => /\\[1\\]/.test(document.querySelector('#brief-en').innerText)", timeout=600_000)
            print(f"briefing shown after {time.time() - t0:.1f} s")
            time.sleep(1)
            page.screenshot(path=a.out, full_page=True)
            b.close()
        print(f"wrote {a.out}")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


if __name__ == "__main__":
    main()
