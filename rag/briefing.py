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
   else the next-best sentence takes its place.
4. The **Vietnamese section** of a briefing is the picked sentence itself for a Vietnamese article (faithful by
   construction) and a checked translation of the English bullet otherwise.

Each bullet cites its sentence ``[n]``; ``sources[n-1]`` is that sentence with its offsets in the article.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

from . import facts, prompts, verify
from .answer import clean_answer
from .documents import Passage
from .errors import NewsDeskError
from .evidence import as_data
from .lang import detect_question
from .salience import Pick, SentencePicker
from .store import Filters
from .verify import Kind, Problem


class BriefingError(NewsDeskError, ValueError):
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


# --------------------------------------------------------------------------------------------------
# checking one line against the one sentence it restates


def _support(p: Pick) -> list[str]:
    """What a bullet may state: its sentence, and the article's title (with its acronym: "IPCC" for
    "Intergovernmental Panel on Climate Change") and date — the sentence's context."""
    return facts.cited_context(p.text, p.date, p.title)


def check_line(text: str, source: Pick, lang: str) -> tuple[str | None, list[Problem], int]:
    """(the line, repaired, or None), the problems found, the number of facts checked.

    The line is repaired with the sentence's own text (``verify.repair``: its spelling of a name, its title for a
    person, English place names), then checked against its sentence and the article's title and date
    (``verify.verdict``): every figure, date, name, office, negation and actor must be the sentence's, the line in
    ``lang`` with no words of the other language, and it must state at least one checkable fact."""
    body = facts.CITATION.sub("", text).strip().strip('"“”').strip()
    body = re.sub(r"\s+([.,;:!?])", r"\1", body)
    if not body:
        return None, [Problem(Kind.NO_FACT, "", "empty")], 0
    srcs = _support(source)
    body, _ = verify.repair(body, srcs, lang)
    v = verify.verdict(body, srcs, lang)
    problems = list(v.problems)
    # a quoted title or an aside rendered in words no check can verify ("Temperature Anomaly in the Arctic" for a
    # quoted Vietnamese title) is not stated as a fact: ``drop_spans`` cuts it
    for q in re.finditer(r"\"[^\"]{3,}\"|“[^”]{3,}”|\([^()]{3,}\)", body):
        problems += [Problem(Kind.NAME, n.text, "a quoted title the sentence gives in other words")
                     for n in v.names if n.support is verify.Support.UNVERIFIED and q.start() < n.start < q.end()]
    if v.facts_checked == 0:
        problems.append(Problem(Kind.NO_FACT, body[:40], "no checkable fact (who, when, what figure)"))
    return (None if problems else body), problems, v.facts_checked


def _with_citation(body: str, n: int) -> str:
    body = body.rstrip()
    return f"{body[:-1]} [{n}]{body[-1]}" if body[-1:] in ".!?" else f"{body} [{n}]."


# --------------------------------------------------------------------------------------------------
# the model's part: one sentence in, one bullet out


def _first_line(raw: str) -> str:
    lines = [l.strip() for l in raw.strip().splitlines() if l.strip()]
    line = lines[0] if lines else ""
    line = re.sub(r"^(?:[-*•]\s*|\d+[.)]\s*|Bullet\s*:\s*)+", "", line, flags=re.I)
    return clean_answer(line)


def english_numbers(text: str) -> str:
    """A Vietnamese sentence's numbers and dates written the English way for the model ("1.160.000" -> "1,160,000",
    "2,6 tỷ" -> "2.6 tỷ", "5–6/2/2026" -> "5–6 February 2026"), so it does not have to convert them (small models
    garble "1.160.000" into "1.160,000" and copy "5-6/2/2026" as it stands; ``facts.english_dates``). The check
    still compares against the original sentence."""
    def conv(m: re.Match) -> str:
        t = m.group(0)
        if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", t):
            return t.replace(".", ",")
        if re.fullmatch(r"\d+,\d+", t):
            return t.replace(",", ".")
        return t
    text = facts.english_dates(text)
    return re.sub(r"(?<![\d.,])\d+(?:[.,]\d+)+(?![\d])", conv, text)


def expand_names(body: str, source: str) -> str:
    """A surname alone ("Ernthavanh", "Ambassador Ernthavanh", "Ernthavanh's") becomes the full name the sentence
    gives ("Khamphao Ernthavanh") when the sentence has exactly one name ending in it."""
    runs = [m.group(0) for m in re.finditer(r"\b[A-ZĐÀ-Ỹ][\wÀ-ỹ'’-]+(?:\s+[A-ZĐÀ-Ỹ][\wÀ-ỹ'’-]+){1,2}\b", source)]
    lead = {"ong", "ba", "ngai", "anh", "chi", "theo", "tai", "ngay", "khi", "sau", "trong", "the", "in", "on", "at"}
    runs = [" ".join(r.split()[1:]) if facts.fold(r.split()[0]).lower() in lead else r for r in runs]
    runs = [r for r in runs if len(r.split()) >= 2 and not any(
        facts.fold(w).lower() in facts._GENERIC_NAME_WORDS or facts._role_key(w) for w in r.split())]
    def titled(m: re.Match) -> bool:  # "Ambassador Ernthavanh": a title before a surname is not a given name
        k = facts.fold(m.group(1)).lower()
        return k in facts._GENERIC_NAME_WORDS or facts._role_key(m.group(1)) is not None

    for w in set(re.sub(r"['’]s$", "", x) for x in re.findall(r"\b[A-ZĐÀ-Ỹ][\wÀ-ỹ'’-]{2,}\b", body)):
        full = {r for r in runs if r.split()[-1] == w}
        if len(full) == 1:
            name = full.pop()
            # not when it already follows another capitalized word (a name of its own, or the full name)
            before = [m for m in re.finditer(rf"([A-ZĐÀ-Ỹ][\wÀ-ỹ'’-]*)\s+{re.escape(w)}\b", body)]
            if name not in body and all(titled(m) for m in before):
                body = re.sub(rf"\b{re.escape(w)}\b", name, body, count=1)
    return body


_BULLET_CUT = re.compile(r"\s*(?:[,;:]\s+|\s+\(|\s+[–—-]\s+|\s+(?:and|or|while|with|under|including|as well as|"
                         r"which|who|where|whose|in order to)\s+)", re.I)
_KEEPS_MEANING = re.compile(r"^\s*[,;:]?\s*(?:but|not|except|excluding|unless|without|although|though|only|"
                            r"neither|nor|no)\b", re.I)


_SPAN = re.compile(r"(?:,?\s+(?:titled|entitled|called|named|known as|dubbed|labell?ed))?\s*"
                   r"(?:\"[^\"]{3,}\"|“[^”]{3,}”|\([^()]{3,}\))", re.I)


def drop_spans(body: str, source: Pick) -> str | None:
    """A failed bullet without the quoted title or parenthesis that holds its unsupported names, with the word that
    introduces it ('an ICSI report "Changes in the Earth's Surface …"' -> "an ICSI report"; 'a graph titled
    "Temperature Anomaly …" based on' -> "a graph based on"): a small model renders a quoted Vietnamese title in
    English words no check can verify. None when a failing name is outside such a span, or the span opens the line."""
    _, problems, _ = check_line(body, source, "en")
    bad = [p.span for p in problems if p.kind in (Kind.NAME, Kind.PLACE)]
    if not bad or len(bad) != len(problems):
        return None
    spans = [m for m in _SPAN.finditer(body) if any(b in m.group(0) for b in bad)]
    if not spans or any(m.start() == 0 for m in spans):
        return None
    out = body
    for m in reversed(spans):
        out = out[:m.start()] + out[m.end():]
    if any(b in out for b in bad):
        return None
    return re.sub(r"\s+([.,;:])", r"\1", re.sub(r"\s{2,}", " ", out)).strip()


def cut_line(line: str, source: Pick) -> str | None:
    """Repair before dropping: the bullet without the quoted title or parenthesis its unsupported names are in
    (``drop_spans``), else the longest start of a failed bullet that passes the check on its own ("Members must
    be over 18 and citizens of … the European Union" -> "Members must be over 18."), at a clause or list boundary,
    never before a qualifier ("but", "except", "not" …) or a time clause ("immediately after …") that the start would
    lose. A repaired line must keep a figure or a date of the sentence: a cut down to names alone is where a wrong
    title hides."""
    def passes(text: str) -> str | None:
        kept, _, n = check_line(text, source, "en")
        f = facts.extract(kept) if kept is not None else None
        return kept if kept is not None and n and (f.number_items or f.date_items) else None

    body = facts.CITATION.sub("", line).strip().rstrip(".")
    dropped = drop_spans(body + ".", source)
    if dropped and (kept := passes(dropped)):
        return kept
    for m in reversed(list(_BULLET_CUT.finditer(body))):
        if _KEEPS_MEANING.match(body[m.start():]):
            continue
        head = body[:m.start()].rstrip(" ,;:-–—(")
        if len(head.split()) < 5 or head.count("(") != head.count(")"):
            continue
        if kept := passes(head + "."):
            return kept
    return None


def _glossary(sentence: str) -> str:
    """The English names (Unicode CLDR) of the sentence's multi-word country, region and organisation names, as a
    line for the bullet prompt: the model wrote "East Asia" for "Đông Nam Á" when left to guess."""
    pairs = facts.english_names_in(sentence)
    return ("\nNames in English: " + "; ".join(f"{v} = {e}" for v, e in pairs) + ".") if pairs else ""


def english_bullet(desk, p: Pick) -> tuple[str | None, list[Problem], int]:
    """The picked sentence as one checked English bullet (None when the attempts fail the check).

    First attempt: the bullet prompt. Second: the same conversation told what failed — or, when the bullet came
    back in the wrong language, a close translation of the sentence (the translation prompt holds the language).
    A translation fallback for every failure was measured and left out: no recall gained, ~25% slower."""
    shown = as_data(english_numbers(p.text) if detect_question(p.text) == "vi" else p.text)  # text is data
    msgs = [{"role": "system", "content": prompts.load("bullet_system", "en")},
            {"role": "user", "content": prompts.render("bullet_user", "en", sentence=shown, title=_article_label(p),
                                                       glossary=_glossary(p.text))}]
    problems_all: list[Problem] = []
    checked = 0
    failed: list[str] = []  # the lines that failed, to cut before giving up
    for attempt in range(2):
        raw = desk.llm.chat(msgs, max_tokens=90, temperature=0.0).text
        line = expand_names(_first_line(raw), p.text)
        failed.append(line)
        body, problems, n = check_line(line, p, "en")
        checked += n
        if body is not None:
            missing = facts.missing_key_facts(p.text, body) if attempt == 0 else []
            if not missing:
                return body, problems_all, checked
            # a date, amount or percentage of the sentence left out: ask once to keep it
            msgs += [{"role": "assistant", "content": line},
                     {"role": "user", "content": prompts.render("bullet_keep", "en", facts=", ".join(
                         f'"{facts.english_rendering(x)}"' for x in missing))}]
            raw = desk.llm.chat(msgs, max_tokens=90, temperature=0.0).text
            second, problems2, n2 = check_line(expand_names(_first_line(raw), p.text), p, "en")
            checked += n2
            if second is not None and len(facts.missing_key_facts(p.text, second)) < len(missing):
                return second, problems_all, checked
            return body, problems_all, checked
        problems_all += problems
        if any(x.kind is Kind.OTHER_LANGUAGE for x in problems):
            # the bullet prompt did not hold the language: a close translation of the sentence instead
            line = expand_names(_first_line(_translate_lines(desk, [shown], "en")[0] or ""), p.text)
            body, problems, n = check_line(line, p, "en")
            if body is None:
                body = next((c for c in (cut_line(x, p) for x in [line] + failed) if c), None)
            return body, problems_all + problems, checked + n
        msgs += [{"role": "assistant", "content": line},
                 {"role": "user", "content": prompts.render("bullet_retry", "en",
                                                            problem="; ".join(p.message() for p in problems))}]
    cut = next((c for c in (cut_line(x, p) for x in failed) if c), None)
    return cut, problems_all, checked


def _article_label(p: Pick) -> str:
    return "; ".join(x for x in (p.title, f"published {p.date}" if p.date else "") if x) or "(untitled)"


def _translate_lines(desk, texts: list[str], lang: str) -> list[str | None]:
    """Translate lines into ``lang`` ('vi' or 'en') in one call; None where a line came back missing."""
    if not texts:
        return []
    lines = "\n".join(f"{i}. {as_data(t)}" for i, t in enumerate(texts, 1))
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


def vietnamese_lines(desk, picks: list[Pick], english: list[str]) -> list[tuple[str | None, list[Problem], int]]:
    """The Vietnamese bullets: the sentence itself when the article is Vietnamese (faithful by construction);
    otherwise the English bullet translated (all in one call, after the English ones, so the bullet
    instructions stay in llama.cpp's cache) and checked against the sentence."""
    out: list[tuple[str | None, list[Problem], int] | None] = [None] * len(picks)
    todo = []
    for i, p in enumerate(picks):
        if detect_question(p.text) == "vi":
            out[i] = (p.text.strip(), [], facts.fact_count(p.text))
        else:
            todo.append(i)
    for i, v in zip(todo, _translate_lines(desk, [english[i] for i in todo], "vi")):
        out[i] = check_line(v or "", picks[i], "vi")
    return out  # type: ignore[return-value]


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


def _digest(desk, kind: str, ids: list[str], words: int, query: str | None,
            progress: Callable | None) -> tuple[list[Pick], list[str | None], list[str | None], int, list[Problem], list[str]]:
    """Picked sentences, their English bullets, their Vietnamese lines (briefing only), facts checked,
    problems, notes. A line that fails its check leaves only its own section: the Vietnamese line of a Vietnamese
    sentence is the sentence itself, so it stays when the English bullet fails (and an English bullet stays when
    its Vietnamese translation fails); a sentence with no line in either section is left out."""
    picker = SentencePicker(desk.store, hostile=desk.evidence.hostile)
    topic = desk.retriever.embed_query(query) if query else None
    ranked, notes = picker.ranked(ids, topic)
    if not ranked:
        raise BriefingError(f"no indexed text for {', '.join(ids) or 'the selection'}")
    want = _bullet_count(len(ids), words)
    tries = min(len(ranked), want + max(3, want // 2))  # a failed bullet gives its place to the next sentence
    picks: list[Pick] = []
    en: list[str | None] = []
    problems: list[Problem] = []
    checked = 0
    done = 0  # English bullets written
    for p in ranked[:tries]:
        if done >= want:
            break
        if progress:
            progress(done, want, p.text[:60])
        body, bad, n = english_bullet(desk, p)
        checked += n
        if body is None:
            problems += bad
            why = "; ".join(b.message() for b in bad[:2])
            if kind == "briefing" and detect_question(p.text) == "vi" and facts.fact_count(p.text):
                notes.append(f"in the Vietnamese section only (its English bullet failed the check: {why}): {p.text[:90]}")
                picks.append(p)
                en.append(None)
            else:
                notes.append(f"left out (its bullet failed the check: {why}): {p.text[:90]}")
            continue
        picks.append(p)
        en.append(body)
        done += 1
    vi: list[str | None] = [None] * len(picks)
    if kind == "briefing":
        todo = [i for i in range(len(picks)) if en[i] is not None]
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
    return picks, en, vi, checked, problems, notes


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
    kept, en, vi, checked, problems, notes = _digest(desk, kind, ids, words, query, progress)
    order = _order(kept, newest_first=kind == "briefing")
    sources, en_b, vi_b = [], [], []
    for n, i in enumerate(order, 1):
        p = kept[i]
        sources.append(Passage(chunk_id=p.chunk_id, doc_id=p.doc_id, text=p.text, score=p.score, title=p.title,
                               date=p.date, source=p.source, start=p.start, end=p.end, lang=p.lang))
        if en[i] is not None:
            en_b.append(Bullet(_with_citation(en[i], n), [n]))
        if vi[i] is not None:
            vi_b.append(Bullet(_with_citation(vi[i], n), [n]))
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
