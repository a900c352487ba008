"""English summaries and bilingual (VI + EN) briefings that carry the facts by construction.

A small model asked to summarize whole articles writes filler, loses the figures and invents titles; asked to
restate *one* sentence it keeps them. So a digest is built sentence by sentence:

1. **Pick** (``salience.SentencePicker``, no model call): the sentences that hold the news — the lead, figures,
   dates, named people — every article covered, repeats and superseded plans left out.
2. **Rewrite** each picked sentence into one short English bullet (``prompts/bullet_*``; fixed instructions, so
   llama.cpp reuses its KV cache and only the sentence is new prompt).
3. **Check** the bullet against *that one sentence*: every number, date and name must be in it (near-miss names
   are repaired to its spelling), every title or role next to a name must be the one it states, across
   languages ("President To Lam" fails where it says Tổng Bí thư; "the Vietnamese ambassador to Laos" fails where
   it says Đại sứ Lào tại Việt Nam), the bullet must be English with no words of the other language and must
   state at least one checkable fact (no filler). A failed bullet is rewritten once with the problem named,
   else the next-best sentence takes its place (``rag.bullets``).
4. **Confidence** (``rag.confidence``, the bullet calibrator): a bullet that passed its check but is not sure
   enough to be stated as a fact is shown as an answer's *uncertain* state is: marked not sure, its sentence quoted.
5. The **Vietnamese section** of a briefing is the picked sentence itself for a Vietnamese article (faithful by
   construction) and a checked translation of the English bullet otherwise.

Each bullet cites its sentence ``[n]``; ``sources[n-1]`` is that sentence with its offsets in the article.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

from . import facts, prompts
from .bullets import english_bullet, vietnamese_lines
from .documents import Passage
from .errors import NewsDeskError
from .lang import detect_question
from .salience import Pick, SentencePicker
from .store import Filters
from .verify import Problem


class BriefingError(NewsDeskError, ValueError):
    """Nothing to summarize (unknown document ids, empty date range, ...)."""


@dataclass
class Bullet:
    """One line of a section. ``confidence``: how sure the desk is that an English bullet states only what its
    sentence says (``rag.confidence``; None for a line that is the sentence itself). ``uncertain``: the confidence
    was below the threshold, so ``text`` marks the bullet (``restated``) as not sure and quotes its sentence."""

    text: str
    citations: list[int]
    confidence: float | None = None
    uncertain: bool = False
    restated: str = ""

    def to_dict(self) -> dict:
        d = {"text": self.text, "citations": self.citations, "uncertain": self.uncertain}
        if self.uncertain:
            d["restated"] = self.restated
        if self.confidence is not None:
            d["confidence"] = round(self.confidence, 4)
        return d


@dataclass
class Section:
    lang: str
    bullets: list[Bullet]
    heading: str = ""

    def to_dict(self) -> dict:
        return {"lang": self.lang, "heading": self.heading, "bullets": [b.to_dict() for b in self.bullets]}


@dataclass
class Digest:
    kind: str  # "summary" | "briefing"
    title: str
    date_range: tuple[str | None, str | None]
    sections: list[Section]
    sources: list[Passage]
    covered_docs: list[str]
    facts_checked: int = 0
    unsupported: list[Problem] = field(default_factory=list)  # what the drafts got wrong (rewritten or left out)
    notes: list[str] = field(default_factory=list)
    timings_ms: dict = field(default_factory=dict)
    model: str = ""
    articles: int = 0

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "title": self.title,
            "date_range": {"from": self.date_range[0], "to": self.date_range[1]},
            "articles": self.articles,
            "sections": [s.to_dict() for s in self.sections],
            "sources": [{"n": i, "doc_id": p.doc_id, "chunk_id": p.chunk_id, "title": p.title, "date": p.date,
                         "start": p.start, "end": p.end, "text": p.text}
                        for i, p in enumerate(self.sources, 1)],
            "covered_docs": self.covered_docs,
            "checks": {"facts_checked": self.facts_checked, "unsupported": [p.to_dict() for p in self.unsupported]},
            "notes": self.notes,
            "model": self.model,
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
        }

    def subtitle(self) -> str:
        a, b = self.date_range
        span = f"{a} – {b}" if a and b and a != b else (a or b or "")
        n = f"{self.articles} article{'s' if self.articles != 1 else ''}"
        return " · ".join(x for x in (n, span) if x)

    def missing_note(self, lang: str) -> str:
        """A line saying which citations the other section has and this one lacks (a line that failed its check in
        this language), or ""."""
        mine = {c for s in self.sections if s.lang == lang for b in s.bullets for c in b.citations}
        other = sorted({c for s in self.sections if s.lang != lang for b in s.bullets for c in b.citations} - mine)
        if not other:
            return ""
        refs = ", ".join(f"[{c}]" for c in other)
        if lang == "vi":
            return f"{refs}: chỉ có ở phần tiếng Anh — câu tiếng Việt của chúng không qua được bước kiểm tra."
        return f"{refs}: in the Vietnamese section only — their English bullet did not pass the check against the sentence."

    def to_markdown(self) -> str:
        names = {"vi": "Tiếng Việt", "en": "English"}
        lines = [f"# {self.title}", "", f"*{self.subtitle()}*", ""]
        for s in self.sections:
            if len(self.sections) > 1:
                head = names.get(s.lang, s.lang)
                lines += [f"## {head}" + (f" — {s.heading}" if s.heading and s.heading != self.title else ""), ""]
            note = self.missing_note(s.lang)
            lines += [f"- {bl.text}" for bl in s.bullets] + [""] + ([f"*{note}*", ""] if note else [])
        lines += ["## Sources", ""]
        for i, p in enumerate(self.sources, 1):
            lines.append(f"[{i}] {p.title or p.doc_id} ({p.date or 'no date'}) — {p.text}")
        return "\n".join(lines).strip() + "\n"


def _uncertain(bullet: str, p: Pick, n: int, lang: str, confidence: float) -> Bullet:
    """A bullet not sure enough to state as a fact: marked so, with the sentence it restates quoted (as an answer's
    *uncertain* state shows it)."""
    text = prompts.render("uncertain_bullet", lang, bullet=bullet.rstrip(". "), quote=" ".join(p.text.split()))
    return Bullet(f"{text} [{n}]", [n], confidence, uncertain=True, restated=bullet)


def _with_citation(body: str, n: int) -> str:
    body = body.rstrip()
    return f"{body[:-1]} [{n}]{body[-1]}" if body[-1:] in ".!?" else f"{body} [{n}]."


# --------------------------------------------------------------------------------------------------
# the digests


def _bullet_count(n_docs: int, words: int) -> int:
    base = 6 if n_docs <= 1 else min(12, 2 * n_docs + 3)
    return max(3, min(12, round(base * words / 150)))


_TITLE_WORDS = {"tong", "chu", "thu", "dai", "bo", "pho", "ban", "dang", "cong", "nha", "nhan", "doan", "hoi",
                "president", "prime", "minister", "general", "secretary", "ambassador", "the", "on", "in", "at"}


_DEMONYMS = {"vietnamese", "lao", "laotian", "cambodian", "thai", "chinese", "japanese", "korean", "russian", "french",
             "german", "american", "indian", "british"}


def _heading(kind: str, lang: str, lines: list[str], picks: list[Pick], query: str | None) -> str:
    """Names the topic: the user's topic, else the articles' titles, else the names the section's lines share."""
    word = {("summary", "en"): "Summary", ("briefing", "en"): "Briefing",
            ("summary", "vi"): "Tóm tắt", ("briefing", "vi"): "Bản tin"}[(kind, lang)]
    if query:
        return f"{word}: {query}"
    titles = list(dict.fromkeys(p.title for p in picks if p.title))
    if titles:
        return f"{word}: " + "; ".join(titles[:3]) + (f" (+{len(titles) - 3})" if len(titles) > 3 else "")
    counts: Counter = Counter()
    for line in lines:
        found = set()
        for name in facts.extract(line).names:
            words = name.split()
            if len(words) > 1 and facts.country_key(words[0]):  # "Lào Thongloun Sisoulith" -> "Thongloun Sisoulith"
                words = words[1:]
            while words and facts.fold(words[0]).lower() in _TITLE_WORDS:  # "Tổng Bí thư Tô Lâm" -> "Tô Lâm"
                words = words[1:]
            # a single word is a heading name only when it is a country ("Laos"), not "Trung" of "Trung ương"
            if len(" ".join(words)) > 2 and (len(words) > 1 or facts.country_key(words[0])) \
                    and facts.fold(" ".join(words)).lower() not in _DEMONYMS:
                found.add(" ".join(words))
        counts.update(found)
    names = [n for n, c in counts.most_common(3) if c >= 2] or [n for n, _ in counts.most_common(2)]
    return f"{word}: " + ", ".join(names) if names else word


@dataclass
class _Lines:
    picks: list[Pick]
    en: list[str | None]  # English line per pick (None: failed its check)
    conf: list[float | None]  # the English bullet's confidence
    unsure: set[int]  # picks whose bullet is shown as not sure, with its sentence quoted
    vi: list[str | None]
    checked: int
    problems: list[Problem]
    notes: list[str]


def _digest(desk, kind: str, ids: list[str], words: int, query: str | None, progress: Callable | None) -> _Lines:
    """Picked sentences, their English bullets, the bullets' confidences, their Vietnamese lines (briefing only),
    facts checked, problems, notes. A line that fails its check leaves only its own section: the Vietnamese line of
    a Vietnamese sentence is the sentence itself, so it stays when the English bullet fails (and an English bullet
    stays when its Vietnamese translation fails); a sentence with no line in either section is left out. A bullet
    that passed its check with a confidence below the threshold is not stated as a fact: it is marked not sure,
    with its sentence quoted (``_uncertain``), and not translated."""
    picker = SentencePicker(desk.store, hostile=desk.evidence.hostile)
    topic = desk.retriever.embed_query(query) if query else None
    ranked, notes = picker.ranked(ids, topic)
    if not ranked:
        raise BriefingError(f"no indexed text for {', '.join(ids) or 'the selection'}")
    want = _bullet_count(len(ids), words)
    tries = min(len(ranked), want + max(3, want // 2))  # a failed bullet gives its place to the next sentence
    picks: list[Pick] = []
    en: list[str | None] = []
    conf: list[float | None] = []
    problems: list[Problem] = []
    checked = 0
    done = 0  # English bullets written
    for p in ranked[:tries]:
        if done >= want:
            break
        if progress:
            progress(done, want, p.text[:60])
        d = english_bullet(desk, p)
        body, bad, n = d.text, d.problems, d.checked
        checked += n
        if body is None:
            problems += bad
            why = "; ".join(b.message() for b in bad[:2])
            if kind == "briefing" and detect_question(p.text) == "vi" and facts.fact_count(p.text):
                notes.append(f"in the Vietnamese section only (its English bullet failed the check: {why}): {p.text[:90]}")
                picks.append(p)
                en.append(None)
                conf.append(None)
            else:
                notes.append(f"left out (its bullet failed the check: {why}): {p.text[:90]}")
            continue
        picks.append(p)
        en.append(body)
        conf.append(desk.confidence.bullet_confidence(d.signals))
        done += 1
    vi: list[str | None] = [None] * len(picks)
    least = desk.settings.bullet_threshold if desk.settings.bullet_threshold >= 0 else desk.confidence.bullet_threshold()
    unsure = {i for i, c in enumerate(conf) if c is not None and c < least}
    for i in sorted(unsure):
        notes.append(f"marked not sure, with its sentence quoted (confidence {conf[i]:.2f} < {least:.2f}): {en[i]}")
    if kind == "briefing":
        for i in unsure:  # the Vietnamese section: the sentence itself, or the (English) sentence quoted
            vi[i] = picks[i].text.strip() if detect_question(picks[i].text) == "vi" else en[i]
        todo = [i for i in range(len(picks)) if en[i] is not None and i not in unsure]
        for i, (v, vbad, vn) in zip(todo, vietnamese_lines(desk, [picks[i] for i in todo], [en[i] for i in todo])):
            checked += vn
            vi[i] = v
            if v is None:
                problems += vbad
                notes.append(f"in the English section only (its Vietnamese line failed the check: "
                             f"{'; '.join(b.message() for b in vbad[:2])}): {picks[i].text[:90]}")
        for i in range(len(picks)):
            if en[i] is None:  # a Vietnamese sentence whose English bullet failed: its own line
                vi[i] = picks[i].text.strip()
                checked += facts.fact_count(vi[i])
    if progress:
        progress(want, want, "done")
    return _Lines(picks, en, conf, unsure, vi, checked, problems, notes)


def _order(picks: list[Pick], newest_first: bool) -> list[int]:
    """Bullets grouped by article (newest article first in a briefing), in article order within one."""
    first_seen = {}
    for p in picks:
        first_seen.setdefault(p.doc_id, len(first_seen))
    if newest_first:
        key = lambda i: (-_date_key(picks[i].date), first_seen[picks[i].doc_id], picks[i].position)
    else:
        key = lambda i: (first_seen[picks[i].doc_id], picks[i].position)
    return sorted(range(len(picks)), key=key)


def _date_key(d: str | None) -> int:
    return int(d.replace("-", "")) if d and re.fullmatch(r"\d{4}-\d{2}-\d{2}", d) else 0


def _assemble(desk, kind: str, ids: list[str], words: int, query: str | None, date_range, progress, t0) -> Digest:
    d = _digest(desk, kind, ids, words, query, progress)
    kept, en, conf, vi, checked, problems, notes = d.picks, d.en, d.conf, d.vi, d.checked, d.problems, d.notes
    order = _order(kept, newest_first=kind == "briefing")
    sources, en_b, vi_b = [], [], []
    for n, i in enumerate(order, 1):
        p = kept[i]
        sources.append(Passage(chunk_id=p.chunk_id, doc_id=p.doc_id, text=p.text, score=p.score, title=p.title,
                               date=p.date, source=p.source, start=p.start, end=p.end, lang=p.lang))
        unsure = i in d.unsure
        if en[i] is not None:
            en_b.append(_uncertain(en[i], p, n, "en", conf[i]) if unsure else Bullet(_with_citation(en[i], n), [n], conf[i]))
        if vi[i] is not None:
            own = unsure and detect_question(p.text) == "vi"  # the sentence itself: faithful by construction
            vi_b.append(_uncertain(en[i], p, n, "vi", conf[i]) if unsure and not own
                        else Bullet(_with_citation(vi[i], n), [n]))
    ordered = [kept[i] for i in order]
    sections = [Section("en", en_b, _heading(kind, "en", [b.text for b in en_b], ordered, query))]
    if kind == "briefing":
        sections.insert(0, Section("vi", vi_b, _heading(kind, "vi", [b.text for b in vi_b], ordered, query)))
    covered = [d for d in ids if any(p.doc_id == d for p in kept)]
    missing = [d for d in ids if d not in covered]
    if missing:
        notes.append(f"no bullet from: {', '.join(missing)} (no sentence of theirs passed the check or fit)")
    dates = sorted(p.date for p in sources if p.date)
    rng = (date_range[0] or (dates[0] if dates else None), date_range[1] or (dates[-1] if dates else None))
    return Digest(kind, sections[-1].heading, rng, sections, sources, covered, checked, problems, notes,
                  {"total": (time.perf_counter() - t0) * 1000}, desk.llm.name, len(ids))


def summarize(desk, doc_ids: list[str], words: int = 150, progress: Callable | None = None) -> Digest:
    """English summary of one or several articles; each bullet restates one cited sentence."""
    t0 = time.perf_counter()
    unknown = [d for d in doc_ids if desk.store.get_document(d) is None]
    if unknown:
        raise BriefingError(f"unknown document id(s): {', '.join(unknown)} (see `rag docs`)")
    if not doc_ids:
        raise BriefingError("no document ids given (see `rag docs`)")
    return _assemble(desk, "summary", list(dict.fromkeys(doc_ids)), words, None, (None, None), progress, t0)


def select_docs(desk, since: str | None = None, until: str | None = None, query: str | None = None,
                docs: list[str] | None = None, max_docs: int = 10) -> list[str]:
    """Articles for a briefing: explicit ids, else a date range, else the best-matching articles for a topic."""
    if docs:
        unknown = [d for d in docs if desk.store.get_document(d) is None]
        if unknown:
            raise BriefingError(f"unknown document id(s): {', '.join(unknown)} (see `rag docs`)")
        return list(dict.fromkeys(docs))
    if query:
        res = desk.search(query, k=20, filters=Filters(since=since, until=until) if (since or until) else None)
        ids = list(dict.fromkeys(p.doc_id for p in res.passages))[:max_docs]
        if not ids:
            raise BriefingError(f"no article matches the topic {query!r}")
        return ids
    ids = [d.doc_id for d in desk.store.list_docs() if d.state == "ok"
           and (not since or (d.date and d.date >= since)) and (not until or (d.date and d.date <= until))]
    copies = desk.store.copies_among(set(ids))  # a syndicated copy is briefed once, as its canonical article
    ids = [d for d in ids if d not in copies]
    if not ids:
        raise BriefingError(f"no article dated in {since or '…'} – {until or '…'}")
    if len(ids) > max_docs:
        ids = ids[-max_docs:]  # the most recent
    return ids


def brief(desk, since: str | None = None, until: str | None = None, query: str | None = None,
          docs: list[str] | None = None, words: int = 150, progress: Callable | None = None) -> Digest:
    """A bilingual briefing: parallel Vietnamese and English bullets, each pair citing the same sentence."""
    t0 = time.perf_counter()
    ids = select_docs(desk, since, until, query, docs)
    return _assemble(desk, "briefing", ids, words, query, (since, until), progress, t0)
