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

from . import facts, prompts
from .chunking import split_sentences
from .confidence import COUNT_Q, WHO_Q, State, language_pair, question_kind
from .citations import (_name_numbers, _overlap, _support_texts, adds_nothing, question_years,  # noqa: F401
                        validate_citations)
from .documents import Passage
from .errors import QuestionError
from .lang import detect_question
from .llm import LLM, side_llm
from .query_translation import articles_language, translate_question
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
    reported_by: int = 1  # outlets that carry the article: it and its syndicated copies (rag.copies)

    def to_dict(self) -> dict:
        return {"n": self.n, **self.passage.to_dict(), "reported_by": self.reported_by}


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
    signals: dict = field(default_factory=dict)  # what the confidence is computed from (rag.confidence)
    state: State = State.NOT_IN_ARTICLES
    confidence: float = 0.0  # probability that what is shown is right: the answer, or "not in the articles"
    display: str = ""  # what a reader is shown: the answer as its state presents it, with the quoted sentence

    @property
    def quote(self) -> Citation | None:
        """The sentence the answer rests on (or, not in the articles, the closest the articles come)."""
        return self.citations[0] if self.citations else None

    def to_dict(self) -> dict:
        return {
            "question": self.question,
            "language": self.language,
            "state": self.state.value,
            "confidence": round(self.confidence, 4),
            "answer": self.answer,
            "display": self.display or self.answer,
            "abstained": self.abstained,
            "citations": [c.to_dict() for c in self.citations],
            "model": self.model,
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
            "standalone_question": self.standalone_question,
            "flags": self.flags,
            "usage": self.usage,
            "signals": self.signals,
        }


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


_MONEY = re.compile(r"(?i)(?:usd|us\$|\$|€|£|đồng|vnd|kip|dollars?|euros?|yuan|baht)")
_RE_RATE_Q = re.compile(r"(?i)\b(rate|percent|percentage|tỷ lệ|phần trăm)\b")
_RE_NOT_MONEY_Q = re.compile(r"(?i)\b(population|people|residents|inhabitants|dân số|người|km|kilomet\w*|miles?|dặm|"
                             r"days?|ngày|years? old|tuổi|times|lần)\b")


_RE_PRONOUN_START = re.compile(r"(?i)^\s*(?:he|she|they|him|her|anh ấy|ông ấy|bà ấy|cô ấy|anh ta|ông ta|cô ta|họ)\b")


def wrong_kind(answer: str, question: str) -> bool:
    """An answer of the wrong kind for the question: a rate without a percentage ("the inflation rate was 2.6
    billion USD"), a count without a number, people or distances answered with money ("the population of Laos
    is 2.6 billion USD")."""
    f = facts.extract(answer)
    if _RE_RATE_Q.search(question) and not f.percents:
        return True
    if WHO_Q.search(question) and _RE_PRONOUN_START.match(facts.CITATION.sub("", answer)):
        # "Anh ấy là thủ quân lớn tuổi nhất" to "Ai là thủ quân lớn tuổi nhất?": a pronoun names nobody
        qnames = facts.extract(question)
        if not [n for n in f.names if not facts.name_supported(n, qnames)]:
            return True
    if COUNT_Q.search(question):
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
    res = side_llm(llm).chat([{"role": "user", "content": prompt}], max_tokens=80, temperature=0.0)
    out = res.text.strip().splitlines()[0].strip().strip('"') if res.text.strip() else ""
    return out if len(out) > 3 else question


def _abstain(question, lang, passages, model, timings, standalone, flags, signals=None, usage=None) -> Answer:
    text = prompts.load("abstain", lang if lang in ("en", "vi") else "en")
    return Answer(question, lang, text, True, [], passages, model, timings, standalone, flags, usage or {},
                  signals or {})


_DIGITS = re.compile(r"\d+")


def rests_on(text: str, p: Passage, scores: dict | None = None) -> Passage:
    """The one sentence of evidence block ``p`` that holds most of ``text`` — its figures first, then its words
    plus the sentence's evidence score (``scores``: (doc_id, article offset) -> score) — with exact offsets into
    the article."""
    spans = split_sentences(p.text)
    if len(spans) <= 1:
        return p
    digits = set(_DIGITS.findall(facts.CITATION.sub("", text)))
    scores = scores or {}

    def held(sp) -> tuple:
        part = p.text[sp.start:sp.end]
        return (len(digits & set(_DIGITS.findall(part))),
                _overlap(text, part) + scores.get((p.doc_id, p.start + sp.start), 0.0), -sp.start)

    sp = max(spans, key=held)
    return Passage(chunk_id=p.chunk_id, doc_id=p.doc_id, text=p.text[sp.start:sp.end], score=p.score, title=p.title,
                   date=p.date, source=p.source, start=p.start + sp.start, end=p.start + sp.end, lang=p.lang,
                   scores=p.scores)


def answer_signals(text: str, evidence: list[Passage], used: list[int], flags: list[str], usage: dict,
                   logprobs: list[float] | None) -> dict:
    """What the confidence of a shown answer is computed from (``rag.confidence.ANSWER_FEATURES``)."""
    body = facts.CITATION.sub("", text)
    first = rests_on(text, evidence[used[0] - 1]) if used else None
    digits = set(_DIGITS.findall(body))
    top = max(p.score for p in evidence) if evidence else 0.0
    out = {
        "cited_score": round(evidence[used[0] - 1].score, 4) if used else None,
        "cited_is_top": float(bool(used) and evidence[used[0] - 1].score >= top),
        "cited_overlap": round(_overlap(body, first.text), 4) if first else 0.0,
        "figures_in_cited": (round(len(digits & set(_DIGITS.findall(first.text))) / len(digits), 4)
                             if first and digits else None),
        "dropped": float(sum(f.startswith(("dropped", "removed citation")) for f in flags)),
        "cut": float(sum(f.startswith("cut ") for f in flags)),
        "quoted": float(any(f.startswith("answered with the best evidence sentence") for f in flags)),
        "conflict": float(any(f.startswith("the articles disagree") for f in flags)),
        "answer_words": len(body.split()),
    }
    lps = [x for x in (logprobs or []) if x == x]
    if lps:
        out["lp_mean"] = round(sum(lps) / len(lps), 4)
        out["lp_min"] = round(min(lps), 4)
    return out


def finish(desk, ans: Answer, ranked=()) -> Answer:
    """Give ``ans`` its confidence and state; put first among its citations the sentence it rests on — or, when
    the articles do not hold the answer, the closest sentence they have (the best-scoring evidence sentence) —
    and compose what a reader is shown. ``ranked``: the evidence selector's scored sentences."""
    scores = {(x.doc_id, x.start): x.score for x in ranked}
    s = desk.settings
    model = desk.confidence
    pair = language_pair(ans.language, [p.lang for p in ans.passages[:3]])
    sig = ans.signals
    sig["pair"] = pair
    a, b = pair.split("-", 1)
    sig["cross"] = float(a != b)
    sig.update(question_kind(ans.standalone_question or ans.question))
    plang = ans.language if ans.language in ("en", "vi") else "en"
    ans.citations = [Citation(c.n, c.passage, 1 + len(desk.store.copy_sources(c.passage.doc_id)))
                     for c in ans.citations]
    if ans.abstained:
        sig["no_evidence"] = float(not ans.passages or all(p.score < 0 for p in ans.passages))
        ans.confidence = model.confidence(sig, abstained=True)
        ans.state = State.NOT_IN_ARTICLES
        ans.display = ans.answer
        if ans.passages and s.show_closest:
            best = max(range(len(ans.passages)), key=lambda i: ans.passages[i].score)
            top = ranked[0] if ranked else None
            for i, p in enumerate(ans.passages):  # the best sentence's own block
                if top is not None and p.doc_id == top.doc_id and p.start <= top.start < p.end:
                    best = i
            sent = rests_on("", ans.passages[best], {k: v * 10 for k, v in scores.items()})
            ans.citations = [Citation(best + 1, sent)]
            ans.display = ans.answer + " " + prompts.render("closest", plang, quote=_one_line(sent.text),
                                                            cite=f"[{best + 1}]") + _rendering(desk, ans, sent)
        return ans
    ans.confidence = model.confidence(sig, abstained=False)
    threshold = s.answered_threshold if s.answered_threshold >= 0 else model.threshold(pair)
    ans.state = State.ANSWERED if ans.confidence >= threshold else State.UNCERTAIN
    if ans.citations:
        first = ans.citations[0]
        ans.citations[0] = Citation(first.n, rests_on(ans.answer, first.passage, scores), first.reported_by)
    ans.display = ans.answer
    if ans.state is State.UNCERTAIN and ans.citations:
        q = ans.citations[0]
        ans.display = prompts.render("uncertain", plang, answer=ans.answer, quote=_one_line(q.passage.text),
                                     cite=f"[{q.n}]") + _rendering(desk, ans, q.passage)
    return ans


def _rendering(desk, ans: Answer, sent: Passage) -> str:
    """For an English question over a Vietnamese sentence: the model's English rendering of the quoted sentence,
    shown only when the claim checker finds nothing wrong with it (numbers, names, negation, who did what)
    against the sentence; "" otherwise, or when the setting ``translate_quotes`` is off."""
    from .verify import check

    if not desk.settings.translate_quotes or ans.language != "en" or sent.lang != "vi":
        return ""
    t0 = time.perf_counter()
    messages = [{"role": "system", "content": prompts.load("evidence_system", "vi")},
                {"role": "user", "content": prompts.render("translate_quote", "en", sentence=_one_line(sent.text))}]
    raw = desk.renderings.get(desk.llm.name, messages)  # a sentence quoted before is not rendered again
    if raw is None:
        # in a context of its own (side_llm): the answers' context keeps its instructions and evidence cached
        raw = side_llm(desk.llm).chat(messages, max_tokens=160, temperature=0.0).text
        desk.renderings.put(desk.llm.name, messages, raw)
    ans.timings_ms["translate_quote"] = (time.perf_counter() - t0) * 1000
    ans.timings_ms["total"] = ans.timings_ms.get("total", 0.0) + ans.timings_ms["translate_quote"]
    text = _one_line(facts.CITATION.sub("", raw)).strip('"“” ')
    if not text or detect_question(text) != "en":
        return ""
    problems = check(text, [sent.text], "en")
    if problems:
        ans.flags.append("the English rendering of the quote was not shown: " + "; ".join(p.message() for p in problems[:2]))
        return ""
    return "\n" + prompts.render("rendering", "en", text=text)


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


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
    search_q = standalone  # what retrieval and evidence selection match against
    target = articles_language([p.lang for p in res.passages[:3]])
    if s.translate_questions and target and lang in ("en", "vi") and target != lang:
        tt = time.perf_counter()
        extra = translate_question(side_llm(llm), standalone, target)
        timings["translate_question"] = (time.perf_counter() - tt) * 1000
        if extra and extra != standalone:
            search_q = f"{standalone} {extra}"
            res = desk.retriever.search(search_q, k=k or s.top_k, filters=filters, lang=lang)
            timings["retrieve"] += res.ms
    flags: list[str] = []
    same_lang = any(p.lang == lang for p in res.passages[:3])
    threshold = s.min_dense_score if same_lang else s.min_dense_score_crosslingual
    weak = not res.passages or res.best_dense < threshold
    te = time.perf_counter()
    evidence, ranked = [], []
    if res.passages:  # even when too weak to answer from: the closest the articles come is shown
        qvec = res.qvec if res.qvec is not None else desk.retriever.embed_query(search_q)
        evidence, ranked = desk.evidence.select(search_q, qvec, res.passages, llm.count_tokens,
                                                max_sentences=s.evidence_sentences, max_tokens=s.evidence_tokens,
                                                require=tuple(question_years(standalone)) + tuple(sorted(_name_numbers(standalone))))
    timings["evidence"] = (time.perf_counter() - te) * 1000
    signals = {"best_dense": round(res.best_dense, 4),
               "best_evidence": round(max((p.score for p in evidence), default=0.0), 4),
               "evidence_margin": round(ranked[0].score - ranked[1].score, 4) if len(ranked) > 1 else 0.0}
    if weak:
        flags.append(f"weak retrieval evidence (best dense score {res.best_dense:.3f} < {threshold})")
        timings["total"] = (time.perf_counter() - t0) * 1000
        return finish(desk, _abstain(question, lang, evidence, model, timings, standalone, flags, signals), ranked)
    # a copy hidden behind its canonical article is named too when it carries instructions: it was in the pool
    for d in [d for d in dict.fromkeys([p.doc_id for p in res.passages] + res.copies_hidden)
              if desk.evidence.hostile(d)]:
        why = desk.evidence.injection.reasons(d)
        flags.append(f"left out article {d}: it carries instructions aimed at the model (prompt injection: "
                     f"{why[0][:80]!r})" if why else f"left out article {d}: it carries instructions aimed at the model")
    if not evidence:
        flags.append("no evidence sentence in the retrieved passages")
        timings["total"] = (time.perf_counter() - t0) * 1000
        return finish(desk, _abstain(question, lang, [], model, timings, standalone, flags, signals))
    missing = question_anchors_missing(standalone, evidence)
    if missing:
        flags.append(f"the evidence never states {', '.join(missing)} from the question")
        timings["total"] = (time.perf_counter() - t0) * 1000
        return finish(desk, _abstain(question, lang, evidence, model, timings, standalone, flags, signals), ranked)

    tg = time.perf_counter()
    messages = evidence_messages(lang, standalone, evidence)
    gate = _StreamGate(on_token) if on_token else None
    out = llm.chat(messages, max_tokens=s.max_answer_tokens, temperature=s.temperature, on_token=gate)
    text = out.text.strip()
    logprobs = out.token_logprobs
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
                text, logprobs = fix.text.strip(), fix.token_logprobs
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
        return finish(desk, _abstain(question, lang, evidence, model, timings, standalone, flags, signals, usage), ranked)
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
    signals.update(answer_signals(fixed, evidence, used, flags, usage, logprobs))
    return finish(desk, Answer(question, lang, fixed, False, citations, evidence, model, timings, standalone, flags,
                               usage, signals), ranked)