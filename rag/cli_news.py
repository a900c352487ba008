"""The ``rag`` commands that follow the news: ``feeds``, ``refresh``, ``watch``, ``stories``, ``story`` (registered
on :data:`rag.cli.cli`; a thin layer over :class:`rag.NewsDesk`, like the rest of the CLI)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .cli import _Ctx, _emit, _filters, _progress, cli

@cli.group("feeds")
def feeds_grp():
    """The feeds the desk follows (RSS, Atom, JSON Feed; OPML import/export)."""


@feeds_grp.command("add")
@click.argument("urls", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def feeds_add(obj: _Ctx, urls, as_json):
    """Follow feeds (each URL is fetched once to check it is a feed)."""
    from .feeds import FeedError, FeedRegistry

    reg = FeedRegistry(obj.desk().store)
    added, errors = [], []
    for u in urls:
        try:
            added.append(reg.add(u).to_dict())
        except FeedError as e:
            errors.append({"url": u, "error": str(e)})
    if as_json:
        _emit({"added": added, "errors": errors})
    else:
        for f in added:
            click.echo(f"following {f['url']} ({f['title'] or 'untitled'})")
        for e in errors:
            click.echo(click.style(f"error: {e['error']}", fg="red"), err=True)
    sys.exit(1 if errors else 0)


@feeds_grp.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def feeds_list(obj: _Ctx, as_json):
    """The followed feeds, their last refresh and errors."""
    from .feeds import FeedRegistry

    feeds = [f.to_dict() for f in FeedRegistry(obj.desk().store).list()]
    if as_json:
        _emit({"feeds": feeds})
        return
    for f in feeds:
        state = f["last_error"] or f["last_status"] or "never refreshed"
        click.echo(f"{f['url']}\t{f['title'] or ''}\t{f['items_seen']} items\t{f['last_refresh'] or '-'}\t{state}")


@feeds_grp.command("remove")
@click.argument("urls", nargs=-1, required=True)
@click.pass_obj
def feeds_remove(obj: _Ctx, urls):
    """Stop following feeds (their articles stay in the index)."""
    from .feeds import FeedRegistry

    reg = FeedRegistry(obj.desk().store)
    missing = [u for u in urls if not reg.remove(u)]
    for u in missing:
        click.echo(f"not followed: {u}", err=True)
    sys.exit(1 if missing else 0)


@feeds_grp.command("import")
@click.argument("opml", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--check", is_flag=True, help="Fetch each feed to check it first.")
@click.pass_obj
def feeds_import(obj: _Ctx, opml, check):
    """Follow every feed of an OPML file."""
    from .feeds import FeedError, FeedRegistry

    try:
        added, errors = FeedRegistry(obj.desk().store).import_opml(opml, check=check)
    except FeedError as e:
        raise click.ClickException(str(e)) from e
    click.echo(f"following {len(added)} feeds from {opml}")
    for e in errors:
        click.echo(click.style(f"error: {e['error']}", fg="red"), err=True)


@feeds_grp.command("export")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here (default: stdout).")
@click.pass_obj
def feeds_export(obj: _Ctx, output):
    """The followed feeds as OPML 2.0."""
    from .feeds import FeedRegistry

    text = FeedRegistry(obj.desk().store).export_opml()
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


def _refresh_once(desk, show: bool):
    from .feeds import refresh

    with _progress("feed", show) as progress:
        return refresh(desk, progress=progress)


@cli.command("refresh")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def refresh_cmd(obj: _Ctx, as_json):
    """One pass over all feeds: new items are fetched, extracted and ingested."""
    rep = _refresh_once(obj.desk(), show=not as_json and sys.stderr.isatty())
    if as_json:
        _emit(rep.to_dict())
        return
    click.echo(f"{rep.feeds} feeds · {rep.articles_added} articles added · {rep.feeds_unchanged} unchanged · "
               f"{len(rep.errors)} errors · {rep.seconds:.1f} s")
    for e in rep.errors:
        click.echo(click.style(f"error: {e['url']}: {e['error']}", fg="red"), err=True)


@cli.command("watch")
@click.option("--every", default="30m", show_default=True, help="Interval: 90s, 30m, 2h.")
@click.option("--log", "log_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Append one JSON line per refresh here (default: INDEX/feeds.log).")
@click.option("--times", type=click.IntRange(1), help="Stop after this many refreshes (default: until Ctrl-C).")
@click.pass_obj
def watch_cmd(obj: _Ctx, every, log_path, times):
    """Refresh all feeds on a schedule, with a progress line per pass and a log."""
    import time as _time

    from .feeds import FeedError, parse_every

    try:
        seconds = parse_every(every)
    except FeedError as e:
        raise click.BadParameter(str(e)) from e
    desk = obj.desk()
    log_path = log_path or Path(desk.settings.index) / "feeds.log"
    n = 0
    try:
        while True:
            rep = _refresh_once(desk, show=sys.stderr.isatty())
            n += 1
            stamp = _time.strftime("%Y-%m-%d %H:%M:%S")
            with open(log_path, "a", encoding="utf-8") as fh:
                fh.write(json.dumps({"at": stamp, **rep.to_dict()}, ensure_ascii=False) + "\n")
            nxt = _time.strftime("%H:%M", _time.localtime(_time.time() + seconds))
            click.echo(f"[{stamp}] {rep.feeds} feeds · +{rep.articles_added} articles · {len(rep.errors)} errors"
                       + ("" if times and n >= times else f" · next at {nxt}"))
            for e in rep.errors:
                click.echo(click.style(f"  error: {e['url']}: {e['error']}", fg="red"), err=True)
            if times and n >= times:
                return
            _time.sleep(seconds)
    except KeyboardInterrupt:
        click.echo("stopped")


@cli.command("stories")
@click.option("--since", help="Stories with an article on/after this day (YYYY-MM-DD, yesterday, hôm qua).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def stories_cmd(obj: _Ctx, since, as_json):
    """Stories: articles grouped into events followed over days (copies counted in their canonical's story)."""
    f = _filters(since, None, ())
    stories = obj.desk().stories(since=f.since if f else None)
    if as_json:
        _emit({"stories": [s.to_dict() for s in stories]})
        return
    for s in stories:
        span = s.first_date if s.first_date == s.last_date else f"{s.first_date or '?'} – {s.last_date or '?'}"
        click.echo(f"{s.id}\t{span}\t{len(s.doc_ids)} articles, {s.outlets} outlets\t{s.title}")


@cli.command("story")
@click.argument("story_id")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def story_cmd(obj: _Ctx, story_id, as_json):
    """A story's timeline: its dated facts in event order, each cited, with what later reports changed."""
    got = obj.desk().story(story_id)
    if got is None:
        raise click.ClickException(f"no story {story_id!r} (see rag stories)")
    st, facts = got
    if as_json:
        _emit({"story": st.to_dict(), "timeline": [f.to_dict() for f in facts]})
        return
    click.echo(click.style(st.title, bold=True))
    click.echo(f"{len(st.doc_ids)} articles · {st.outlets} outlets · {st.first_date} – {st.last_date}")
    for f in facts:
        rel = " (resolved from the article's date)" if f.how == "relative" else ""
        click.echo(f"{f.when()}{rel}  {f.text}  [{f.doc_id}]")
        if f.changes:
            click.echo(click.style(f"    changes an earlier report ({f.changes['doc_id']}): {f.changes['text'][:140]}",
                                   fg="yellow"))


