"""The daily briefing: one bilingual section per story with news since a day, newest facts first.

Contract: ``daily(desk, since, until)`` takes the stories (``rag.stories``) with at least one canonical article
dated in [since, until], and briefs each with the same checks and citations as any briefing
(``rag.briefing.brief`` over that story's new articles, each syndicated group once), under the story's title,
with how many outlets carried it and how many earlier articles the story has. ``DailyBriefing.to_markdown`` and
``to_html`` export it. ``resolve_day`` reads "yesterday", "hôm qua", "today" (CLDR's relative day names) or a
date in any form the desk reads.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Callable

from .briefing import BriefingError, Digest


def resolve_day(text: str | None, today: dt.date | None = None) -> str | None:
    """An ISO date for "yesterday" / "hôm qua" / "today" / "3 days ago" / "3 ngày trước" (CLDR's names and
    patterns) / a date; None for None."""
    from .documents import normalize_date
    from .stories import days_ago_patterns, relative_days

    if text is None or not str(text).strip():
        return None
    t = str(text).strip().lower()
    today = today or dt.date.today()
    if t in relative_days():
        return (today + dt.timedelta(days=relative_days()[t])).isoformat()
    for pat in days_ago_patterns():
        m = pat.match(t)
        if m:
            return (today - dt.timedelta(days=int(m.group(1)))).isoformat()
    return normalize_date(text, "--since")


@dataclass
class StorySection:
    story: dict  # rag.stories.Story.to_dict()
    new_docs: list[str]
    earlier: int  # articles of the story dated before ``since``
    digest: Digest | None
    error: str | None = None

    def to_dict(self) -> dict:
        return {"story": self.story, "new_docs": self.new_docs, "earlier_articles": self.earlier,
                "briefing": self.digest.to_dict() if self.digest else None, "error": self.error}


@dataclass
class DailyBriefing:
    since: str | None
    until: str | None
    sections: list[StorySection] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return {"since": self.since, "until": self.until, "stories": [s.to_dict() for s in self.sections],
                "seconds": round(self.seconds, 1)}

    def to_markdown(self) -> str:
        lines = [f"# Daily briefing · {self.since or '…'} – {self.until or 'today'}", ""]
        if not self.sections:
            lines.append("No story has news in this period.")
        for s in self.sections:
            st = s.story
            meta = [f"{len(s.new_docs)} new article{'s' if len(s.new_docs) != 1 else ''}",
                    f"reported by {st['outlets']} outlet{'s' if st['outlets'] != 1 else ''}"]
            if s.earlier:
                meta.append(f"{s.earlier} earlier in this story (since {st['first_date']})")
            lines += [f"## {st['title']}", "", "*" + " · ".join(meta) + "*", ""]
            if s.digest is not None:
                body = s.digest.to_markdown().splitlines()
                lines += [ln.replace("# ", "### ", 1) if ln.startswith("# ") else
                          ln.replace("## ", "#### ", 1) if ln.startswith("## ") else ln for ln in body]
            else:
                lines.append(f"(not briefed: {s.error})")
            lines.append("")
        return "\n".join(lines)

    def to_html(self) -> str:
        from markdown_it import MarkdownIt

        body = MarkdownIt("commonmark").render(self.to_markdown())
        return ("<!doctype html><html><head><meta charset='utf-8'><title>Daily briefing</title></head><body>"
                + body + "</body></html>")


def daily(desk, since: str | None, until: str | None = None, words: int = 120,
          progress: Callable[[int, int, str], None] | None = None, max_stories: int = 10) -> DailyBriefing:
    t0 = time.perf_counter()
    out = DailyBriefing(since, until)
    stories = desk.stories(since=since)
    dates = {d.doc_id: d.date for d in desk.store.list_docs()}
    picked = []
    for st in stories:
        new = [d for d in st.doc_ids if (not since or (dates.get(d) or "") >= since)
               and (not until or (dates.get(d) or "") <= until)]
        if new:
            picked.append((st, new, len(st.doc_ids) - len(new)))
    picked.sort(key=lambda t: (-len(t[1]), -(t[0].outlets)))
    for n, (st, new, earlier) in enumerate(picked[:max_stories]):
        if progress:
            progress(n, min(len(picked), max_stories), st.title)
        try:
            dg = desk.brief(docs=list(reversed(new)), words=words)  # newest first
            err = None
        except BriefingError as e:
            dg, err = None, str(e)
        out.sections.append(StorySection(st.to_dict(), new, earlier, dg, err))
    out.seconds = time.perf_counter() - t0
    return out
