"""Polite HTTP fetching for feeds and article pages.

Contract of :meth:`Fetcher.get`: returns the response body (bytes, at most ``max_bytes``) with its final URL after
at most ``max_redirects`` redirects, or ``not_modified=True`` when a conditional request (the ``ETag`` /
``Last-Modified`` the index remembers for that URL) says nothing changed; raises :class:`FetchError` naming the URL
and what went wrong (timeout, redirect loop, too large, HTTP status, refused by robots.txt, not reachable). Requests
to one host are spaced by ``host_delay`` seconds; a host's robots.txt is read once per fetcher and obeyed.
"""

from __future__ import annotations

import threading
import time
import urllib.robotparser
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

from .errors import NewsDeskError

USER_AGENT = "rag-newsdesk/0.1 (a private, local news reader; +https://github.com/)"


class FetchError(NewsDeskError, RuntimeError):
    def __init__(self, url: str, reason: str):
        super().__init__(f"{url}: {reason}")
        self.url, self.reason = url, reason


@dataclass
class Fetched:
    url: str  # after redirects
    status: int
    content: bytes = b""
    headers: dict = field(default_factory=dict)
    not_modified: bool = False
    requested: str = ""  # the URL asked for (before redirects)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


class HttpCache:
    """What the index remembers of each URL for conditional GET (table ``http_cache``)."""

    def __init__(self, store):
        self.store, self.db = store, store.db

    def get(self, url: str) -> tuple[str | None, str | None]:
        r = self.db.execute("SELECT etag, last_modified FROM http_cache WHERE url=?", (url,)).fetchone()
        return (r[0], r[1]) if r else (None, None)

    def put(self, url: str, etag: str | None, last_modified: str | None) -> None:
        with self.store._tx():
            self.db.execute("INSERT OR REPLACE INTO http_cache VALUES (?,?,?,?)", (url, etag, last_modified, time.time()))


class Fetcher:
    def __init__(self, cache: HttpCache | None = None, timeout: float = 15.0, max_bytes: int = 5 * 1024 * 1024,
                 max_redirects: int = 5, host_delay: float = 1.0, robots: bool = True, user_agent: str = USER_AGENT):
        self.cache, self.timeout, self.max_bytes = cache, timeout, max_bytes
        self.host_delay, self.robots, self.user_agent = host_delay, robots, user_agent
        self.client = httpx.Client(follow_redirects=True, max_redirects=max_redirects, headers={"User-Agent": user_agent},
                                   timeout=httpx.Timeout(timeout))
        self.max_redirects = max_redirects
        self._last: dict[str, float] = {}
        self._robots: dict[str, urllib.robotparser.RobotFileParser | None] = {}
        self._lock = threading.Lock()
        self.requests: list[dict] = []  # every request made: url, conditional, status (for reports and tests)

    def close(self) -> None:
        self.client.close()

    def _wait_turn(self, host: str) -> None:
        with self._lock:
            last = self._last.get(host)
            now = time.monotonic()
            wait = 0.0 if last is None else max(0.0, last + self.host_delay - now)
            self._last[host] = now + wait
        if wait:
            time.sleep(wait)

    def allowed(self, url: str) -> bool:
        if not self.robots:
            return True
        parts = urlsplit(url)
        base = f"{parts.scheme}://{parts.netloc}"
        if base not in self._robots:
            rp = urllib.robotparser.RobotFileParser()
            try:
                r = self._request(f"{base}/robots.txt", {}, check_robots=False)
                if r.status_code == 200:
                    rp.parse(r.content.decode("utf-8", "replace").splitlines())
                else:
                    rp = None  # no robots.txt (or an error): everything allowed
            except FetchError:
                rp = None
            self._robots[base] = rp
        rp = self._robots[base]
        return rp is None or rp.can_fetch(self.user_agent, url)

    def _request(self, url: str, headers: dict, check_robots: bool = True) -> httpx.Response:
        host = urlsplit(url).netloc
        self._wait_turn(host)
        deadline = time.monotonic() + self.timeout * 2
        try:
            with self.client.stream("GET", url, headers=headers) as r:
                size = int(r.headers.get("content-length") or 0)
                if size > self.max_bytes:
                    raise FetchError(url, f"too large: {size:,} bytes (limit {self.max_bytes:,})")
                body = bytearray()
                for chunk in r.iter_bytes():
                    body += chunk
                    if len(body) > self.max_bytes:
                        raise FetchError(url, f"too large: more than {self.max_bytes:,} bytes")
                    if time.monotonic() > deadline:
                        raise FetchError(url, f"too slow: not complete after {self.timeout * 2:.0f} s")
                r._content = bytes(body)
                return r
        except httpx.TooManyRedirects as e:
            raise FetchError(url, f"more than {self.max_redirects} redirects (a redirect loop?)") from e
        except httpx.TimeoutException as e:
            raise FetchError(url, f"timed out after {self.timeout:.0f} s") from e
        except httpx.InvalidURL as e:
            raise FetchError(url, f"not a valid URL: {e}") from e
        except httpx.UnsupportedProtocol as e:
            raise FetchError(url, "not an http(s) URL") from e
        except httpx.HTTPError as e:
            raise FetchError(url, f"cannot fetch: {e.__class__.__name__}: {e}") from e

    def get(self, url: str, conditional: bool = True) -> Fetched:
        if urlsplit(url).scheme not in ("http", "https"):
            raise FetchError(url, "not an http(s) URL")
        if not self.allowed(url):
            raise FetchError(url, "disallowed by the site's robots.txt")
        headers = {}
        etag = modified = None
        if conditional and self.cache is not None:
            etag, modified = self.cache.get(url)
            if etag:
                headers["If-None-Match"] = etag
            if modified:
                headers["If-Modified-Since"] = modified
        r = self._request(url, headers)
        self.requests.append({"url": url, "conditional": bool(headers), "status": r.status_code})
        if r.status_code == 304:
            return Fetched(str(r.url), 304, b"", dict(r.headers), not_modified=True)
        if r.status_code >= 400:
            raise FetchError(url, f"HTTP {r.status_code} {r.reason_phrase}".strip())
        return Fetched(str(r.url), r.status_code, r.content, {k.lower(): v for k, v in r.headers.items()},
                       requested=url)

    def remember(self, fetched: Fetched) -> None:
        """Store the validators of a response whose content is safely processed: the next ``get`` of its URL is
        conditional. (Not before: a crash in between must not turn the next refresh into "not modified".)"""
        etag, modified = fetched.headers.get("etag"), fetched.headers.get("last-modified")
        if self.cache is not None and (etag or modified):
            self.cache.put(fetched.requested or fetched.url, etag, modified)
