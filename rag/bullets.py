"""One picked sentence in, one checked line out: the model's part of a digest.

``english_bullet`` asks the model to restate a sentence as one short English bullet, checks it against that
sentence (``check_line``: ``rag.verify`` plus the article's title and date as context), repairs or retries once,
cuts a failed line down to a start that passes (``cut_line``), and records the signals its confidence is computed
from (``bullet_signals``, ``rag.confidence.BULLET_FEATURES``). ``vietnamese_lines`` gives the Vietnamese section its
lines: the sentence itself for a Vietnamese article, a checked translation of the English bullet otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import facts, prompts, verify
from .answer import clean_answer
from .documents import Passage
from .evidence import as_data
from .lang import detect_question
from .salience import Pick
from .verify import Kind, Problem


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


@dataclass
class Drafted:
    """One English bullet as written and checked: ``text`` (None when every attempt failed the check), the
    problems of the failed attempts, the facts checked, and ``signals`` for its confidence
    (``rag.confidence.BULLET_FEATURES``)."""

    text: str | None
    problems: list[Problem]
    checked: int
    signals: dict = field(default_factory=dict)


def bullet_signals(text: str, p: Pick, path: str, logprobs: list[float] | None, similarity=None) -> dict:
    """What a bullet's confidence is computed from: how it got through the check (``path``: first / kept /
    retry / translated / cut), the names the checker could not tie to the sentence, the sentence's key facts it
    leaves out, the model's token log-probabilities, whether it crosses languages, and (``similarity``: a function
    of the text) how close its meaning stays to the sentence's in the embedding space both languages share."""
    names = verify.names(text, _support(p), "en", aligned=True)
    lps = [x for x in (logprobs or []) if x == x]
    out = {"retried": float(path in ("retry", "translated")), "cut": float(path == "cut"),
           "names_unverified": float(sum(n.support is verify.Support.UNVERIFIED for n in names)),
           "facts_missing": float(len(facts.missing_key_facts(p.text, text))),
           "sentence_facts": float(facts.fact_count(p.text)),
           "cross": float(detect_question(p.text) != "en"),
           "length_ratio": round(len(text.split()) / max(1, len(p.text.split())), 4)}
    if lps:
        out["lp_mean"] = round(sum(lps) / len(lps), 4)
        out["lp_min"] = round(min(lps), 4)
    if similarity is not None:
        out["similarity"] = round(similarity(text), 4)
    return out


def english_bullet(desk, p: Pick) -> Drafted:
    """The picked sentence as one checked English bullet.

    First attempt: the bullet prompt. Second: the same conversation told what failed — or, when the bullet came
    back in the wrong language, a close translation of the sentence (the translation prompt holds the language);
    last, the longest start of a failed attempt that passes the check (``cut_line``)."""
    shown = as_data(english_numbers(p.text) if detect_question(p.text) == "vi" else p.text)  # text is data
    msgs = [{"role": "system", "content": prompts.load("bullet_system", "en")},
            {"role": "user", "content": prompts.render("bullet_user", "en", sentence=shown, title=_article_label(p),
                                                       glossary=_glossary(p.text))}]
    problems_all: list[Problem] = []
    checked = 0
    failed: list[str] = []  # the lines that failed, to cut before giving up

    def done(body: str | None, path: str, lps) -> Drafted:
        sim = lambda t: desk.evidence.similarity(t, [Passage(p.chunk_id, p.doc_id, p.text, p.score, start=p.start,
                                                             end=p.end)])
        sig = bullet_signals(body, p, path, lps, sim) if body else {}
        return Drafted(body, problems_all, checked, sig)

    for attempt in range(2):
        res = desk.llm.chat(msgs, max_tokens=90, temperature=0.0)
        line = expand_names(_first_line(res.text), p.text)
        failed.append(line)
        body, problems, n = check_line(line, p, "en")
        checked += n
        if body is not None:
            missing = facts.missing_key_facts(p.text, body) if attempt == 0 else []
            path = "first" if attempt == 0 else "retry"
            if not missing:
                return done(body, path, res.token_logprobs)
            # a date, amount or percentage of the sentence left out: ask once to keep it
            msgs += [{"role": "assistant", "content": line},
                     {"role": "user", "content": prompts.render("bullet_keep", "en", facts=", ".join(
                         f'"{facts.english_rendering(x)}"' for x in missing))}]
            res2 = desk.llm.chat(msgs, max_tokens=90, temperature=0.0)
            second, problems2, n2 = check_line(expand_names(_first_line(res2.text), p.text), p, "en")
            checked += n2
            if second is not None and len(facts.missing_key_facts(p.text, second)) < len(missing):
                return done(second, "kept", res2.token_logprobs)
            return done(body, path, res.token_logprobs)
        problems_all += problems
        if any(x.kind is Kind.OTHER_LANGUAGE for x in problems):
            # the bullet prompt did not hold the language: a close translation of the sentence instead
            line = expand_names(_first_line(_translate_lines(desk, [shown], "en")[0] or ""), p.text)
            body, problems, n = check_line(line, p, "en")
            checked += n
            path = "translated"
            if body is None:
                body = next((c for c in (cut_line(x, p) for x in [line] + failed) if c), None)
                path = "cut"
            problems_all += problems
            return done(body, path, None)
        msgs += [{"role": "assistant", "content": line},
                 {"role": "user", "content": prompts.render("bullet_retry", "en",
                                                            problem="; ".join(p.message() for p in problems))}]
    return done(next((c for c in (cut_line(x, p) for x in failed) if c), None), "cut", None)


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
