"""The Gradio chat app (UI only: it calls the same NewsDesk functions as the CLI).

Tabs: Ask (streaming multi-turn chat with clickable [n] citations and a sources panel; the draft is marked as
such until the checked answer, with its state and confidence, replaces it), Summarize, Briefing (VI and EN side by
side, copy/download), Stories (stories, a story's timeline, the daily briefing by story), Library (upload with
progress, documents, remove, status; feeds: follow, refresh, last refresh and errors).
API endpoints for gradio_client: /ask, /summarize, /brief, /ingest, /stats.
"""

from __future__ import annotations

import html
import logging
import queue
import re
import shutil
import sys
import tempfile
import threading
from pathlib import Path

import gradio as gr
from gradio.data_classes import FileData

from .documents import SUPPORTED_EXTENSIONS, LoadError, normalize_date
from .errors import NewsDeskError, public_message
from .store import Filters

log = logging.getLogger("rag.app")

# Clicking a citation link opens and highlights the matching source card (no server round trip).
HEAD = """
<script>
document.addEventListener('click', function (ev) {
  const a = ev.target.closest('a');
  if (!a) return;
  const href = a.getAttribute('href') || '';
  const m = href.match(/#src-(\\d+)$/);
  if (!m) return;
  ev.preventDefault();
  document.querySelectorAll('.src-card').forEach(c => c.classList.remove('src-active'));
  const card = document.getElementById('src-' + m[1]);
  if (card) { card.open = true; card.classList.add('src-active'); card.scrollIntoView({block: 'nearest'}); }
}, true);
</script>
"""

CSS = """
.src-card { border: 1px solid #ddd; border-radius: 8px; padding: 6px 10px; margin: 6px 0; }
.src-card.src-active { border-color: #f59e0b; box-shadow: 0 0 0 2px #fde68a; }
.src-card summary { cursor: pointer; font-weight: 600; }
.src-card mark { background: #fef08a; }
.src-meta { color: #666; font-size: 0.85em; }
.abstain { color: #92400e; }
"""

DRAFT_LABEL = "draft, being checked:"
STATE_LABELS = {"answered": ("✔", "Answered", "Đã trả lời"), "uncertain": ("⚠", "Not sure", "Chưa chắc chắn"),
                "not_in_articles": ("🛈", "Not in the articles", "Không có trong các bài báo")}


def _n(k: int, word: str) -> str:
    return f"{k} {word}{'' if k == 1 else 's'}"


def state_markdown(ans) -> str:
    """The checked answer as the chat shows it: its state and confidence, then the text the state presents."""
    icon, en, vi = STATE_LABELS[ans.state.value]
    label = vi if ans.language == "vi" else en
    conf = f" · {ans.confidence:.0%}" if ans.state.value != "not_in_articles" else ""
    return f"{icon} **{label}**{conf}\n\n" + _link_citations(ans.display or ans.answer)


def _link_citations(text: str) -> str:
    """[1] / [1, 2] -> markdown links to the source cards."""

    def repl(m):
        nums = re.split(r"\s*[,;]\s*", m.group(1))
        return "".join(f"[[{n}]](#src-{n})" for n in nums)

    return re.sub(r"\[(\d+(?:\s*[,;]\s*\d+)*)\](?!\()", repl, text)


def sources_html(desk, cited: list[tuple[int, object]]) -> str:
    """Source cards: article title, date, source, and the passage highlighted inside its article context."""
    if not cited:
        return "<div class='src-meta'>Sources appear here; click a [n] in an answer to open one.</div>"
    parts = []
    for n, p in cited:
        doc = desk.store.get_document(p.doc_id)
        if doc is not None and doc.text[p.start:p.end] == p.text:
            a, b = max(0, p.start - 240), min(len(doc.text), p.end + 240)
            body = (("…" if a else "") + html.escape(doc.text[a:p.start]) + "<mark>" + html.escape(p.text) + "</mark>"
                    + html.escape(doc.text[p.end:b]) + ("…" if b < len(doc.text) else ""))
        else:
            body = "<mark>" + html.escape(p.text) + "</mark>"
        title = html.escape(p.title or p.doc_id)
        parts.append(
            f"<details class='src-card' id='src-{n}'><summary>[{n}] {title}</summary>"
            f"<div class='src-meta'>{html.escape(p.date or 'no date')} · {html.escape(p.source)} · "
            f"<code>{html.escape(p.chunk_id)}</code></div><div>{body.replace(chr(10), '<br>')}</div></details>")
    return "".join(parts)


def _filters(since: str, until: str, docs) -> Filters | None:
    since = normalize_date(since or None, "since")
    until = normalize_date(until or None, "until")
    docs = list(docs or [])
    if not (since or until or docs):
        return None
    return Filters(since=since, until=until, doc_ids=docs or None)


def _plain_history(messages: list) -> list[dict]:
    out = []
    for m in messages or []:
        content = m.get("content") if isinstance(m, dict) else None
        if isinstance(content, list):  # content lists from the API
            content = " ".join(c.get("text", "") for c in content if isinstance(c, dict))
        if isinstance(content, str) and m.get("role") in ("user", "assistant"):
            out.append({"role": m["role"], "content": re.sub(r"\(#src-\d+\)", "", content)})
    return out


def _words(words) -> int:
    """The requested length, as a usage error when it is not a number in range."""
    try:
        n = int(words)
    except (TypeError, ValueError):
        raise ValueError(f"words must be a whole number (got {words!r})") from None
    if not 30 <= n <= 600:
        raise ValueError(f"words must be between 30 and 600 (got {n})")
    return n


def _readable(e: Exception) -> str:
    if not isinstance(e, (NewsDeskError, ValueError)):
        log.error("unexpected error", exc_info=e)
    return public_message(e)


def ingest_uploads(desk, items: list[tuple[Path, str | None]], upload_dir: Path, max_upload_mb: int,
                   progress=None) -> dict:
    """Copy uploaded files (under their original names) to a fresh folder, enforce the size limit, ingest.

    Returns the ingest report dict; error paths are the uploaded file names.
    """
    batch = Path(tempfile.mkdtemp(dir=upload_dir))
    errors, paths = [], []
    for src, orig in items:
        name = Path(orig or src.name).name
        if src.stat().st_size > max_upload_mb * 1024 * 1024:
            errors.append({"path": name, "error": f"file larger than the {max_upload_mb} MB upload limit"})
            continue
        shutil.copyfile(src, batch / name)
        paths.append(batch / name)
    if paths:
        try:
            rep = desk.ingest(paths, progress=progress).to_dict()
        finally:  # the index keeps the text; the uploaded copies are not needed any more
            shutil.rmtree(batch, ignore_errors=True)
    else:
        shutil.rmtree(batch, ignore_errors=True)
        rep = {"docs_added": 0, "docs_updated": 0, "docs_unchanged": 0, "chunks_added": 0,
               "chunks_total": desk.store.chunk_count(), "errors": []}
    # the server's folders never reach the client: paths in messages become the uploaded names
    hide = lambda t: t.replace(str(batch) + "/", "").replace(str(upload_dir) + "/", "")
    rep["errors"] = errors + [{"path": hide(e["path"]), "error": hide(e["error"])} for e in rep["errors"]]
    return rep


def build_app(desk, max_upload_mb: int = 20):
    upload_dir = Path(tempfile.mkdtemp(prefix="rag-upload-"))
    import atexit

    atexit.register(shutil.rmtree, upload_dir, True)  # one temp folder per start, removed at exit

    def doc_choices():
        return [(f"{d.doc_id} ({d.date or 'no date'})", d.doc_id) for d in desk.docs() if d.state == "ok"]

    def status_md():
        st = desk.stats()
        loaded = "loaded" if st["llm_loaded"] else "not loaded yet (loads on first question)"
        return (f"**{st['documents']}** documents · **{st['chunks']}** chunks · embedding `{st['embedding_model']}` · "
                f"LLM `{st['llm']}` ({loaded}) · index `{st['index']}`")

    def docs_table():
        return [[d.doc_id, d.date or "", d.n_chunks, d.title or "", d.source, d.copy_of or ""] for d in desk.docs()]

    # ---- Ask ----
    def chat(message, history, since, until, docs):
        history = list(history or [])
        message = (message or "").strip()
        if not message:
            yield history, gr.update(), ""
            return
        history.append({"role": "user", "content": message})
        history.append({"role": "assistant", "content": "…"})
        yield history, gr.update(), ""
        try:
            filters = _filters(since, until, docs)
        except LoadError as e:
            history[-1]["content"] = f"⚠️ {e.reason}"
            yield history, gr.update(), ""
            return
        q: queue.Queue = queue.Queue()
        box: dict = {}

        def work():
            try:
                box["ans"] = desk.ask(message, history=_plain_history(history[:-2]), filters=filters,
                                      stream=lambda t: q.put(t))
            except Exception as e:  # reported to the user below, never as a stack trace
                box["err"] = e
            finally:
                q.put(None)

        threading.Thread(target=work, daemon=True).start()
        text = ""
        while True:
            tok = q.get()
            if tok is None:
                break
            text += tok
            history[-1]["content"] = f"✎ *{DRAFT_LABEL}* {text}"  # replaced by the checked answer below
            yield history, gr.update(), ""
        if "err" in box:
            history[-1]["content"] = f"⚠️ {_readable(box['err'])}"
            yield history, gr.update(), ""
            return
        ans = box["ans"]
        history[-1]["content"] = state_markdown(ans)
        yield history, sources_html(desk, [(c.n, c.passage) for c in ans.citations]), ""

    # ---- Summarize / Briefing ----
    def _bar(progress, what):
        return lambda done, total, label: progress((done, total), desc=f"{what}: {label}", unit="bullets")

    def do_summarize(doc_ids, words, progress=gr.Progress()):
        if not doc_ids:
            raise gr.Error("Pick at least one article.")
        try:
            dg = desk.summarize(list(doc_ids), words=_words(words), progress=_bar(progress, "summary"))
        except Exception as e:
            raise gr.Error(_readable(e)) from e
        return _link_citations(dg.to_markdown()), _digest_sources(dg)

    def _digest_sources(dg):
        cited = sorted({c for s in dg.sections for b in s.bullets for c in b.citations})
        return sources_html(desk, [(n, dg.sources[n - 1]) for n in cited])

    def do_brief(since, until, topic, doc_ids, words, progress=gr.Progress()):
        try:
            dg = desk.brief(since=normalize_date(since or None, "since"), until=normalize_date(until or None, "until"),
                            query=(topic or None), docs=list(doc_ids or []) or None, words=_words(words),
                            progress=_bar(progress, "briefing"))
        except Exception as e:
            raise gr.Error(_readable(e)) from e
        vi = next((s for s in dg.sections if s.lang == "vi"), None)
        en = next((s for s in dg.sections if s.lang == "en"), None)
        head = f"### {dg.title}\n*{dg.subtitle()}*"
        def section_md(sec):
            if not sec or not sec.bullets:
                return ""
            note = dg.missing_note(sec.lang)
            return "\n".join([f"**{sec.heading}**", ""] + [f"- {_link_citations(x.text)}" for x in sec.bullets]
                             + (["", f"*{_link_citations(note)}*"] if note else []))

        vi_md, en_md = section_md(vi), section_md(en)
        md = dg.to_markdown()
        path = upload_dir / "briefing.md"
        path.write_text(md, encoding="utf-8")
        return head, vi_md or "_(empty)_", en_md or "_(empty)_", md, str(path), _digest_sources(dg)

    # ---- Library ----
    def do_ingest(files, progress=gr.Progress()):
        if not files:
            raise gr.Error("Choose one or more files to upload.")
        items = [(Path(f if isinstance(f, str) else f.name), getattr(f, "orig_name", None)) for f in files]
        d = ingest_uploads(desk, items, upload_dir, max_upload_mb,
                           progress=lambda done, total, label: progress((done, total), desc=f"ingesting {label}"))
        lines = [f"Added **{d['docs_added']}**, updated **{d['docs_updated']}**, unchanged **{d['docs_unchanged']}** "
                 f"documents; {d['chunks_added']} chunks added ({d['chunks_total']} in the index)."]
        lines += [f"- ⚠️ `{e['path']}`: {e['error']}" for e in d["errors"]]
        return "\n".join(lines), docs_table(), status_md(), gr.update(choices=doc_choices())

    def do_remove(doc_id):
        if not doc_id:
            raise gr.Error("Pick a document to remove.")
        ok = desk.remove(doc_id)
        msg = f"Removed `{doc_id}`." if ok else f"`{doc_id}` is not in the index."
        return msg, docs_table(), status_md(), gr.update(choices=doc_choices(), value=None)

    # ---- Stories and feeds ----
    def story_choices():
        return [(f"{s.title[:70]} · {len(s.doc_ids)} articles · {s.first_date or '?'} – {s.last_date or '?'}", s.id)
                for s in desk.stories()]

    def stories_table():
        return [[s.id, s.first_date or "", s.last_date or "", len(s.doc_ids), s.copies, s.outlets, s.title]
                for s in desk.stories()]

    def do_story(story_id):
        if not story_id:
            raise gr.Error("Pick a story.")
        got = desk.story(story_id)
        if got is None:
            raise gr.Error(f"No story {story_id}.")
        st, facts = got
        lines = [f"### {html.escape(st.title)}",
                 f"{_n(len(st.doc_ids), 'article')} · reported by {_n(st.outlets, 'outlet')} · "
                 f"{st.first_date} – {st.last_date}", ""]
        if not facts:
            lines.append("No dated facts in these articles.")
        for f in facts:
            how = " *(resolved from the article's date)*" if f.how == "relative" else ""
            lines.append(f"- **{f.when()}**{how} — {html.escape(f.text)} `[{f.doc_id}, {f.reported or 'undated'}]`")
            if f.changes:
                lines.append(f"  - ⚠ *changes an earlier report* (`{f.changes['doc_id']}`): "
                             f"{html.escape(f.changes['text'][:200])}")
        return "\n".join(lines)

    def do_daily(since, progress=gr.Progress()):
        from .daily import daily, resolve_day

        try:
            db = daily(desk, resolve_day(since or "yesterday"),
                       progress=lambda done, total, label: progress((done, total), desc=f"story: {label[:40]}"))
        except Exception as e:
            raise gr.Error(_readable(e)) from e
        md = db.to_markdown()
        out = Path(tempfile.mkdtemp(prefix="rag-daily-")) / "daily-briefing.html"
        out.write_text(db.to_html(), encoding="utf-8")
        return md, str(out)

    def feeds_table():
        from .feeds import FeedRegistry

        return [[f.url, f.title or "", f.items_seen, f.to_dict()["last_refresh"] or "never",
                 f.last_error or f.last_status or ""] for f in FeedRegistry(desk.store).list()]

    def do_add_feed(url):
        from .feeds import FeedError, FeedRegistry

        try:
            f = FeedRegistry(desk.store).add(url or "")
        except FeedError as e:
            raise gr.Error(str(e)) from e
        return f"Following **{html.escape(f.title or f.url)}**.", feeds_table()

    def do_refresh(progress=gr.Progress()):
        from .feeds import refresh

        rep = refresh(desk, progress=lambda done, total, label: progress((done, total), desc=f"feed {label[-40:]}"))
        lines = [f"{rep.feeds} feeds · **{rep.articles_added}** articles added · {rep.feeds_unchanged} unchanged"]
        lines += [f"- ⚠️ `{html.escape(e['url'])}`: {html.escape(e['error'])}" for e in rep.errors]
        return "\n".join(lines), feeds_table(), docs_table(), status_md(), gr.update(choices=story_choices())

    with gr.Blocks(title="Local news desk") as demo:
        gr.Markdown("# Local news desk\nAnswers, summaries and bilingual briefings from your own articles, "
                    "with sources one click away. Everything runs on this machine.")
        status = gr.Markdown(status_md())
        with gr.Tab("Ask"):
            with gr.Row():
                with gr.Column(scale=3):
                    chatbot = gr.Chatbot(label="Conversation", height=480, elem_id="chat")
                    with gr.Row():
                        msg = gr.Textbox(placeholder="Ask in English or Vietnamese…", show_label=False, scale=5,
                                         elem_id="question")
                        send = gr.Button("Ask", variant="primary", scale=1, elem_id="ask-btn")
                    with gr.Accordion("Filters", open=False):
                        with gr.Row():
                            since = gr.Textbox(label="From (YYYY-MM-DD)")
                            until = gr.Textbox(label="To (YYYY-MM-DD)")
                        docs_filter = gr.Dropdown(label="Only these articles", choices=doc_choices(), multiselect=True)
                    clear = gr.Button("New conversation", size="sm")
                with gr.Column(scale=2):
                    gr.Markdown("### Sources")
                    sources = gr.HTML(sources_html(desk, []), elem_id="sources")
            ev = dict(fn=chat, inputs=[msg, chatbot, since, until, docs_filter], outputs=[chatbot, sources, msg],
                      api_visibility="private")
            send.click(**ev).then(status_md, None, status, api_visibility="private")
            msg.submit(**ev).then(status_md, None, status, api_visibility="private")
            clear.click(lambda: ([], sources_html(desk, [])), None, [chatbot, sources], api_visibility="private")
        with gr.Tab("Summarize"):
            with gr.Row():
                sum_docs = gr.Dropdown(label="Articles", choices=doc_choices(), multiselect=True, scale=3)
                sum_words = gr.Slider(60, 400, value=150, step=10, label="Length (words)", scale=1)
            sum_btn = gr.Button("Summarize in English", variant="primary")
            with gr.Row():
                sum_out = gr.Markdown()
                sum_src = gr.HTML()
            sum_btn.click(do_summarize, [sum_docs, sum_words], [sum_out, sum_src], api_visibility="private")
        with gr.Tab("Briefing"):
            with gr.Row():
                b_since = gr.Textbox(label="From (YYYY-MM-DD)", elem_id="brief-since")
                b_until = gr.Textbox(label="To (YYYY-MM-DD)", elem_id="brief-until")
                b_topic = gr.Textbox(label="Topic (optional)")
            with gr.Row():
                b_docs = gr.Dropdown(label="Or these articles", choices=doc_choices(), multiselect=True, scale=3)
                b_words = gr.Slider(60, 400, value=150, step=10, label="Length (words)", scale=1)
            b_btn = gr.Button("Write the briefing", variant="primary", elem_id="brief-btn")
            b_head = gr.Markdown()
            with gr.Row():
                with gr.Column():
                    gr.Markdown("#### Tiếng Việt")
                    b_vi = gr.Markdown(elem_id="brief-vi")
                with gr.Column():
                    gr.Markdown("#### English")
                    b_en = gr.Markdown(elem_id="brief-en")
            with gr.Accordion("Markdown (copy) and download", open=False):
                b_md = gr.Textbox(lines=10, buttons=["copy"], show_label=False)
                b_file = gr.File(label="briefing.md")
            b_src = gr.HTML()
            b_btn.click(do_brief, [b_since, b_until, b_topic, b_docs, b_words], [b_head, b_vi, b_en, b_md, b_file, b_src],
                        api_visibility="private")
        with gr.Tab("Stories"):
            gr.Markdown("Articles grouped into stories (an event followed over days); syndicated copies count once.")
            st_table = gr.Dataframe(headers=["story", "first", "last", "articles", "copies", "outlets", "title"],
                                    value=stories_table(), interactive=False, label="Stories", elem_id="stories")
            with gr.Row():
                st_pick = gr.Dropdown(label="Timeline of", choices=story_choices(), scale=4, elem_id="story-pick")
                st_btn = gr.Button("Show the timeline", variant="primary", scale=1, elem_id="story-btn")
            st_out = gr.Markdown(elem_id="timeline")
            st_btn.click(do_story, [st_pick], [st_out], api_visibility="private")
            with gr.Accordion("Daily briefing by story", open=False):
                with gr.Row():
                    d_since = gr.Textbox(label="News since (YYYY-MM-DD, yesterday, hôm qua)", value="yesterday")
                    d_btn = gr.Button("Write the daily briefing", variant="primary")
                d_out = gr.Markdown()
                d_file = gr.File(label="daily-briefing.html")
                d_btn.click(do_daily, [d_since], [d_out, d_file], api_visibility="private")
        with gr.Tab("Library"):
            up = gr.File(label=f"Upload articles ({', '.join(sorted(SUPPORTED_EXTENSIONS))}; ≤ {max_upload_mb} MB each)",
                         file_count="multiple", file_types=sorted(SUPPORTED_EXTENSIONS))
            up_btn = gr.Button("Ingest", variant="primary")
            up_out = gr.Markdown()
            table = gr.Dataframe(headers=["doc_id", "date", "chunks", "title", "source", "copy of"], value=docs_table(),
                                 interactive=False, label="Documents")
            with gr.Row():
                rm_pick = gr.Dropdown(label="Remove a document", choices=doc_choices())
                rm_btn = gr.Button("Remove", variant="stop")
            rm_out = gr.Markdown()
            up_btn.click(do_ingest, [up], [up_out, table, status, rm_pick], api_visibility="private")
            rm_btn.click(do_remove, [rm_pick], [rm_out, table, status, rm_pick], api_visibility="private")
            gr.Markdown("#### Feeds")
            f_table = gr.Dataframe(headers=["feed", "title", "items", "last refresh", "status / error"],
                                   value=feeds_table(), interactive=False, label="Feeds", elem_id="feeds")
            with gr.Row():
                f_url = gr.Textbox(label="Follow a feed (RSS, Atom or JSON Feed URL)", scale=4, elem_id="feed-url")
                f_add = gr.Button("Add", scale=1, elem_id="feed-add")
                f_ref = gr.Button("Refresh all feeds", variant="primary", scale=1, elem_id="feed-refresh")
            f_out = gr.Markdown(elem_id="feed-out")
            f_add.click(do_add_feed, [f_url], [f_out, f_table], api_visibility="private")
            f_ref.click(do_refresh, None, [f_out, f_table, table, status, st_pick], api_visibility="private")

        # ---- API endpoints (gradio_client) ----
        def api_ask(question: str, since: str = "", until: str = "", docs: list[str] | None = None,
                    history: list[dict] | None = None) -> dict:
            """Answer a question; returns the answer text with [n] citations and the cited sources."""
            try:
                ans = desk.ask(question, history=_plain_history(history or []), filters=_filters(since, until, docs))
            except Exception as e:
                raise gr.Error(_readable(e)) from e
            return ans.to_dict()

        def api_summarize(doc_ids: list[str], words: int = 150) -> dict:
            """English summary of the given documents (JSON as `rag summarize --json`)."""
            try:
                return desk.summarize(list(doc_ids), words=_words(words)).to_dict()
            except Exception as e:
                raise gr.Error(_readable(e)) from e

        def api_brief(since: str = "", until: str = "", query: str = "", docs: list[str] | None = None,
                      words: int = 150) -> dict:
            """Bilingual briefing (JSON as `rag brief --json`)."""
            try:
                return desk.brief(since=normalize_date(since or None, "since"), until=normalize_date(until or None, "until"),
                                  query=query or None, docs=list(docs or []) or None, words=_words(words)).to_dict()
            except Exception as e:
                raise gr.Error(_readable(e)) from e

        def api_ingest(files: list[FileData]) -> dict:
            """Ingest uploaded files; returns the ingest report (as `rag ingest --json`, errors as {file, error})."""
            items = []
            for f in files or []:
                path = f["path"] if isinstance(f, dict) else getattr(f, "path", f)
                orig = f.get("orig_name") if isinstance(f, dict) else getattr(f, "orig_name", None)
                items.append((Path(path), orig))
            try:
                rep = ingest_uploads(desk, items, upload_dir, max_upload_mb)
            except Exception as e:
                raise gr.Error(_readable(e)) from e
            # errors name the file under "file": gradio_client would try to download any dict with a "path" key
            rep["errors"] = [{"file": e["path"], "error": e["error"]} for e in rep["errors"]]
            return rep

        def api_stats() -> dict:
            """Index status: documents, chunks, models, whether the LLM is loaded."""
            try:
                st = desk.stats()
            except Exception as e:
                raise gr.Error(_readable(e)) from e
            st["index"] = Path(st["index"]).name  # the server's folders stay on the server
            return st

        gr.api(api_ask, api_name="ask")
        gr.api(api_summarize, api_name="summarize")
        gr.api(api_brief, api_name="brief")
        gr.api(api_ingest, api_name="ingest")
        gr.api(api_stats, api_name="stats")
    return demo




def check_bind(host: str, auth: str | None, force: bool) -> None:
    """Refuse a non-loopback bind without authentication unless explicitly forced."""
    import ipaddress

    if auth is not None and (":" not in auth or not auth.split(":", 1)[0] or not auth.split(":", 1)[1]):
        raise ValueError("--auth must be USER:PASS (both non-empty)")
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        if not re.fullmatch(r"[A-Za-z0-9.-]+", host):
            raise ValueError(f"--host {host!r} is not an IP address or host name") from None
        loopback = False
    if not loopback and not auth and not force:
        raise ValueError(f"refusing to listen on {host} without --auth USER:PASS (anyone on the network could read "
                         f"your articles); pass --insecure-no-auth to do it anyway")


def _warm(desk) -> None:
    try:
        desk.warm()
    except Exception as e:  # a missing model is reported on the first question, with its message
        print(f"could not preload the LLM: {e}", file=sys.stderr)


def serve(desk, host: str = "127.0.0.1", port: int = 7860, auth: str | None = None, force: bool = False,
          max_upload_mb: int = 20, concurrency: int = 2, block: bool = True, max_queue: int = 64):
    check_bind(host, auth, force)
    creds = None
    if auth:
        if ":" not in auth:
            raise ValueError("--auth must be USER:PASS")
        creds = tuple(auth.split(":", 1))
    demo = build_app(desk, max_upload_mb=max_upload_mb)
    # load the model while the page comes up: the first question then streams as fast as the later ones
    threading.Thread(target=_warm, args=(desk,), daemon=True, name="warm-llm").start()
    demo.queue(default_concurrency_limit=concurrency, max_size=max_queue)  # past it: "queue full", at once
    demo.launch(server_name=host, server_port=port, auth=creds, share=False, max_file_size=f"{max_upload_mb}mb",
                show_error=False, head=HEAD, css=CSS, prevent_thread_lock=True, quiet=not block,
                footer_links=["api"])
    # the OpenAI-compatible chat API on the same port, under the same auth (rag/openai_api.py)
    from .openai_api import add_routes

    add_routes(demo.app, desk, creds, max_queue=max_queue)
    if block:
        demo.block_thread()
    return demo
