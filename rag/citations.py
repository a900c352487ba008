"""Checking an answer's claims against the passages it cites: each sentence's figures, dates, names and titles
must be in its cited passages (``rag.verify``), else it is re-cited to a passage that supports it, repaired (the
passage's spelling; the question's year cut where the cited sentence gives none), shortened to its supported start,
or dropped — and the flags say which."""

from __future__ import annotations

import re

from . import facts, prompts, verify
from .chunking import split_sentences
from .documents import Passage
from .lang import detect_question
from .lexical import fold, tokenize

def _support_texts(passages: list[Passage], nums: list[int]) -> list[str]:
    # the article's date is part of what a passage tells the model
    return [passages[x - 1].text + (f" {passages[x - 1].date}" if passages[x - 1].date else "") for x in nums]


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
        # (a fuller form of a name the passage writes shorter, "Percy Shelley" over "Shelley", is confirmed in part)
        unverified = [n.text for n in judged if n.support is verify.Support.UNVERIFIED and not n.anchors]
        if unverified and not names and not any(n.support is verify.Support.SUPPORTED for n in judged) \
                and not has_facts_beyond_names(body):
            # a rendering no passage word confirms, and nothing else in the claim that one does ("The ambassador
            # is Jane Doe"): a claim must rest on something the evidence states
            return body, valid, notes, f"dropped a claim resting only on names no passage confirms ({', '.join(unverified)}): {body[:100]}"
        if not names and any(nm.support is verify.Support.UNVERIFIED and nm.missing for nm in judged):
            # a fuller name than the cited passage writes ("Percy Shelley" over "Shelley"): a passage that states it
            # whole is the better citation
            whole = next((i for i in range(1, n + 1) if i not in valid
                          and not _unsupported(body, _support_texts(passages, [i]), question, stated)
                          and all(nm.support is verify.Support.SUPPORTED
                                  for nm in verify.names(body, with_qnames(_support_texts(passages, [i])), alang))),
                         None)
            if whole is not None:
                notes.append(f"re-cited to [{whole}] (it states the names whole): {body[:80]}")
                valid = [whole]
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


def question_years(question: str) -> list[str]:
    return list(dict.fromkeys(re.findall(r"\b(?:19|20)\d{2}\b", question)))
