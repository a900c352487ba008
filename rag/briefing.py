"""English summaries and bilingual (VI + EN) briefings with citations and a faithfulness check.

* Sources are an article's stored chunks with their overlap trimmed (no text is sent twice), numbered
  globally ``[1..N]`` across the articles.
* If every passage fits the model's context, one call writes the English bullets; otherwise map-reduce:
  per-article notes (each within the budget), then a merge that keeps the notes' citations. Every
  article's coverage is reported (``covered_docs``); none is dropped silently.
* The briefing's Vietnamese section is a line-by-line translation of the English bullets, so the two
  sections say the same things as parallel bullets with the same citations.
* Faithfulness: every number, date, money amount, percentage and person/place name of every bullet (in both
  languages) must be supported by a cited passage (cross-language: "2,6 tỷ USD" supports "US$2.6 billion").
  A bullet that fails is re-cited to a passage that supports it, else regenerated once (translation) or
  removed; ``checks`` lists what was checked and what failed.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

from . import facts, prompts
from .answer import clean_answer
from .documents import Passage
from .lang import detect_question
from .store import Filters


class BriefingError(ValueError):
    """Nothing to summarize (unknown document ids, empty date range, ...)."""


@dataclass
class Bullet:
    text: str
    citations: list[int]

    def to_dict(self) -> dict:
        return {"text": self.text, "citations": self.citations}


@dataclass
class Section:
    lang: str
    bullets: list[Bullet]

    def to_dict(self) -> dict:
        return {"lang": self.lang, "bullets": [b.to_dict() for b in self.bullets]}


@dataclass
class Digest:
    kind: str  # "summary" | "briefing"
    title: str
    date_range: tuple[str | None, str | None]
    sections: list[Section]
    sources: list[Passage]
    covered_docs: list[str]
    facts_checked: int = 0
    unsupported: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    timings_ms: dict = field(default_factory=dict)
    model: str = ""

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "title": self.title,
            "date_range": {"from": self.date_range[0], "to": self.date_range[1]},
            "sections": [s.to_dict() for s in self.sections],
            "sources": [{"n": i, "doc_id": p.doc_id, "chunk_id": p.chunk_id, "title": p.title, "date": p.date}
                        for i, p in enumerate(self.sources, 1)],
            "covered_docs": self.covered_docs,
            "checks": {"facts_checked": self.facts_checked, "unsupported": self.unsupported},
            "notes": self.notes,
            "model": self.model,
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
        }

    def to_markdown(self) -> str:
        heads = {"vi": "Tiếng Việt", "en": "English"}
        a, b = self.date_range
        lines = [f"# {self.title}", ""]
        if a or b:
            lines += [f"*{a or '…'} – {b or '…'}*", ""]
        for s in self.sections:
            if len(self.sections) > 1:
                lines += [f"## {heads.get(s.lang, s.lang)}", ""]
            lines += [f"- {bl.text}" for bl in s.bullets] + [""]
        lines += ["## Sources" if len(self.sections) > 1 or self.kind == "summary" else "", ""]
        cited = {c for sec in self.sections for bl in sec.bullets for c in bl.citations}
        for i, p in enumerate(self.sources, 1):
            if i not in cited:
                continue
            snippet = p.text[:140].replace("\n", " ")
            lines.append(f"[{i}] {p.title or p.doc_id} ({p.date or 'no date'}) — {snippet}…")
        return "\n".join(lines).strip() + "\n"


# --------------------------------------------------------------------------------------------------


def _trimmed_passages(desk, doc_id: str) -> list[Passage]:
    """The document's chunks with the overlap removed, so no sentence is sent to the model twice."""
    chunks = desk.store.doc_chunks(doc_id)
    doc = desk.store.get_document(doc_id)
    out, prev_end = [], 0
    for c in chunks:
        start = max(c.start, prev_end)
        if start >= c.end:
            continue
        text = doc.text[start:c.end].strip() if doc else c.text
        if text:
            out.append(Passage(c.chunk_id, c.doc_id, text, 0.0, c.title, c.date, c.source, start, c.end, c.lang))
        prev_end = c.end
    return out


def _format(passages: list[Passage], offset: int = 0) -> str:
    blocks = []
    for i, p in enumerate(passages, offset + 1):
        meta = "; ".join(x for x in (p.title, f"published {p.date}" if p.date else None) if x)
        blocks.append(f"[{i}]" + (f" ({meta})" if meta else "") + f":\n{p.text}")
    return "\n\n".join(blocks)


_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+(.*\S)\s*$")


def parse_bullets(text: str) -> list[str]:
    lines = [m.group(1) for m in (_BULLET.match(l) for l in text.splitlines()) if m]
    if not lines:  # a paragraph instead of bullets: one bullet per sentence
        from .chunking import split_sentences

        t = text.strip()
        lines = [t[s.start:s.end] for s in split_sentences(t)]
    out = []
    for l in lines:
        l = re.sub(r"^(?:[-*•]\s*)+", "", l.strip())  # degenerate "- - - -" runs
        l = re.sub(r"^\((?:[^)]*;\s*)?published \d{4}-\d{2}-\d{2}\)\s*:?\s*", "", l)  # echoed passage header
        if len(re.findall(r"[^\W\d_]{2,}", facts.CITATION.sub("", l))) >= 4:
            out.append(clean_answer(l))
    return out


def _cites(text: str) -> list[int]:
    out = []
    for m in facts.CITATION.finditer(text):
        out += [int(x) for x in re.split(r"\s*[,;]\s*", m.group(1))]
    return list(dict.fromkeys(out))


def _support(passages: list[Passage], nums: list[int]) -> list[str]:
    return [passages[n - 1].text + (f" {passages[n - 1].date}" if passages[n - 1].date else "") for n in nums]


def check_bullet(text: str, passages: list[Passage], fallback: list[int] | None = None) -> tuple[Bullet | None, list[str], int]:
    """Faithfulness check of one bullet: (checked bullet or None if removed, unsupported items, facts checked).

    Keeps valid citations whose passages support every number/date/name; otherwise re-cites to the best-ranked
    passage that supports them all; otherwise removes the bullet.
    """
    n = len(passages)
    body = facts.CITATION.sub("", text).strip()
    body = re.sub(r"\s+([.,;:!?])", r"\1", body)
    cites = [c for c in _cites(text) if 1 <= c <= n] or [c for c in (fallback or []) if 1 <= c <= n]
    checked = facts.fact_count(body)
    bad = facts.unsupported(body, _support(passages, cites)) if cites else ["(no citation)"]
    if bad:  # re-cite: one passage that supports every fact, else two (facts spread over adjacent passages)
        options = [[i] for i in range(1, n + 1)] + [[i, j] for i in range(1, n + 1) for j in range(i + 1, min(n, i + 3) + 1)]
        for opt in options:
            if not facts.unsupported(body, _support(passages, opt)):
                cites, bad = opt, []
                break
    if bad or not body:
        return None, bad, checked
    tail = "".join(f"[{c}]" for c in cites)
    final = f"{body[:-1]} {tail}{body[-1]}" if body[-1:] in ".!?" else f"{body} {tail}"
    return Bullet(final, cites), [], checked


def _generate_bullets(desk, passages: list[Passage], bullets: int, words: int, offset: int = 0) -> str:
    llm = desk.llm
    msgs = [{"role": "system", "content": prompts.render("summarize_system", "en", bullets=bullets)},
            {"role": "user", "content": prompts.render("summarize_user", "en", passages=_format(passages, offset),
                                                       bullets=bullets, words=words)}]
    return llm.chat(msgs, max_tokens=min(900, int(words * 2.2) + 60), temperature=0.0).text


def _windows(desk, passages: list[Passage], per_doc: dict[str, tuple[int, int]], budget: int) -> list[list[int]]:
    """Consecutive passage indices of one article, grouped up to ``budget`` LLM tokens each."""
    out: list[list[int]] = []
    for a, b in per_doc.values():
        cur: list[int] = []
        used = 0
        for i in range(a, b):
            cost = desk.llm.count_tokens(passages[i].text) + 12
            if cur and used + cost > budget:
                out.append(cur)
                cur, used = [], 0
            cur.append(i)
            used += cost
        if cur:
            out.append(cur)
    return out


def _similar(a: str, b: str) -> bool:
    ta = set(facts.CITATION.sub("", a).lower().split())
    tb = set(facts.CITATION.sub("", b).lower().split())
    return len(ta & tb) / (len(ta | tb) or 1) > 0.6


def english_bullets(desk, doc_ids: list[str], words: int = 150, window_tokens: int = 900):
    """Sources, checked English bullets, unsupported items, facts checked, covered docs, notes.

    Small local models summarize a whole article poorly (generic bullets, everything cited [1], invented
    titles). So the articles are read in windows of a few consecutive passages (map), each window yields up to
    two cited bullets that are checked against that window's passages, and the bullets are then chosen in
    article order, round-robin across articles so every article is covered (reduce without a second model
    call that could lose citations).
    """
    passages: list[Passage] = []
    per_doc: dict[str, tuple[int, int]] = {}
    for d in doc_ids:
        ps = _trimmed_passages(desk, d)
        if not ps:
            continue
        per_doc[d] = (len(passages), len(passages) + len(ps))
        passages += ps
    if not passages:
        raise BriefingError(f"no indexed text for {', '.join(doc_ids) or 'the selection'}")
    n_bullets = max(3, min(12, round(words / 25)))
    windows = _windows(desk, passages, per_doc, min(window_tokens, desk.llm.n_ctx - 700))
    notes = [f"read {len(per_doc)} article(s) in {len(windows)} window(s)"]
    per_window = 2 if len(windows) * 2 >= n_bullets else min(4, -(-n_bullets // len(windows)))
    unsupported: list[str] = []
    checked = 0
    candidates: list[tuple[str, int, Bullet]] = []  # (doc, order, bullet)
    for w in windows:
        sub = [passages[i] for i in w]
        raw = _generate_bullets(desk, sub, per_window, 25 * per_window, offset=w[0])
        lines = parse_bullets(raw)[:per_window]
        # small models sometimes copy the Vietnamese source instead of summarizing in English: translate those
        foreign = [i for i, l in enumerate(lines) if detect_question(facts.CITATION.sub("", l)) != "en"]
        if foreign:
            fixed = _translate_lines(desk, [lines[i] for i in foreign], "en")
            for i, t in zip(foreign, fixed):
                if t and detect_question(facts.CITATION.sub("", t)) == "en":
                    # keep the source line's citations if the translation lost them
                    lines[i] = t if facts.CITATION.search(t) else t + "".join(f" [{c}]" for c in _cites(lines[i]))
                else:
                    notes.append(f"dropped a bullet that was not in English: {lines[i][:80]}")
                    lines[i] = ""
            notes.append(f"translated {len(foreign)} bullet(s) the model wrote in the source language")
        for k, line in enumerate(l for l in lines if l):
            # citations are global numbers; keep only those inside this window
            b, bad, c = check_bullet(line, passages, fallback=[w[0] + 1])
            checked += c
            if b is not None and not all(w[0] < x <= w[-1] + 1 for x in b.citations):
                b = None
                bad = bad or [f"cites outside its window: {line[:60]}"]
            if b is None:
                unsupported += bad or [line[:80]]
                notes.append(f"removed unsupported bullet: {line[:120]}")
                continue
            if any(_similar(b.text, o.text) for _, _, o in candidates):
                continue
            candidates.append((passages[w[0]].doc_id, len(candidates), b))
    # reduce: round-robin across articles, article order within each
    queues = {d: [b for dd, _, b in candidates if dd == d] for d in per_doc}
    out: list[Bullet] = []
    while len(out) < n_bullets and any(queues.values()):
        for d in per_doc:
            if queues[d] and len(out) < n_bullets:
                out.append(queues[d].pop(0))
    covered = [d for d, (a, b2) in per_doc.items() if any(a < c <= b2 for bl in out for c in bl.citations)]
    missing = [d for d in per_doc if d not in covered]
    if missing:
        notes.append(f"no bullet cites: {', '.join(missing)}")
    return passages, out, unsupported, checked, covered, notes


def summarize(desk, doc_ids: list[str], words: int = 150) -> Digest:
    """English summary of one or several articles; each bullet cites its source passages."""
    t0 = time.perf_counter()
    unknown = [d for d in doc_ids if desk.store.get_document(d) is None]
    if unknown:
        raise BriefingError(f"unknown document id(s): {', '.join(unknown)} (see `rag docs`)")
    passages, bullets, unsupported, checked, covered, notes = english_bullets(desk, list(dict.fromkeys(doc_ids)), words)
    dates = sorted(p.date for p in passages if p.date)
    title = "Summary: " + ", ".join((desk.store.get_document(d).title or d) for d in doc_ids)
    return Digest("summary", title, (dates[0] if dates else None, dates[-1] if dates else None),
                  [Section("en", bullets)], passages, covered, checked, unsupported, notes,
                  {"total": (time.perf_counter() - t0) * 1000}, desk.llm.name)


def _translate_lines(desk, texts: list[str], lang: str) -> list[str | None]:
    """Translate lines into ``lang`` ('vi' or 'en') in one call; None where a line came back missing."""
    if not texts:
        return []
    lines = "\n".join(f"{i}. {t}" for i, t in enumerate(texts, 1))
    msgs = [{"role": "system", "content": prompts.load("translate_bullets_system", lang)},
            {"role": "user", "content": prompts.render("translate_bullets_user", lang, lines=lines, count=len(texts))}]
    raw = desk.llm.chat(msgs, max_tokens=min(1500, 90 * len(texts) + 100), temperature=0.0).text
    got: dict[int, str] = {}
    for line in raw.splitlines():
        m = re.match(r"^\s*(\d+)[.)]\s+(.*\S)", line)
        if m:
            got.setdefault(int(m.group(1)), m.group(2))
    if len(texts) == 1 and not got and raw.strip():
        got[1] = raw.strip().splitlines()[0]
    return [got.get(i) for i in range(1, len(texts) + 1)]


def _translate(desk, bullets: list[Bullet]) -> list[str | None]:
    return _translate_lines(desk, [b.text for b in bullets], "vi")


def _translate_one(desk, bullet: Bullet) -> str:
    return _translate_lines(desk, [bullet.text], "vi")[0] or ""


def _extractive_vi(b: Bullet, passages: list[Passage]) -> Bullet | None:
    """Fallback Vietnamese bullet: the sentence of a cited Vietnamese passage that carries most of the English
    bullet's facts (faithful by construction)."""
    from .chunking import split_sentences

    en_body = facts.CITATION.sub("", b.text)
    n_facts = facts.fact_count(en_body)
    if not n_facts:  # nothing checkable to anchor a quote on: a quote could say something else
        return None
    best, best_key = None, None
    for c in b.citations:
        p = passages[c - 1]
        if p.lang != "vi":
            continue
        for sp in split_sentences(p.text):
            sent = p.text[sp.start:sp.end].strip()
            if len(sent) < 20 or sent.isupper():
                continue
            missing = len(facts.unsupported(en_body, [sent]))
            key = (missing, -len(set(en_body.lower().split()) & set(fold_words(sent))), len(sent))
            if best_key is None or key < best_key:
                best, best_key = sent, key
    if best is None or best_key[0] >= n_facts:
        return None
    tail = "".join(f"[{x}]" for x in b.citations)
    return Bullet(f"{best[:-1]} {tail}{best[-1]}" if best[-1:] in ".!?" else f"{best} {tail}", list(b.citations))


def fold_words(text: str) -> set[str]:
    from .lexical import fold

    return {fold(w) for w in text.lower().split()}


def select_docs(desk, since: str | None = None, until: str | None = None, query: str | None = None,
                docs: list[str] | None = None, max_docs: int = 8) -> list[str]:
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
    if not ids:
        raise BriefingError(f"no article dated in {since or '…'} – {until or '…'}")
    if len(ids) > max_docs:
        ids = ids[-max_docs:]  # the most recent
    return ids


def brief(desk, since: str | None = None, until: str | None = None, query: str | None = None,
          docs: list[str] | None = None, words: int = 150) -> Digest:
    """A bilingual briefing: parallel Vietnamese and English bullets with the same citations."""
    t0 = time.perf_counter()
    ids = select_docs(desk, since, until, query, docs)
    passages, en, unsupported, checked, covered, notes = english_bullets(desk, ids, words)
    t_en = time.perf_counter()
    vi_raw = _translate(desk, en)
    vi: list[Bullet] = []
    en_kept: list[Bullet] = []
    for b, v in zip(en, vi_raw):
        ok = None
        for attempt in range(2):
            ratio = len(v or "") / max(1, len(b.text))
            if v and detect_question(facts.CITATION.sub("", v)) == "vi" and 0.5 <= ratio <= 2.5:
                # the Vietnamese bullet must be supported by the same passages as its English twin
                body = re.sub(r"\s+([.,;:!?])", r"\1", facts.CITATION.sub("", v).strip())
                checked += facts.fact_count(body)
                bad = facts.unsupported(body, _support(passages, b.citations))
                if not bad and body:
                    tail = "".join(f"[{x}]" for x in b.citations)
                    text = f"{body[:-1]} {tail}{body[-1]}" if body[-1:] in ".!?" else f"{body} {tail}"
                    ok = Bullet(text, list(b.citations))
                    break
                unsupported += bad
            if attempt == 0:
                v = _translate_one(desk, b)  # regenerate once
        if ok is None:
            ok = _extractive_vi(b, passages)
            if ok is not None:
                notes.append(f"Vietnamese bullet quoted from its source (translation failed the check): {b.text[:80]}")
        if ok is None:
            notes.append(f"removed a bullet whose Vietnamese version failed the check: {b.text[:100]}")
            continue
        en_kept.append(b)
        vi.append(ok)
    dates = sorted(p.date for p in passages if p.date)
    rng = (since or (dates[0] if dates else None), until or (dates[-1] if dates else None))
    topic = query or ("selected articles" if docs else "news")
    title = f"Briefing: {topic} / Bản tin: {topic}"
    covered = [d for d in covered if any(passages[c - 1].doc_id == d for b in en_kept for c in b.citations)]
    return Digest("briefing", title, rng, [Section("vi", vi), Section("en", en_kept)], passages, covered,
                  checked, unsupported, notes,
                  {"english": (t_en - t0) * 1000, "total": (time.perf_counter() - t0) * 1000}, desk.llm.name)
