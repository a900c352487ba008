"""A loopback HTTP server with fixture feeds and article pages (real sockets; the fetching code is not mocked).

Routes: ``/rss.xml`` (RSS 2.0, ETag + Last-Modified, answers 304 to a matching conditional request), ``/atom.xml``
(Atom), ``/feed.json`` (JSON Feed 1.1), ``/changing.xml`` (its items change when a test sets ``State.version = 2``),
``/broken.xml`` (not a feed), ``/error.xml`` (HTTP 500), ``/slow.xml`` (answers after ``SLOW_S``), ``/loop``
(a redirect loop), ``/moved.xml`` (a redirect to /rss.xml), ``/robots.txt`` (disallows /private/), article pages
``/a/N.html`` (N = 1..7; page 3 moved by a redirect, 5 is windows-1258 encoded), ``/huge.html`` (larger than any
limit), ``/gone.html`` (404), ``/private/x.html`` (disallowed by robots.txt), ``/syndicated.html`` (the text of
/a/1.html under another URL and headline).
"""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SLOW_S = 3.0


def _seed_paragraphs() -> list[str]:
    out = []
    for p in sorted(SEEDS.glob("*.txt")):
        text = p.read_text(encoding="utf-8")
        out += [x.strip() for x in text.split("\n\n") if len(x.strip()) > 120 and not x.strip().startswith("date")]
    return out


PARAS = _seed_paragraphs()
ARTICLES = {
    n: {"title": f"Tin số {n}: quan hệ Việt Nam – Lào", "date": f"2026-02-0{min(n, 9)}",
        "text": " ".join(PARAS[(n * 2) % len(PARAS):(n * 2) % len(PARAS) + 2]) or PARAS[0]}
    for n in range(1, 8)
}


_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def cp1258(text: str) -> bytes:
    """Vietnamese in windows-1258: a precomposed letter the code page lacks is written as its base letter plus a
    combining tone mark (how that code page writes Vietnamese)."""
    import unicodedata

    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            d = unicodedata.normalize("NFD", ch)
            base = unicodedata.normalize("NFC", "".join(c for c in d if c not in _TONES))
            out += base.encode("cp1258", errors="replace") + "".join(c for c in d if c in _TONES).encode("cp1258")
    return bytes(out)


def page(n: int, host: str) -> str:
    a = ARTICLES[n]
    return f"""<!doctype html><html lang="vi"><head><meta charset="utf-8">
<title>{a['title']} - Báo Mẫu</title>
<link rel="canonical" href="http://{host}/a/{n}.html">
<meta property="article:published_time" content="{a['date']}T08:00:00+07:00">
<meta name="author" content="Phóng viên {n}">
</head><body><nav>Trang chủ | Thời sự | Kinh tế</nav>
<article><h1>{a['title']}</h1><p>{a['text']}</p><p>{a['text'][:200]}</p></article>
<footer>Bản quyền thuộc về Báo Mẫu. Liên hệ quảng cáo.</footer></body></html>"""


def rss(host: str, ns: list[int], title: str = "Báo Mẫu - Thời sự") -> str:
    items = "".join(f"<item><title>{ARTICLES[n]['title']}</title><link>http://{host}/a/{n}.html</link>"
                    f"<guid>http://{host}/a/{n}.html</guid><pubDate>Wed, 0{min(n, 9)} Feb 2026 08:00:00 +0700</pubDate>"
                    "</item>" for n in ns)
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{title}</title>'
            f"<link>http://{host}/</link><description>fixture</description>{items}</channel></rss>")


class State:
    def __init__(self):
        self.hits: dict[str, int] = {}
        self.conditional: list[str] = []
        self.version = 1  # of /changing.xml
        self.lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    state: State = None  # set per server
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):  # quiet
        pass

    def _send(self, code: int, body: bytes = b"", ctype: str = "text/html; charset=utf-8", headers: dict | None = None):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if body:
            self.wfile.write(body)

    def do_GET(self):  # noqa: C901 - one route per fixture
        host = self.headers.get("Host")
        path = self.path.split("?")[0]
        st = self.state
        with st.lock:
            st.hits[path] = st.hits.get(path, 0) + 1
            if self.headers.get("If-None-Match") or self.headers.get("If-Modified-Since"):
                st.conditional.append(path)
        if path == "/robots.txt":
            return self._send(200, b"User-agent: *\nDisallow: /private/\n", "text/plain")
        if path == "/rss.xml":
            etag, modified = '"rss-v1"', "Wed, 04 Feb 2026 08:00:00 GMT"
            if self.headers.get("If-None-Match") == etag:
                return self._send(304, headers={"ETag": etag, "Last-Modified": modified})
            return self._send(200, rss(host, [1, 2, 3]).encode(), "application/rss+xml",
                              {"ETag": etag, "Last-Modified": modified})
        if path == "/moved.xml":
            return self._send(301, headers={"Location": "/rss.xml"})
        if path == "/atom.xml":
            body = (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
                    f"<title>Atom mẫu</title><id>urn:fixture</id><updated>2026-02-05T00:00:00Z</updated>"
                    f'<entry><title>{ARTICLES[4]["title"]}</title><id>urn:a4</id>'
                    f'<link href="http://{host}/a/4.html"/><updated>2026-02-04T00:00:00Z</updated></entry>'
                    f'<entry><title>Trang lỗi</title><id>urn:gone</id><link href="http://{host}/gone.html"/>'
                    f"<updated>2026-02-04T00:00:00Z</updated></entry>"
                    f'<entry><title>Trang lớn</title><id>urn:huge</id><link href="http://{host}/huge.html"/>'
                    f"<updated>2026-02-04T00:00:00Z</updated></entry>"
                    f'<entry><title>Riêng</title><id>urn:private</id><link href="http://{host}/private/x.html"/>'
                    f"<updated>2026-02-04T00:00:00Z</updated></entry></feed>")
            return self._send(200, body.encode(), "application/atom+xml")
        if path == "/feed.json":
            import json

            body = {"version": "https://jsonfeed.org/version/1.1", "title": "JSON mẫu",
                    "items": [{"id": "j5", "url": f"http://{host}/a/5.html", "title": ARTICLES[5]["title"],
                               "date_published": "2026-02-05T08:00:00+07:00"},
                              {"id": "jsyn", "url": f"http://{host}/syndicated.html", "title": "Bản đăng lại"}]}
            return self._send(200, json.dumps(body).encode(), "application/feed+json")
        if path == "/changing.xml":
            ns = [6] if st.version == 1 else [6, 7]  # a test sets version 2: a new item appears
            return self._send(200, rss(host, ns, "Thay đổi").encode(), "application/rss+xml")
        if path == "/broken.xml":
            return self._send(200, b"<html><body>Not a feed at all, sorry</body></html>")
        if path == "/error.xml":
            return self._send(500, b"internal error")
        if path == "/slow.xml":
            time.sleep(SLOW_S)
            return self._send(200, rss(host, [1]).encode(), "application/rss+xml")
        if path in ("/loop", "/loop2"):
            return self._send(302, headers={"Location": "/loop2" if path == "/loop" else "/loop"})
        if path == "/a/3.html":
            return self._send(301, headers={"Location": "/a/3-final.html"})
        if path == "/a/3-final.html":
            return self._send(200, page(3, host).replace("/a/3.html", "/a/3-final.html").encode())
        if path == "/a/5.html":
            return self._send(200, cp1258(page(5, host).replace('charset="utf-8"', 'charset="windows-1258"')),
                              "text/html; charset=windows-1258")
        if path.startswith("/a/") and path.endswith(".html"):
            try:
                n = int(path[3:-5])
            except ValueError:
                return self._send(404, b"not found")
            if n in ARTICLES:
                return self._send(200, page(n, host).encode())
        if path == "/syndicated.html":
            body = page(1, host).replace(ARTICLES[1]["title"], "Đăng lại: " + ARTICLES[1]["title"]).replace(
                f"http://{host}/a/1.html", f"http://{host}/syndicated.html")
            return self._send(200, body.encode())
        if path == "/huge.html":
            return self._send(200, b"<html><body><p>" + b"x" * (3 * 1024 * 1024) + b"</p></body></html>")
        if path == "/private/x.html":
            return self._send(200, page(1, host).encode())
        return self._send(404, b"not found")


class Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address):  # a client that hangs up on a huge page is expected
        pass


def serve() -> tuple[ThreadingHTTPServer, State, str]:
    st = State()
    handler = type("H", (Handler,), {"state": st})
    srv = Server(("127.0.0.1", 0), handler)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, st, f"http://127.0.0.1:{srv.server_address[1]}"
