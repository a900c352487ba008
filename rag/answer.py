"""Cited answers: retrieve, fit the context budget, prompt, generate, validate citations, abstain.

What the small local models get wrong (STACK.md) and what this module does about it:

* they answer unanswerable questions with a plausible entity — a retrieval-evidence gate (best dense cosine
  below ``min_dense_score`` abstains without calling the model) plus a ``NOT_FOUND`` sentinel the model can use;
* they answer in the wrong language — the prompt is in the question's language, and an answer detected in
  another language is re-asked once;
* they break or invent citations — every ``[n]`` is checked against the supplied passages, numbers/dates in
  each sentence must appear in the cited passage; a sentence is re-cited to the passage that does support it,
  and a sentence whose numbers no passage supports is dropped (listed in ``flags``).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

from . import facts, prompts, verify
from .chunking import split_sentences
from .documents import Passage
from .errors import QuestionError
from .lang import detect_question
from .lexical import fold, tokenize
from .llm import LLM
from .evidence import as_data
from .store import Filters

NOT_FOUND = "NOT_FOUND"
_NOT_FOUND_PHRASES = [
    "not_found", "not found", "do not contain", "does not contain", "don't contain", "doesn't contain",
    "no information", "not mentioned", "cannot find", "can't find", "not provided", "not specified",
    "không có thông tin", "không chứa", "không được đề cập", "không đề cập", "không tìm thấy", "không nêu",
]


@dataclass
class Citation:
    n: int
    passage: Passage

    def to_dict(self) -> dict:
        return {"n": self.n, **self.passage.to_dict()}


@dataclass
class Answer:
    question: str
    language: str
    answer: str
    abstained: bool
    citations: list[Citation]
    passages: list[Passage]  # every passage supplied to the model, numbered 1..N
    model: dict
    timings_ms: dict
    standalone_question: str = ""
    flags: list[str] = field(default_factory=list)
    usage: dict = field(default_factory=dict)
    signals: dict = field(default_factory=dict)  # evidence strength (best dense / evidence scores) for calibration

    def to_dict(self) -> dict:
        return {
            "question": self.question,
            "language": self.language,
            "answer": self.answer,
            "abstained": self.abstained,
            "citations": [c.to_dict() for c in self.citations],
            "model": self.model,
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
            "standalone_question": self.standalone_question,
            "flags": self.flags,
            "usage": self.usage,
            "signals": self.signals,
        }


def _support_texts(passages: list[Passage], nums: list[int]) -> list[str]:
    # the article's date is part of what a passage tells the model
    return [passages[x - 1].text + (f" {passages[x - 1].date}" if passages[x - 1].date else "") for x in nums]


def clean_answer(text: str) -> str:
    """Undo formatting habits of small models: echoed passage headers, answers wrapped in brackets."""
    text = text.strip()
    m = re.match(r"^(?:passage\s*|đoạn(?: tin)?\s*)?\[(\d+)\]\s*(?:\([^)]*\))?\s*:?\s*", text, flags=re.I)
    if m and len(text) > m.end():
        rest = text[m.end():]
        first_end = re.search(r"[.!?](\s|$)", rest)
        cut = first_end.start() if first_end else len(rest)
        if not facts.CITATION.search(rest[:cut + 1]):
            rest = rest[:cut] + f" [{m.group(1)}]" + rest[cut:]
        text = rest
    # "[2,6 tỷ USD]" -> "2,6 tỷ USD" (brackets that are not a citation list)
    text = re.sub(r"\[([^\]]*[^\d\s,;\]][^\]]*)\]", r"\1", text)
    return text.strip()


def is_not_found(text: str) -> bool:
    t = text.strip().lower()
    if not t:
        return True
    if t.startswith("not_found") or t.replace(".", "") == "not found":
        return True
    # a short answer that is only a refusal; longer answers that mention a gap still answer something
    body = facts.CITATION.sub("", t)
    return len(body) < 160 and any(ph in body for ph in _NOT_FOUND_PHRASES) and not re.search(r"\d", body)


_FILLER = set("""the a an of in on at to for and or is are was were be been by with from as that this which who whom what
when where why how did does do has have had will would can could about into its it their his her they he she there
according information provided evidence given answer articles article passage passages also both
là và của có được cho các những với trong này đã sẽ đến từ theo về tại khi nào ai gì bao nhiêu đâu
thông tin bằng chứng""".split())


def adds_nothing(answer: str, question: str) -> bool:
    """An answer that only restates the question ("The two sides will coordinate in the sub-regional cooperation
    framework [1]." to "Which sub-regional cooperation framework will the two sides coordinate in?"), or only
    echoes an article's date, tells the user nothing: it is handled like NOT_FOUND."""
    body = facts.CITATION.sub(" ", answer).strip()
    if re.fullmatch(r"\(?\d{4}-\d{2}-\d{2}\)?\.?", body):
        return True
    if re.match(r"(?i)(yes|no|có|không|đúng|sai)\b", body):  # a yes/no answer answers
        return False
    q = {fold(t).lower() for t in tokenize(question)}
    new = [t for t in tokenize(body) if (len(t) > 1 or t.isdigit()) and t.lower() not in _FILLER
           and fold(t).lower() not in q and fold(t).lower().rstrip("s") not in q]
    return not new


_MONEY = re.compile(r"(?i)(?:usd|us\$|\$|€|£|đồng|vnd|kip|dollars?|euros?|yuan|baht)")
_RE_RATE_Q = re.compile(r"(?i)\b(rate|percent|percentage|tỷ lệ|phần trăm)\b")
_RE_COUNT_Q = re.compile(r"(?i)\b(how many|how much|how long|how far|how old|bao nhiêu|mấy)\b")
_RE_NOT_MONEY_Q = re.compile(r"(?i)\b(population|people|residents|inhabitants|dân số|người|km|kilomet\w*|miles?|dặm|"
                             r"days?|ngày|years? old|tuổi|times|lần)\b")


_RE_WHO_Q = re.compile(r"(?i)^\s*(?:who|whom)\b|\bai\b|\bngười nào\b")
_RE_PRONOUN_START = re.compile(r"(?i)^\s*(?:he|she|they|him|her|anh ấy|ông ấy|bà ấy|cô ấy|anh ta|ông ta|cô ta|họ)\b")


def wrong_kind(answer: str, question: str) -> bool:
    """An answer of the wrong kind for the question: a rate without a percentage ("the inflation rate was 2.6
    billion USD"), a count without a number, people or distances answered with money ("the population of Laos
    is 2.6 billion USD")."""
    f = facts.extract(answer)
    if _RE_RATE_Q.search(question) and not f.percents:
        return True
    if _RE_WHO_Q.search(question) and _RE_PRONOUN_START.match(facts.CITATION.sub("", answer)):
        # "Anh ấy là thủ quân lớn tuổi nhất" to "Ai là thủ quân lớn tuổi nhất?": a pronoun names nobody
        qnames = facts.extract(question)
        if not [n for n in f.names if not facts.name_supported(n, qnames)]:
            return True
    if _RE_COUNT_Q.search(question):
        if not f.numbers:
            return True
        if (not re.search(r"(?i)\b(money|cost|price|worth|trade|invest\w*|budget|revenue|giá|tiền|vốn|kim ngạch)\b", question)
                and _RE_NOT_MONEY_Q.search(question) and _MONEY.search(facts.CITATION.sub("", answer))):
            return True
    return False


class _StreamGate:
    """Forward tokens to ``sink`` unless the answer turns out to be the NOT_FOUND sentinel."""

    def __init__(self, sink):
        self.sink, self.buf, self.open = sink, "", False

    def __call__(self, tok: str) -> None:
        if self.open:
            self.sink(tok)
            return
        self.buf += tok
        s = self.buf.lstrip()
        if len(s) >= len(NOT_FOUND) or not NOT_FOUND.startswith(s[: len(NOT_FOUND)].upper()):
            if not s.upper().startswith(NOT_FOUND):
                self.open = True
                self.sink(self.buf)


def _cited(sentence: str) -> list[int]:
    out = []
    for m in facts.CITATION.finditer(sentence):
        out += [int(x) for x in re.split(r"\s*[,;]\s*", m.group(1))]
    return out


def _overlap(a: str, b: str) -> float:
    ta = {fold(t) for t in tokenize(a) if len(t) > 2}
    tb = {fold(t) for t in tokenize(b) if len(t) > 2}
    return len(ta & tb) / (len(ta) or 1)


_NOT_A_NAME = set("""in on at by for from of to since until after before about around over under between
january february march april may june july august september october november december""".split())


def has_facts_beyond_names(text: str) -> bool:
    """Does ``text`` state a number, amount, percentage or date (something other than names)?"""
    f = facts.extract(text)
    return bool(f.number_items or f.date_items or f.percent_items)


def _name_numbers(question: str) -> set[str]:
    """Numbers that are part of a name in the question ("Super Bowl 50", "Apollo 11"); never years or days
    ("February 5", "In 3 days")."""
    return {m.group(2) for m in re.finditer(r"\b([A-Z][\w-]*)\s+(\d{1,3})\b(?![.,/:]\d)", question)
            if m.group(1).lower() not in _NOT_A_NAME}


def _unsupported(body: str, texts: list[str], question: str, stated: frozenset[str] = frozenset()) -> list[str]:
    """Numbers/dates of ``body`` that ``texts`` do not support.

    A number that is part of a name the user wrote ("... in Super Bowl 50?") may be echoed when the evidence
    states it somewhere (``stated``: the evidence is about that Super Bowl, even if the cited sentence calls it
    "the game"); otherwise — a passage in another language may drop it — only beside a number the passages supply
    that the question did not contain: the claim must carry a new, sourced fact. Years and dates from the question
    are never echoed: "Vietnam invested 2.6 billion USD in Laos in 2024" grafts a passage's figure onto the
    question's year, the classic wrong answer to an unanswerable question.
    """
    bad = facts.unsupported(body, texts, check_names=False)
    if not bad or not question:
        return bad
    echo = _name_numbers(question)
    if any(b not in echo for b in bad):
        return bad
    if all(b in stated for b in bad):
        return []
    f = facts.extract(body)
    surfaces = [sf for sf, _ in f.number_items] + [sf for sf, _ in f.date_items]
    new_sourced = [sf for sf in surfaces if sf not in bad
                   and facts.unsupported(sf, [question], check_names=False)]
    return [] if new_sourced else bad


# where an aside starts: a relative or subordinate clause after a comma, a bracket, a dash (not a bare comma:
# "born in Wiltshire, England" is one place, and the part that fails is the sign of a guess)
_CLAUSE_CUT = re.compile(r"\s*(?:,\s+(?:who|which|where|when|while|whose|but|after|before|including|making|marking|"
                         r"với|khi|sau khi|trước khi|trong khi|nhưng|người|nơi|mà)\b|\s+\(|\s+[–—]\s+|\s+-\s+)",
                         re.I)


def trimmed_claims(body: str, question: str = "") -> list[str]:
    """Shorter readings of a claim that keep its start ("X was Y, who …" -> "X was Y."), longest first; each
    still has to tell the user something the question did not."""
    out = []
    for m in reversed(list(_CLAUSE_CUT.finditer(body))):
        head = body[:m.start()].rstrip(" ,;:-–—")
        if len(head.split()) < 3:
            continue
        head += "."
        if question and adds_nothing(head, question):
            continue
        out.append(head)
    return out


def year_cut_claims(body: str, question: str) -> list[tuple[str, str]]:
    """The claim without the question's year where it only echoes the question ("… 24 interceptions in 2015" ->
    "… 24 interceptions"), with that year: (shorter claim, year). Only a year in a phrase of its own ("in 2015",
    "during the 2015 season", "vào năm 2015") is cut; a year the claim still needs elsewhere leaves no reading."""
    out = []
    for y in question_years(question):
        if y not in body:
            continue
        cut = re.sub(rf",?\s*\b(?:in|during|for|of|as of|throughout|trong|vào|năm)\s+(?:the\s+)?(?:năm\s+)?{y}"
                     rf"(?:\s+(?:[A-Z]{{2,5}}\s+)?season|\s+mùa giải)?\b(?!\s*[-–])", "", body, flags=re.I)
        cut = re.sub(r"\s+([.,;:!?])", r"\1", re.sub(r"\s{2,}", " ", cut)).strip()
        if y not in cut and cut != body and len(cut.split()) >= 3:
            out.append((cut, y))
    return out


def validate_citations(text: str, passages: list[Passage], question: str = "", similarity=None,
                       min_similarity: float = 0.0) -> tuple[str, list[int], list[str]]:
    """Check and repair ``[n]`` citations sentence by sentence.

    Returns (repaired text, cited passage numbers in order of first use, flags). A sentence keeps its
    citations if every number/date it states appears in them; otherwise it is re-cited to the best-ranked
    passage that supports it, or dropped if no passage does. Out-of-range numbers are removed.
    """
    n = len(passages)
    flags: list[str] = []
    out_sents: list[str] = []
    used: list[int] = []
    text = re.sub(r"\s+", " ", text.replace("\n", " ")).strip()
    spans = split_sentences(text)
    # a citation-only fragment ("[1]") belongs to the sentence before it
    sents: list[str] = []
    for sp in spans:
        s = text[sp.start:sp.end]
        if sents and not facts.CITATION.sub("", s).strip(" .,;"):
            sents[-1] += " " + s
        else:
            sents.append(s)
    last_good: list[int] = []

    qlang = detect_question(question) if question else ""
    alang = qlang or detect_question(text)  # the answer's language
    known = [p.lang for p in passages if p.lang in ("en", "vi")]
    cross = bool(question) and bool(known) and qlang not in known

    def with_qnames(texts: list[str]) -> list[str]:
        # a name the user wrote may be repeated when these passages mention it at least in part; not when only
        # some other passage does. Across languages ("Time Lords" over Vietnamese evidence that says "Chúa tể
        # Thời gian") a name cannot be matched word for word: the question's names may be repeated, and the
        # traps are left to the model's NOT_FOUND, the question-anchor check and the number checks.
        if not question:
            return texts
        if cross:  # except places with a known rendering in both languages ("Thailand" / "Thái Lan")
            return texts + [". ".join(facts.translatable_names(question, texts))]
        return texts + [". ".join(facts.anchored_names(question, texts))]

    # the question's name numbers ("Super Bowl 50") that the evidence states somewhere
    stated = frozenset(x for x in _name_numbers(question)
                       if any(re.search(rf"(?<![\d.,]){x}(?![\d]|[.,]\d)", p.text) for p in passages)) if question else frozenset()

    def judge(body: str, valid: list[int]) -> tuple[str, list[int], list[str], str | None]:
        """(claim as repaired, its citations, notes, reason to drop or None) for one claim."""
        notes: list[str] = []
        has_facts = facts.fact_count(body) > 0
        supported = valid and not _unsupported(body, _support_texts(passages, valid), question, stated)
        if not supported and (has_facts or not valid):
            support = [i for i in range(1, n + 1)
                       if not _unsupported(body, _support_texts(passages, [i]), question, stated)]
            if has_facts and support:
                best = max(support, key=lambda i: (_overlap(body, passages[i - 1].text), -i))
                if valid:
                    notes.append(f"re-cited to [{best}] (the cited passage lacks its facts): {body[:80]}")
                valid = [best]
            elif has_facts:
                return body, valid, notes, f"dropped a claim no passage supports: {body[:120]}"
            elif not valid:
                # an uncited claim with no checkable fact: kept only if it stays close to the evidence (the
                # model answering from its own knowledge writes claims that drift away from it)
                if similarity is not None and min_similarity > 0:
                    sim = similarity(body)
                    if sim < min_similarity:
                        return body, valid, notes, (f"dropped an uncited claim far from the evidence "
                                                    f"(similarity {sim:.2f} < {min_similarity}): {body[:100]}")
                cand = max(range(1, n + 1), key=lambda i: (_overlap(body, passages[i - 1].text), -i)) if n else None
                if cand and _overlap(body, passages[cand - 1].text) > 0:
                    valid = [cand]
                elif last_good:
                    valid = last_good
                elif n:
                    valid = [1]
                notes.append(f"citation inferred for an uncited sentence: {body[:80]}")
        # names must be in the cited passages (see with_qnames); numbers only beside a new sourced one (_unsupported)
        if valid:
            body, spelled = verify.respell(body, _support_texts(passages, valid))
            if spelled:
                notes.append("repaired name(s): " + ", ".join(f"{a} -> {b}" for a, b in spelled))
        judged = verify.names(body, with_qnames(_support_texts(passages, valid)), alang) if valid else []
        names = [n.text for n in judged if n.support is verify.Support.WRONG]
        unverified = [n.text for n in judged if n.support is verify.Support.UNVERIFIED]
        if unverified and not names and not any(n.support is verify.Support.SUPPORTED for n in judged) \
                and not has_facts_beyond_names(body):
            # a rendering no passage word confirms, and nothing else in the claim that one does ("The ambassador
            # is Jane Doe"): a claim must rest on something the evidence states
            return body, valid, notes, f"dropped a claim resting only on names no passage confirms ({', '.join(unverified)}): {body[:100]}"
        if names:
            alt = next((i for i in range(1, n + 1)
                        if not _unsupported(body, _support_texts(passages, [i]), question, stated)
                        and not verify.wrong_names(body, with_qnames(_support_texts(passages, [i])), alang)),
                       None)
            if alt is not None:
                valid, names = [alt], []
        if names:
            # a near-miss of a name the cited evidence spells ("Sonexay Siphandon") is rewritten to its spelling
            repaired, done = facts.repair_names(body, names, _support_texts(passages, valid))
            if done and not verify.wrong_names(repaired, with_qnames(_support_texts(passages, valid)), alang):
                notes.append("repaired name(s): " + ", ".join(f"{a} -> {b}" for a, b in done))
                return repaired, valid, notes, None
        if names:
            # a name no supplied passage contains is the classic small-model hallucination: drop the claim
            return body, valid, notes, f"dropped a claim naming what no passage mentions ({', '.join(names)}): {body[:100]}"
        roles = facts.unsupported_roles(body, _support_texts(passages, valid))
        if roles:
            # "President To Lam" where the evidence says General Secretary: a wrong title is a wrong fact
            return body, valid, notes, f"dropped a claim with a title the evidence does not give ({', '.join(roles)}): {body[:100]}"
        return body, valid, notes, None

    for s in sents:
        nums = _cited(s)
        bad = [x for x in nums if not 1 <= x <= n]
        if bad:
            flags.append(f"removed citation to a passage that was not supplied: {', '.join(f'[{b}]' for b in bad)}")
        valid = list(dict.fromkeys(x for x in nums if 1 <= x <= n))
        body = facts.CITATION.sub("", s).strip()
        body = re.sub(r"\s+([.,;:!?])", r"\1", body)
        if not body.strip(" .,;"):
            continue
        fixed, cited, notes, drop = judge(body, valid)
        if drop:
            # repair before dropping: the answer often comes first and an unsupported aside after it
            # ("The Count of Melfi was William Iron Arm, who was elected by the people of Normandy.")
            for short in trimmed_claims(body, question):
                f2, c2, n2, d2 = judge(short, valid)
                if not d2:
                    flags.append(f"cut a clause the evidence does not support: {body[len(short) - 1:][:80]}")
                    fixed, cited, notes, drop = f2, c2, n2, None
                    break
        if drop and question:
            # the question's year echoed onto a fact whose cited sentence is undated ("The Panthers' defense had
            # 24 interceptions in 2015" on a sentence that gives 24 and no year): the fact is kept, the year cut and
            # the reader told. Not when the cited sentence dates its fact: "trade in 2024" is never put on a
            # sentence about 2025 (the unanswerable-question trap)
            for short, year in year_cut_claims(body, question):
                f2, c2, n2, d2 = judge(short, valid)
                if d2 or not c2 or any(re.search(r"\b(?:19|20)\d{2}\b", passages[i - 1].text) for i in c2):
                    continue
                note = prompts.render("undated", qlang if qlang in ("en", "vi") else "en", year=year)
                end = f2[-1] if f2[-1:] in ".!?" else "."
                fixed, cited, notes, drop = f"{f2.rstrip('.!?')} {note}{end}", c2, n2, None
                flags.append(f"cut the question's year {year}, which the cited sentence does not state: {body[:80]}")
                break
        if drop:
            flags.append(drop)
            continue
        flags += notes
        body, valid = fixed, cited
        last_good = valid
        used += [x for x in valid if x not in used]
        tail = "".join(f"[{x}]" for x in valid)
        if body[-1:] in ".!?":
            out_sents.append(f"{body[:-1]} {tail}{body[-1]}")
        else:
            out_sents.append(f"{body} {tail}")
    return " ".join(out_sents).strip(), used, flags


def condense_question(llm: LLM, history: list[dict], question: str, max_turns: int = 6) -> str:
    """Rewrite a follow-up into a standalone question using the last turns of ``history``."""
    if not history:
        return question
    lang = detect_question(question)
    lines = []
    for turn in history[-max_turns:]:
        role = "User" if turn.get("role") == "user" else "Assistant"
        content = facts.CITATION.sub("", str(turn.get("content", ""))).strip()
        lines.append(f"{role}: {content[:600]}")
    prompt = prompts.render("condense", "en", history="\n".join(lines), question=question,
                            language={"vi": "Vietnamese", "en": "English"}.get(lang, lang))
    res = llm.chat([{"role": "user", "content": prompt}], max_tokens=80, temperature=0.0)
    out = res.text.strip().splitlines()[0].strip().strip('"') if res.text.strip() else ""
    return out if len(out) > 3 else question


def _abstain(question, lang, passages, model, timings, standalone, flags, signals=None, usage=None) -> Answer:
    text = prompts.load("abstain", lang if lang in ("en", "vi") else "en")
    return Answer(question, lang, text, True, [], passages, model, timings, standalone, flags, usage or {},
                  signals or {})


def format_evidence(evidence: list[Passage]) -> str:
    lines = []
    for i, p in enumerate(evidence, 1):
        text = as_data(p.text)  # no control tokens; an article's own "[n]" is not one of our evidence numbers
        meta = "; ".join(x for x in (p.title, p.date) if x)  # after the text: small models echo what comes first
        lines.append(f"[{i}] {text}" + (f" ({meta})" if meta else ""))
    return "\n".join(lines)


def evidence_messages(lang: str, question: str, evidence: list[Passage]) -> list[dict]:
    """The instructions in the language of the evidence (the small models read Vietnamese evidence far better
    under Vietnamese instructions: measured, `evals/README.md`), the numbered evidence, the question, and a last
    line asking for an answer in the question's language. The system prompt is fixed per evidence language, so
    llama.cpp reuses its KV cache across questions."""
    langs = [p.lang for p in evidence if p.lang in ("en", "vi")]
    read = max(("vi", "en"), key=langs.count) if langs else (lang if lang in ("en", "vi") else "en")
    answer_lang = lang if lang in ("en", "vi") else read
    return [{"role": "system", "content": prompts.load("evidence_system", read)},
            {"role": "user", "content": prompts.render("evidence_user", read, evidence=format_evidence(evidence),
                                                       question=question,
                                                       answer_in=prompts.load(f"answer_in_{answer_lang}", read))}]


def question_years(question: str) -> list[str]:
    return list(dict.fromkeys(re.findall(r"\b(?:19|20)\d{2}\b", question)))


def question_anchors_missing(question: str, evidence: list[Passage]) -> list[str]:
    """Years of the question that no evidence sentence states while the evidence states other years: the articles
    then report another period ("trade in 2024" over reports of 2025), and the question is unanswerable from them,
    however close the evidence scores. (Evidence that states no year at all says nothing either way; other numbers
    are often part of a name — "Super Bowl 50" — and are left to the number checks of the answer.)"""
    years_q = set(question_years(question))
    if not years_q:
        return []
    stated = set(re.findall(r"\b(?:19|20)\d{2}\b", " ".join(p.text for p in evidence)))
    missing = [y for y in sorted(years_q) if y not in stated]
    return missing if stated - years_q else []


def quote_answer(lang: str, question: str, evidence: list[Passage], min_score: float) -> tuple[str, list[int]] | None:
    """When the model cannot phrase an answer: the best evidence sentence, quoted and cited, if it is strong
    (score ≥ ``min_score``) and mentions the question's names (at least in part)."""
    if not evidence:
        return None
    best = max(range(len(evidence)), key=lambda i: evidence[i].score)
    p = evidence[best]
    if p.score < min_score:
        return None
    qnames = facts.extract(question).names
    if qnames and len(facts.anchored_names(question, [p.text])) < len(qnames):
        return None
    text = re.sub(r"\s+", " ", p.text).strip()
    plang = lang if lang in ("en", "vi") else "en"
    return prompts.render("quote", plang, quote=text, cite=f"[{best + 1}]"), [best + 1]


def retrieved_sentences(passages: list[Passage], evidence: list[Passage], hostile) -> list[Passage]:
    """The sentences of the retrieved passages that are not evidence already (articles that carry instructions
    left out), as passages with exact offsets: where a disagreement with the answer can be found."""
    have = {(p.doc_id, p.start) for p in evidence}
    out, seen = [], set()
    for p in passages:
        if hostile(p.doc_id):
            continue
        for sp in split_sentences(p.text):
            key = (p.doc_id, p.start + sp.start)
            if key in have or key in seen:
                continue
            seen.add(key)
            out.append(Passage(chunk_id=p.chunk_id, doc_id=p.doc_id, text=p.text[sp.start:sp.end], score=-1.0,
                               title=p.title, date=p.date, source=p.source, start=p.start + sp.start,
                               end=p.start + sp.end, lang=p.lang))
    return out


_PLAN = re.compile(r"\b(?:target|targets|goal|aim|aims|plan|plans|planned|expected|forecast|projected|will|would|"
                   r"strive|striving|seek|seeks|by\s+20\d\d)\b|phấn đấu|mục tiêu|hướng tới|kế hoạch|dự kiến|dự báo|"
                   r"sẽ|nhằm|nâng .{0,40} lên", re.I)


MAX_QUESTION_CHARS = 2000


def conflicting(answer: str, evidence: list[Passage], used: list[int], question: str,
                margin: float = 0.06, min_overlap: float = 0.35) -> list[tuple[int, str]]:
    """Sentences from *another article* that give a different amount or percentage for what the answer states:
    (evidence number, its figure). A rival must share ``min_overlap`` of the cited sentence's words (across
    languages: the question's names and year), state no figure that agrees, state the question's year when it
    names one, and — when it is evidence the question was scored against (score ≥ 0) — score within ``margin`` of
    the cited sentence. A news desk's reader must hear that the sources disagree."""
    stated = facts.quantities(answer)
    if not stated or not used:
        return []
    cited = [evidence[i - 1] for i in used if 0 < i <= len(evidence)]
    docs = {p.doc_id for p in cited}
    top = max(p.score for p in cited)
    years_q = set(question_years(question))
    out: list[tuple[int, str]] = []
    for j, p in enumerate(evidence, 1):
        if j in used or p.doc_id in docs or (p.score >= 0 and p.score < top - margin):
            continue
        years_p = set(re.findall(r"\b(?:19|20)\d{2}\b", p.text))
        if years_q and not years_q <= years_p:
            continue
        if bool(_PLAN.search(p.text)) != any(_PLAN.search(c.text) for c in cited):
            continue  # a target or a forecast beside a reported figure is not a disagreement
        if max(_overlap(c.text, p.text) for c in cited) < min_overlap:
            # across languages words do not overlap: the same subject is then the question's names (through
            # their renderings) in both sentences, and its year stated by both
            qnames = facts.extract(question).names
            if not (qnames and years_q and years_q <= years_p
                    and all(len(facts.anchored_names(question, [t])) == len(qnames) for t in (p.text, cited[0].text))):
                continue
        theirs = facts.quantities(p.text)
        agree = any(k == k2 and any(facts._close(a, b) for a in va for b in vb)
                    for _, va, k in stated for _, vb, k2 in theirs)
        rival = next((surf for surf, vb, k2 in theirs if any(k == k2 for _, _, k in stated)), None)
        if rival and not agree and (p.doc_id, rival) not in {(evidence[i - 1].doc_id, f) for i, f in out}:
            out.append((j, rival))
    return out


def with_conflicts(text: str, lang: str, rivals: list[tuple[int, str]]) -> str:
    plang = lang if lang in ("en", "vi") else "en"
    items = [prompts.render("conflict_item", plang, cite=f"[{j}]",
                            figure=facts.english_quantity(fig) if plang == "en" else fig) for j, fig in rivals]
    text = text.rstrip()
    return text + ("" if text.endswith((".", "!", "?", "…")) else ".") + " " + \
        prompts.render("conflict", plang, rivals="; ".join(items))


def answer_question(desk, question: str, history: list[dict] | None = None, k: int | None = None,
                    filters: Filters | None = None, on_token=None) -> Answer:
    """Answer ``question`` from the index with validated ``[n]`` citations, or abstain.

    Retrieve passages (hybrid), select the evidence sentences that bear on the question (``rag.evidence``), give
    the model only those, numbered, then check every claim against the evidence it cites.
    """
    s = desk.settings
    t0 = time.perf_counter()
    question = question.strip()
    if not question:
        raise QuestionError("the question is empty")
    if len(question) > MAX_QUESTION_CHARS:
        raise QuestionError(f"the question is {len(question):,} characters long; ask in at most "
                         f"{MAX_QUESTION_CHARS:,} (a question, not an article: ingest articles with rag ingest)")
    lang = detect_question(question)
    llm = desk.llm
    model = {"llm": llm.name, "embedding": desk.store.embedding_model}
    timings = {"condense": 0.0, "retrieve": 0.0, "evidence": 0.0, "generate": 0.0, "total": 0.0}
    standalone = question
    if history:
        tc = time.perf_counter()
        standalone = condense_question(llm, history, question)
        timings["condense"] = (time.perf_counter() - tc) * 1000
    res = desk.retriever.search(standalone, k=k or s.top_k, filters=filters, lang=lang)
    timings["retrieve"] = res.ms
    flags: list[str] = []
    same_lang = any(p.lang == lang for p in res.passages[:3])
    threshold = s.min_dense_score if same_lang else s.min_dense_score_crosslingual
    if not res.passages or res.best_dense < threshold:
        flags.append(f"weak retrieval evidence (best dense score {res.best_dense:.3f} < {threshold})")
        timings["total"] = (time.perf_counter() - t0) * 1000
        return _abstain(question, lang, res.passages, model, timings, standalone, flags,
                        {"best_dense": round(res.best_dense, 4)})

    te = time.perf_counter()
    qvec = res.qvec if res.qvec is not None else desk.retriever.embed_query(standalone)
    evidence, _ = desk.evidence.select(standalone, qvec, res.passages, llm.count_tokens,
                                       max_sentences=s.evidence_sentences, max_tokens=s.evidence_tokens,
                                       require=tuple(question_years(standalone)) + tuple(sorted(_name_numbers(standalone))))
    timings["evidence"] = (time.perf_counter() - te) * 1000
    for d in dict.fromkeys(p.doc_id for p in res.passages if desk.evidence.hostile(p.doc_id)):
        why = desk.evidence.injection.reasons(d)
        flags.append(f"left out article {d}: it carries instructions aimed at the model (prompt injection: "
                     f"{why[0][:80]!r})" if why else f"left out article {d}: it carries instructions aimed at the model")
    signals = {"best_dense": round(res.best_dense, 4),
               "best_evidence": round(max((p.score for p in evidence), default=0.0), 4)}
    if not evidence:
        flags.append("no evidence sentence in the retrieved passages")
        timings["total"] = (time.perf_counter() - t0) * 1000
        return _abstain(question, lang, res.passages, model, timings, standalone, flags, signals)
    missing = question_anchors_missing(standalone, evidence)
    if missing:
        flags.append(f"the evidence never states {', '.join(missing)} from the question")
        timings["total"] = (time.perf_counter() - t0) * 1000
        return _abstain(question, lang, evidence, model, timings, standalone, flags, signals)

    tg = time.perf_counter()
    messages = evidence_messages(lang, standalone, evidence)
    gate = _StreamGate(on_token) if on_token else None
    out = llm.chat(messages, max_tokens=s.max_answer_tokens, temperature=s.temperature, on_token=gate)
    text = out.text.strip()
    usage = {"prompt_tokens": out.prompt_tokens, "prompt_tokens_new": out.prompt_tokens - out.cached_tokens,
             "completion_tokens": out.completion_tokens, "generate_s": round(out.seconds, 3),
             "first_token_s": round(out.first_token_s, 3) if out.first_token_s is not None else None}
    if out.truncated:
        flags.append("the answer hit the max_answer_tokens limit")
    if not is_not_found(text) and lang in ("en", "vi"):
        body = facts.CITATION.sub("", text)
        if len(body) > 20 and detect_question(body) != lang:
            flags.append(f"answer was not in {lang}; re-asked")
            fix = llm.chat(messages + [{"role": "assistant", "content": text},
                                       {"role": "user", "content": prompts.load("fix_language", lang)}],
                           max_tokens=s.max_answer_tokens, temperature=s.temperature)
            if fix.text.strip() and detect_question(facts.CITATION.sub("", fix.text)) == lang:
                text = fix.text.strip()
    timings["generate"] = (time.perf_counter() - tg) * 1000
    if lang == "en":  # a Vietnamese decimal comma copied into English: "2,6 billion" -> "2.6 billion"
        text = re.sub(r"\b(\d+),(\d{1,2})(?=\s*(?:%|percent|per cent|billion|million|trillion|thousand|tỷ|triệu)\b|%)",
                      r"\1.\2", text)
    fixed, used = "", []
    if is_not_found(text):
        flags.append("the model found no answer in the evidence")
    elif adds_nothing(text, standalone):
        flags.append(f"the answer only restates the question: {text[:80]}")
    elif wrong_kind(text, standalone):
        flags.append(f"the answer is not of the kind the question asks for (a figure, a rate, a person): {text[:80]}")
    else:
        fixed, used, vflags = validate_citations(clean_answer(text), evidence, question=standalone,
                                                 similarity=lambda c: desk.evidence.similarity(c, evidence),
                                                 min_similarity=s.uncited_min_similarity)
        flags += vflags
        if not fixed or not used:
            flags.append("no claim of the answer could be supported by the evidence")
        else:
            holder = facts.wrong_holder(standalone, fixed, _support_texts(evidence, used))
            if holder:
                flags.append(f"the evidence gives this person another office: {', '.join(holder)}")
                fixed, used = "", []
    if (not fixed or not used) and s.quote_fallback and not any(f.startswith("the evidence gives") for f in flags):
        quoted = quote_answer(lang, standalone, evidence, s.quote_min_score)
        if quoted:
            fixed, used = quoted
            flags.append("answered with the best evidence sentence, quoted")
            if on_token:
                on_token(fixed)
    timings["total"] = (time.perf_counter() - t0) * 1000
    if not fixed or not used:
        return _abstain(question, lang, evidence, model, timings, standalone, flags, signals, usage)
    more = retrieved_sentences(res.passages, evidence, desk.evidence.hostile) if facts.quantities(fixed) else []
    rivals = conflicting(fixed, evidence + more, used, standalone)
    if rivals:
        keep = [j for j, _ in rivals if j > len(evidence)]  # rivals from outside the evidence join it, renumbered
        renum = {j: len(evidence) + n for n, j in enumerate(keep, 1)}
        evidence = evidence + [more[j - len(evidence) - 1] for j in keep]
        rivals = [(renum.get(j, j), fig) for j, fig in rivals]
        before = fixed
        fixed = with_conflicts(fixed, lang, rivals)
        used = list(dict.fromkeys(used + [j for j, _ in rivals]))
        flags.append("the articles disagree: " + "; ".join(f"[{j}] gives {fig}" for j, fig in rivals))
        if on_token:  # the note streams after what was shown
            on_token(fixed[len(before.rstrip()):])
    citations = [Citation(i, evidence[i - 1]) for i in used]
    return Answer(question, lang, fixed, False, citations, evidence, model, timings, standalone, flags, usage,
                  signals)
