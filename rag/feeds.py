"""Feeds: the news sources the desk follows, and one refresh pass over them.

Contract:

* ``FeedRegistry`` keeps the followed feeds in the index (table ``feeds``): ``add`` checks the URL answers with a
  feed (RSS 0.9x/1.0/2.0 or Atom through ``feedparser``, or JSON Feed 1.x) and records its title; ``remove``;
  ``import_opml`` / ``export_opml`` (OPML 2.0 outlines with ``xmlUrl``).
* ``refresh(desk)`` fetches every feed (conditional GET: an unchanged feed costs one 304), and for each item not seen
  before fetches its page, extracts the article's main text, title, date and author with trafilatura, and ingests
  it. An article is identified by its canonical URL (the page's ``<link rel=canonical>``, else the URL after
  redirects), then by the hash of its text: the same text under another URL is not stored twice. A feed or page
  that fails is reported with its URL and error and never stops the others; items are marked seen only once
  ingested, and a feed's validators are stored only after its items are processed, so an interrupted refresh is
  resumed by the next one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import time
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable
from xml.sax.saxutils import quoteattr

from .documents import Document, normalize_date, LoadError
from .errors import NewsDeskError
from .fetch import Fetched, FetchError, Fetcher, HttpCache


class FeedError(NewsDeskError, ValueError):
    """A feed URL or OPML file that cannot be used; the message names it."""


@dataclass
class Feed:
    url: str
    title: str | None
    added_at: float
    last_refresh: float | None
    last_status: str | None
    last_error: str | None
    items_seen: int

    def to_dict(self) -> dict:
        return {"url": self.url, "title": self.title,
                "added": _iso(self.added_at), "last_refresh": _iso(self.last_refresh),
                "last_status": self.last_status, "last_error": self.last_error, "items_seen": self.items_seen}


def _iso(t: float | None) -> str | None:
    return dt.datetime.fromtimestamp(t, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if t else None


@dataclass
class Item:
    key: str  # the item's id, else its link
    link: str
    title: str | None = None
    date: str | None = None
    summary: str | None = None


@dataclass
class RefreshReport:
    feeds: int = 0
    articles_added: int = 0
    feeds_unchanged: int = 0
    items_new: int = 0
    duplicates: int = 0  # items whose article text the desk already had under another URL
    errors: list[dict] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return {**asdict(self), "seconds": round(self.seconds, 2)}


def parse_feed(fetched: Fetched) -> tuple[str | None, list[Item]]:
    """The feed's title and items; raises FeedError when the body is not a feed."""
    body = fetched.content
    head = body.lstrip()[:1]
    if fetched.content_type in ("application/feed+json", "application/json") or head == b"{":
        try:
            d = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise FeedError(f"{fetched.url}: not a JSON Feed ({e})") from e
        if not isinstance(d, dict) or "items" not in d:
            raise FeedError(f"{fetched.url}: JSON without 'items' is not a JSON Feed")
        items = [Item(str(it.get("id") or it.get("url")), it.get("url") or it.get("external_url") or "",
                      it.get("title"), it.get("date_published"), it.get("content_text") or it.get("summary"))
                 for it in d["items"] if isinstance(it, dict) and (it.get("url") or it.get("external_url"))]
        return d.get("title"), items
    import feedparser

    p = feedparser.parse(body, response_headers={"content-location": fetched.url,
                                                 "content-type": fetched.headers.get("content-type", "")})
    if not p.get("version") and not p.entries:
        why = getattr(p.get("bozo_exception"), "getMessage", lambda: str(p.get("bozo_exception") or ""))()
        raise FeedError(f"{fetched.url}: not an RSS, Atom or JSON feed" + (f" ({why})" if why else ""))
    items = []
    for e in p.entries:
        link = e.get("link") or ""
        if not link:
            continue
        date = None
        for k in ("published_parsed", "updated_parsed"):
            if e.get(k):
                date = time.strftime("%Y-%m-%d", e[k])
                break
        items.append(Item(str(e.get("id") or link), link, e.get("title"), date, e.get("summary")))
    return p.feed.get("title"), items


def extract_article(fetched: Fetched) -> Document | None:
    """Main text, title, date, author and canonical URL of an article page (trafilatura); None without text."""
    import trafilatura

    doc = trafilatura.bare_extraction(fetched.content, url=fetched.url, with_metadata=True, include_comments=False,
                                      favor_precision=True)
    if doc is None:
        return None
    d = doc if isinstance(doc, dict) else doc.as_dict()
    text = unicodedata.normalize("NFC", (d.get("text") or "").strip())  # legacy code pages decode to combining marks
    if len(text) < 40:
        return None
    canonical = d.get("url") if (d.get("url") or "").startswith(("http://", "https://")) else fetched.url
    try:
        date = normalize_date(d.get("date"), canonical) if d.get("date") else None
    except LoadError:
        date = None
    title = unicodedata.normalize("NFC", d["title"]) if d.get("title") else None
    author = d.get("author")
    doc_id = "web-" + hashlib.sha1(canonical.encode("utf-8")).hexdigest()[:16]
    source = canonical + (f" ({author})" if author else "")
    return Document(doc_id=doc_id, text=text, source=source, title=title, date=date, url=canonical)


def fetcher_for(desk) -> Fetcher:
    s = desk.settings
    return Fetcher(HttpCache(desk.store), timeout=s.fetch_timeout, max_bytes=int(s.fetch_max_mb * 1024 * 1024),
                   host_delay=s.fetch_host_delay)


def text_hash(text: str) -> str:
    return hashlib.sha256(re.sub(r"\s+", " ", text).strip().encode("utf-8")).hexdigest()


class FeedRegistry:
    def __init__(self, store):
        self.store, self.db = store, store.db

    def list(self) -> list[Feed]:
        return [Feed(*r) for r in self.db.execute(
            "SELECT url, title, added_at, last_refresh, last_status, last_error, items_seen FROM feeds ORDER BY added_at")]

    def get(self, url: str) -> Feed | None:
        return next((f for f in self.list() if f.url == url), None)

    def add(self, url: str, fetcher: Fetcher | None = None, check: bool = True, title: str | None = None) -> Feed:
        url = url.strip()
        if not re.match(r"^https?://[^\s/]+", url):
            raise FeedError(f"{url!r}: a feed is an http(s) URL")
        if check:
            own = fetcher is None
            fetcher = fetcher or Fetcher(HttpCache(self.store), timeout=self.store.settings.fetch_timeout,
                                         max_bytes=int(self.store.settings.fetch_max_mb * 1024 * 1024), host_delay=0)
            try:
                title = parse_feed(fetcher.get(url, conditional=False))[0] or title
            except FetchError as e:
                raise FeedError(f"cannot add feed {e.url}: {e.reason}") from e
            finally:
                if own:
                    fetcher.close()
        with self.store._tx():
            self.db.execute("INSERT OR IGNORE INTO feeds (url, title, added_at, items_seen) VALUES (?,?,?,0)",
                            (url, title, time.time()))
        return self.get(url)

    def remove(self, url: str) -> bool:
        with self.store._tx():
            n = self.db.execute("DELETE FROM feeds WHERE url=?", (url,)).rowcount
            self.db.execute("DELETE FROM feed_items WHERE feed_url=?", (url,))
            self.db.execute("DELETE FROM http_cache WHERE url=?", (url,))
        return bool(n)

    def import_opml(self, path: Path, fetcher: Fetcher | None = None, check: bool = False) -> tuple[list[Feed], list[dict]]:
        """Add every outline with an ``xmlUrl`` of an OPML file; returns (added, errors)."""
        try:
            root = ET.parse(path).getroot()
        except (OSError, ET.ParseError) as e:
            raise FeedError(f"{path}: not a readable OPML file ({e})") from e
        added, errors = [], []
        for o in root.iter("outline"):
            url = o.get("xmlUrl")
            if not url:
                continue
            try:
                added.append(self.add(url, fetcher, check=check, title=o.get("title") or o.get("text")))
            except FeedError as e:
                errors.append({"url": url, "error": str(e)})
        return added, errors

    def export_opml(self) -> str:
        lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<opml version="2.0">',
                 "  <head><title>rag-newsdesk feeds</title></head>", "  <body>"]
        for f in self.list():
            t = f.title or f.url
            lines.append(f'    <outline type="rss" text={quoteattr(t)} title={quoteattr(t)} xmlUrl={quoteattr(f.url)}/>')
        lines += ["  </body>", "</opml>", ""]
        return "\n".join(lines)

    # ---- bookkeeping used by refresh
    def seen(self, feed_url: str) -> set[str]:
        return {r[0] for r in self.db.execute("SELECT item_key FROM feed_items WHERE feed_url=?", (feed_url,))}

    def known_text(self, h: str) -> str | None:
        r = self.db.execute("SELECT doc_id FROM feed_items WHERE text_hash=? AND doc_id IS NOT NULL", (h,)).fetchone()
        return r[0] if r else None

    def mark(self, feed_url: str, key: str, doc_id: str | None, h: str | None) -> None:
        with self.store._tx():
            self.db.execute("INSERT OR REPLACE INTO feed_items VALUES (?,?,?,?,?)", (feed_url, key, doc_id, time.time(), h))

    def status(self, url: str, status: str, error: str | None, title: str | None = None) -> None:
        with self.store._tx():
            self.db.execute("UPDATE feeds SET last_refresh=?, last_status=?, last_error=?, title=COALESCE(?, title), "
                            "items_seen=(SELECT COUNT(*) FROM feed_items WHERE feed_url=?) WHERE url=?",
                            (time.time(), status, error, title, url, url))


ProgressFn = Callable[[int, int, str], None]


def refresh(desk, fetcher: Fetcher | None = None, progress: ProgressFn | None = None,
            feeds: list[str] | None = None) -> RefreshReport:
    """One pass over the followed feeds (or ``feeds``); see the module's contract."""
    t0 = time.perf_counter()
    reg = FeedRegistry(desk.store)
    own = fetcher is None
    fetcher = fetcher or fetcher_for(desk)
    rep = RefreshReport()
    todo = [f for f in reg.list() if feeds is None or f.url in feeds]
    rep.feeds = len(todo)
    try:
        for n, feed in enumerate(todo):
            if progress:
                progress(n, len(todo), feed.url)
            try:
                got = fetcher.get(feed.url)
            except FetchError as e:
                rep.errors.append({"url": e.url, "error": e.reason})
                reg.status(feed.url, "error", e.reason)
                continue
            if got.not_modified:
                rep.feeds_unchanged += 1
                reg.status(feed.url, "not modified", None)
                continue
            try:
                title, items = parse_feed(got)
            except FeedError as e:
                rep.errors.append({"url": feed.url, "error": str(e).split(": ", 1)[-1]})
                reg.status(feed.url, "error", str(e))
                continue
            seen = reg.seen(feed.url)
            new = [it for it in items if it.key not in seen]
            rep.items_new += len(new)
            failed = 0
            for it in new:
                try:
                    page = fetcher.get(it.link, conditional=False)
                    doc = extract_article(page)
                    if doc is None:
                        raise FetchError(it.link, "no article text found on the page")
                except FetchError as e:
                    rep.errors.append({"url": e.url, "error": e.reason})
                    failed += 1
                    continue
                if doc.date is None and it.date:
                    doc.date = it.date
                if not doc.title and it.title:
                    doc.title = it.title
                h = text_hash(doc.text)
                have = reg.known_text(h)
                if have is not None or desk.store.doc_signature(doc.doc_id) is not None:
                    rep.duplicates += 1
                    reg.mark(feed.url, it.key, have or doc.doc_id, h)
                    continue
                ing = desk.ingest_documents([doc])
                if ing.errors:
                    rep.errors.append({"url": it.link, "error": ing.errors[0]["error"]})
                    failed += 1
                    continue
                rep.articles_added += ing.docs_added
                reg.mark(feed.url, it.key, doc.doc_id, h)
            if not failed:  # a failed item is tried again next time: the feed must not answer "not modified"
                fetcher.remember(got)
            reg.status(feed.url, "ok" if not failed else f"{failed} item(s) failed", None, title)
        if progress:
            progress(len(todo), len(todo), "")
    finally:
        if own:
            fetcher.close()
    rep.seconds = time.perf_counter() - t0
    return rep


def parse_every(text: str) -> float:
    """``30m``, ``2h``, ``90s``, ``1d`` -> seconds."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", text or "")
    if not m:
        raise FeedError(f"--every {text!r}: give a duration like 30m, 2h, 90s")
    return float(m.group(1)) * {"": 60, "s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]
