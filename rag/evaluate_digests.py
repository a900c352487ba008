"""Evaluating summaries and briefings: key-fact recall per section, and counts over the final text that do not
depend on the checker that filtered it (gold traps, language identification), with the checker's own re-check
reported apart."""

from __future__ import annotations

import json
import statistics
import time
from collections import defaultdict
from pathlib import Path
from typing import Callable

from .lang import detect_question

from .scoring import _mean, key_fact_score, normalize


def _cited_context(src: dict) -> list[str]:
    """A cited source as the writer's check sees it (``facts.cited_context``)."""
    from .facts import cited_context

    return cited_context(src["text"], src.get("date"), src.get("title"))


def recheck_digest(row: dict) -> None:
    """Counts over a digest's final text (``row["digest"]``, as ``Digest.to_dict()``).

    Independent of the checker that filtered the bullets: ``wrong_roles`` counts the gold's ``traps`` (wrong
    titles/roles, superseded facts) found in the text; ``section_lang_correct`` and ``mixed_language_lines`` come
    from language identification; a bullet marked not sure is judged by its own words (``restated``: the rest of its
    line is its sentence, quoted verbatim). ``checker_recheck`` is the claim checker run again on every bullet against its
    cited sentence — what it *still* flags, by kind; it cannot see what the checker misses (its misses are measured
    by ``evals/verify_bench.py`` against labels)."""
    from . import facts as F
    from . import verify

    dg = row["digest"]
    srcs_all = dg.get("sources", [])
    langs, checked, mixed, traps = [], 0, [], []
    recheck: dict[str, int] = {}
    items: list[str] = []
    for sec in dg["sections"]:
        for b in sec["bullets"]:
            text = b.get("restated") or b["text"]
            langs.append(float(detect_question(F.CITATION.sub("", text)) == sec["lang"]))
            srcs = [x for c in b["citations"] if 0 < c <= len(srcs_all) and srcs_all[c - 1].get("text")
                    for x in _cited_context(srcs_all[c - 1]) if x]
            checked += F.fact_count(text)
            if srcs:
                for p in verify.check(F.CITATION.sub("", text), srcs, sec["lang"]):
                    if p.kind is verify.Kind.MIXED_LANGUAGE:
                        continue
                    recheck[p.kind.value] = recheck.get(p.kind.value, 0) + 1
                    items.append(f"{p.kind.value}: {p.span} | {text[:90]}")
            if F.other_language_words(text, sec["lang"]):
                mixed.append(text[:100])
            low = normalize(b["text"])
            traps += [t for t in row.get("traps", []) if normalize(t) in low]
    row["section_lang_correct"] = round(statistics.fmean(langs), 4) if langs else None
    row["checker_recheck"] = recheck
    row["checker_recheck_total"] = sum(recheck.values())
    row["checker_recheck_items"] = items
    row["residual_unsupported_rate"] = round(row["checker_recheck_total"] / checked, 4) if checked else 0.0
    row["wrong_roles"] = len(traps)
    row["wrong_role_items"] = traps
    row["mixed_language_lines"] = len(mixed)
    row["mixed_language_items"] = mixed
    row["bullets"] = sum(len(s["bullets"]) for s in dg["sections"])


def score_digest(row: dict) -> None:
    """Key-fact recall of a summary/briefing row: per section (each language must carry the facts), averaged."""
    by_lang = {sec["lang"]: key_fact_score(" ".join(b["text"] for b in sec["bullets"]), row["gold"])
               for sec in row["digest"]["sections"]}
    row["key_fact_recall"] = round(statistics.fmean(by_lang.values()), 4) if by_lang else 0.0
    row["key_fact_recall_by_lang"] = by_lang


def is_digest_gold(path: Path) -> bool:
    if Path(path).suffix.lower() != ".jsonl":
        return False
    first = next((l for l in Path(path).read_text(encoding="utf-8").splitlines() if l.strip()), "{}")
    try:
        return json.loads(first).get("kind") in ("summary", "briefing")
    except json.JSONDecodeError:
        return False


def run_digests(desk, path: Path, limit: int | None = None, progress: Callable | None = None,
                split: str | None = None) -> list[dict]:
    """Summaries/briefings against key facts. Per digest: key-fact recall per section (each language must carry
    the facts), and an independent re-check of the final output against its cited sources — unsupported facts,
    wrong titles/roles (the checker's and the gold's ``traps``), lines with words of the other language."""
    from .briefing import BriefingError
    from .llm import LLMError

    recs = [json.loads(l) for l in Path(path).read_text(encoding="utf-8").splitlines() if l.strip()]
    if split:
        recs = [r for r in recs if r.get("split") == split]
    recs = recs[: limit or None]
    rows = []
    for n, r in enumerate(recs):
        if progress:
            progress(n, len(recs), r["id"])
        t0 = time.perf_counter()
        base = {"id": r["id"], "type": r["kind"], "answerable": True, "split": r.get("split", "")}
        try:
            if r["kind"] == "summary":
                dg = desk.summarize(r["doc_ids"], words=r.get("words", 150))
            else:
                dg = desk.brief(since=r.get("since"), until=r.get("until"), query=r.get("query"), docs=r.get("docs"),
                                words=r.get("words", 150))
        except (BriefingError, LLMError) as e:
            rows.append({**base, "lang": "-", "error": str(e),
                         "latency_ms": {"retrieve": 0.0, "total": (time.perf_counter() - t0) * 1000}})
            continue
        row = {**base, "lang": "+".join(s.lang for s in dg.sections), "articles": dg.articles,
               "latency_ms": {"retrieve": 0.0, "total": (time.perf_counter() - t0) * 1000}, "digest": dg.to_dict()}
        row["gold"] = r["key_facts"]
        row["traps"] = r.get("traps", [])
        score_digest(row)
        recheck_digest(row)
        row["raw_unsupported_rate"] = round(len(dg.unsupported) / dg.facts_checked, 4) if dg.facts_checked else 0.0
        rows.append(row)
    if progress:
        progress(len(recs), len(recs), "")
    return rows


DIGEST_METRICS = ["key_fact_recall", "raw_unsupported_rate", "residual_unsupported_rate", "section_lang_correct",
                  "bullets"]
DIGEST_COUNTS = ["wrong_roles", "mixed_language_lines", "checker_recheck_total"]


def aggregate_digests(rows: list[dict]) -> dict:
    m = {"n": len(rows), "errors": sum(1 for r in rows if "error" in r)}
    for k in DIGEST_METRICS:
        m[k] = _mean([r.get(k) for r in rows if "error" not in r])
    for k in DIGEST_COUNTS:
        m[k] = sum(r.get(k, 0) for r in rows if "error" not in r)
    tot = [r["latency_ms"]["total"] / 1000 for r in rows]
    m["seconds_per_question"] = round(statistics.fmean(tot), 3) if tot else None
    return m


def digest_breakdown(rows: list[dict]) -> dict:
    """Digest metrics per kind (summary, briefing), per split, and per article count (the timing bars)."""
    groups: dict = defaultdict(list)
    for r in rows:
        groups[f"type={r['type']}"].append(r)
        if r.get("split"):
            groups[f"split={r['split']}"].append(r)
        if r.get("articles"):
            groups[f"articles={r['articles']}"].append(r)
    return {k: aggregate_digests(v) for k, v in sorted(groups.items())}
