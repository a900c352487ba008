"""Offline evaluation: retrieval, answer accuracy, citations, abstention, language, latency — no judge, no network.

Datasets:
* the project's JSONL gold format (``evals/README.md``), asked against an existing index (``--index``);
* SQuAD v1.1 JSON (XQuAD): every paragraph becomes a document of a fresh index built for the run; questions
  are asked open-domain. Cross-lingual: corpus from one file, questions/answers from a parallel file (same ids).
"""

from __future__ import annotations

import json
import re
import statistics
import tempfile
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from .lang import detect_question

from .evaluate_digests import (aggregate_digests, digest_breakdown, is_digest_gold, recheck_digest,  # noqa: F401
                               run_digests, score_digest)
from .confidence import trust_metrics
from .scoring import _mean, _pct, contains_answer, exact_match, key_fact_score, retrieval_metrics, token_f1  # noqa: F401


# ---------------------------------------------------------------------------------------------------
# data


@dataclass
class EvalItem:
    id: str
    question: str
    lang: str
    answers: list[list[str]]  # required facts, each a list of accepted alternatives; [] = unanswerable
    gold_docs: list[str]
    type: str = "factoid"
    gold_passage: str | None = None
    split: str = ""  # "frozen" (report-only, never tuned on) or "tune"; "" when the gold set has no splits

    @property
    def answerable(self) -> bool:
        return bool(self.answers) and self.type != "unanswerable"


def load_jsonl_gold(path: Path) -> list[EvalItem]:
    items = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            r = json.loads(line)
            answers = r.get("answers") or []
            # a flat list of strings means alternatives of a single fact
            if answers and all(isinstance(a, str) for a in answers):
                answers = [answers]
            items.append(EvalItem(id=str(r["id"]), question=r["question"], lang=r.get("lang") or detect_question(r["question"]),
                                  answers=answers, gold_docs=list(r.get("gold_docs") or []), type=r.get("type", "factoid"),
                                  gold_passage=r.get("gold_passage"), split=r.get("split", "")))
        except (json.JSONDecodeError, KeyError, TypeError) as e:
            raise ValueError(f"{path}:{n}: not a valid gold record ({e})") from None
    return items


def is_squad(path: Path) -> bool:
    if Path(path).suffix.lower() != ".json":
        return False
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        return False
    return isinstance(data, dict) and isinstance(data.get("data"), list)


def load_squad(corpus_path: Path, questions_path: Path | None = None) -> tuple[list[dict], list[EvalItem]]:
    """Documents (one per paragraph) from ``corpus_path``; questions from ``questions_path`` (parallel ids) or the same."""
    corpus = json.loads(Path(corpus_path).read_text(encoding="utf-8"))["data"]
    docs, qid_to_doc, context_of = [], {}, {}
    for a, art in enumerate(corpus):
        for p, para in enumerate(art["paragraphs"]):
            doc_id = f"{a:02d}-{p:02d}"
            docs.append({"id": doc_id, "title": art.get("title"), "text": para["context"]})
            for qa in para["qas"]:
                qid_to_doc[qa["id"]] = doc_id
                context_of[qa["id"]] = para["context"]
    qsrc = json.loads(Path(questions_path or corpus_path).read_text(encoding="utf-8"))["data"]
    items = []
    for art in qsrc:
        for para in art["paragraphs"]:
            for qa in para["qas"]:
                if qa["id"] not in qid_to_doc:
                    continue
                alts = list(dict.fromkeys(a["text"] for a in qa["answers"]))
                items.append(EvalItem(id=qa["id"], question=qa["question"], lang=detect_question(qa["question"]),
                                      answers=[alts], gold_docs=[qid_to_doc[qa["id"]]], type="squad",
                                      gold_passage=context_of[qa["id"]]))
    return docs, items


# ---------------------------------------------------------------------------------------------------
# runner


@dataclass
class EvalConfig:
    datasets: list[str]
    questions_from: str | None = None
    limit: int | None = None
    generate: bool = True
    settings: dict = field(default_factory=dict)
    split: str | None = None  # only items of this split ("tune" / "frozen")
    skip: int = 0  # leave out the first ``skip`` items (before ``limit``)


def set_lang_match(row: dict, lang: str) -> None:
    """Language of the answer vs the question's; None when the answer has too few words to tell ("1973 [1]")."""
    body = re.sub(r"\[\d+\]", "", row["answer"])
    words = re.findall(r"[^\W\d_]{2,}", body)
    row["answer_lang"] = detect_question(body) if len(words) >= 3 else None
    row["lang_match"] = (float(row["answer_lang"] == lang)
                         if lang in ("en", "vi") and row["answer_lang"] is not None else None)


def score_answer(row: dict) -> None:
    """EM, F1, key-fact score and correctness of ``row["answer"]`` against ``row["gold"]`` (answerable rows)."""
    if not row["answerable"]:
        return
    gold = row["gold"]
    alts = [a for f in gold for a in f]
    ok = not row["abstained"]
    row["em"] = exact_match(row["answer"], alts) if ok else 0.0
    row["f1"] = token_f1(row["answer"], alts) if ok else 0.0
    row["key_fact"] = key_fact_score(row["answer"], gold) if ok else 0.0
    row["correct"] = float(row["key_fact"] == 1.0)


def rescore(report: dict, gold: dict[str, list[list[str]]] | None = None) -> dict:
    """Recompute the derived metrics of a saved report from its rows (after a metric definition changes).

    Answer metrics need each row's gold answers: stored in the row since rows carry ``gold``, or passed as
    ``gold`` (question id -> facts) for older reports. Citation precision needs the cited passages' texts, which
    a report does not keep: it stays as measured.
    """
    for r in report["results"].values():
        rows = r["rows"]
        for row in rows:
            if gold is not None and row["id"] in gold:
                row["gold"] = gold[row["id"]]
        if rows and "answer" in rows[0]:
            for row in rows:
                set_lang_match(row, row["lang"])
                if "gold" in row:
                    score_answer(row)
            r["metrics"] = aggregate(rows)
            r.update(breakdowns(rows))
        elif any("digest" in row for row in rows):
            for row in rows:
                if "digest" in row and "gold" in row:
                    score_digest(row)
                if "digest" in row:
                    recheck_digest(row)
            r["metrics"] = aggregate_digests(rows)
            r["by_type"] = digest_breakdown(rows)
    return report


def run_items(desk, items: list[EvalItem], generate: bool = True, progress: Callable | None = None) -> list[dict]:
    rows = []
    for n, it in enumerate(items):
        if progress:
            progress(n, len(items), it.id)
        t0 = time.perf_counter()
        res = desk.search(it.question, k=10)
        t_ret = (time.perf_counter() - t0) * 1000
        row = {"id": it.id, "lang": it.lang, "type": it.type, "split": it.split, "question": it.question,
               "answerable": it.answerable,
               "retrieved": [p.doc_id for p in res.passages[:5]], "latency_ms": {"retrieve": t_ret}}
        if it.gold_docs or it.gold_passage:
            row["retrieval"] = retrieval_metrics([p.doc_id for p in res.passages], [p.text for p in res.passages], it)
        if generate:
            ans = desk.ask(it.question)
            row["answer"] = ans.answer
            row["abstained"] = ans.abstained
            row["flags"] = ans.flags
            row["usage"] = ans.usage
            row["signals"] = ans.signals
            row["state"] = ans.state.value
            row["confidence"] = round(ans.confidence, 4)
            row["quote"] = ans.quote.passage.text if ans.quote else None
            row["quote_has_answer"] = (float(any(contains_answer(row["quote"], f) for f in it.answers))
                                       if it.answerable and row["quote"] else (0.0 if it.answerable else None))
            row["latency_ms"].update({"answer_retrieve": ans.timings_ms["retrieve"], "generate": ans.timings_ms["generate"],
                                      "total": ans.timings_ms["total"]})
            set_lang_match(row, it.lang)
            row["gold"] = it.answers
            score_answer(row)
            cited = [] if ans.abstained else ans.citations  # a refusal's quote is not a citation of an answer
            if cited:
                good = [c for c in cited if c.passage.doc_id in it.gold_docs
                        or any(contains_answer(c.passage.text, f) for f in it.answers)]
                row["citation_precision"] = len(good) / len(cited)
                row["citation_recall"] = float(bool(good)) if it.answerable else None
                row["citations"] = [c.passage.doc_id for c in cited]
            elif it.answerable and not ans.abstained:
                row["citation_precision"] = 0.0
                row["citation_recall"] = 0.0
        rows.append(row)
    if progress:
        progress(len(items), len(items), "")
    return rows


def aggregate(rows: list[dict]) -> dict:
    m: dict = {"n": len(rows)}
    ret = [r["retrieval"] for r in rows if "retrieval" in r and r["answerable"]]
    for k in ("hit@1", "hit@3", "hit@5", "mrr", "ndcg@10"):
        m[k] = _mean([x[k] for x in ret])
    gen = [r for r in rows if "answer" in r]
    if gen:
        ans = [r for r in gen if r["answerable"]]
        m["em"] = _mean([r.get("em") for r in ans])
        m["f1"] = _mean([r.get("f1") for r in ans])
        m["key_fact"] = _mean([r.get("key_fact") for r in ans])
        m["accuracy"] = _mean([r.get("correct") for r in ans])
        m["citation_precision"] = _mean([r.get("citation_precision") for r in gen])
        m["citation_recall"] = _mean([r.get("citation_recall") for r in ans])
        unans = [r for r in gen if not r["answerable"]]
        abst = [r for r in gen if r["abstained"]]
        tp = sum(1 for r in abst if not r["answerable"])
        m["abstention_precision"] = round(tp / len(abst), 4) if abst else None
        m["abstention_recall"] = round(tp / len(unans), 4) if unans else None
        m["false_abstention_rate"] = _mean([float(r["abstained"]) for r in ans])
        m["lang_match"] = _mean([r.get("lang_match") for r in gen])
        tot = [r["latency_ms"]["total"] / 1000 for r in gen]
        m["seconds_per_question"] = round(statistics.fmean(tot), 3)
        m["median_seconds"] = round(statistics.median(tot), 3)
        pt = [r["usage"]["prompt_tokens"] for r in gen if (r.get("usage") or {}).get("prompt_tokens")]
        m["prompt_tokens"] = round(statistics.fmean(pt), 1) if pt else None
        pn = [r["usage"]["prompt_tokens_new"] for r in gen if (r.get("usage") or {}).get("prompt_tokens_new") is not None]
        m["prompt_tokens_new"] = round(statistics.fmean(pn), 1) if pn else None
        ft = [r["usage"]["first_token_s"] for r in gen if (r.get("usage") or {}).get("first_token_s")]
        m["first_token_s_p50"] = round(statistics.median(ft), 3) if ft else None
        trust = trust_metrics(gen)  # rag.confidence: states, risk-coverage, calibration
        if trust:
            m["trust"] = trust
            m["answered_precision"] = trust["answered"]["precision"]
            m["answered_coverage"] = trust["answered"]["coverage"]
            m["aurc"], m["ece"] = trust["aurc"], trust["ece_all"]
            m["first_quote_has_answer"] = trust["first_quote_has_answer"]
    lat = defaultdict(list)
    for r in rows:
        for k, v in r["latency_ms"].items():
            lat[k].append(v)
    m["latency_ms"] = {k: {"p50": round(_pct(v, 0.5), 1), "p95": round(_pct(v, 0.95), 1)} for k, v in lat.items()}
    return m


def breakdowns(rows: list[dict]) -> dict:
    out: dict = {"by_lang": {}, "by_type": {}, "by_split": {}}
    for key, name in (("lang", "by_lang"), ("type", "by_type"), ("split", "by_split")):
        groups = defaultdict(list)
        for r in rows:
            if r.get(key):
                groups[r[key]].append(r)
        for g, rs in sorted(groups.items()):
            out[name][g] = aggregate(rs)
    return out


def evaluate(desk_factory: Callable, config: EvalConfig, out_dir: Path | None = None,
             progress: Callable | None = None) -> dict:
    """Run every dataset of ``config``; returns the report dict (and writes report.json/.md/.png into ``out_dir``)."""
    reports = {}
    for ds in config.datasets:
        path = Path(ds)
        if not path.exists():
            raise FileNotFoundError(f"dataset {ds} does not exist")
        t0 = time.perf_counter()
        if is_digest_gold(path):
            desk = desk_factory()
            rows = run_digests(desk, path, config.limit, progress, config.split)
            reports[path.stem] = {"dataset": str(path), "metrics": aggregate_digests(rows), "by_lang": {},
                                  "by_type": digest_breakdown(rows), "rows": rows,
                                  "seconds": round(time.perf_counter() - t0, 1)}
            continue
        if is_squad(path):
            docs, items = load_squad(path, Path(config.questions_from) if config.questions_from else None)
            items = items[config.skip:]
            if config.limit:
                items = items[: config.limit]
            tmp = tempfile.TemporaryDirectory(prefix="rag-eval-")
            corpus = Path(tmp.name) / "corpus.jsonl"
            corpus.write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in docs), encoding="utf-8")
            desk = desk_factory(index=Path(tmp.name) / "index")
            rep = desk.ingest([corpus])
            if rep.errors:
                raise RuntimeError(f"building the corpus index for {ds} failed: {rep.errors[:3]}")
            name = path.stem + (f"<-{Path(config.questions_from).stem}" if config.questions_from else "")
        else:
            items = load_jsonl_gold(path)
            if config.split:
                items = [it for it in items if it.split == config.split]
            items = items[config.skip:]
            if config.limit:
                items = items[: config.limit]
            desk = desk_factory()
            tmp = None
            name = path.stem
        rows = run_items(desk, items, generate=config.generate, progress=progress)
        reports[name] = {"dataset": str(path), "metrics": aggregate(rows), **breakdowns(rows), "rows": rows,
                         "seconds": round(time.perf_counter() - t0, 1)}
        if tmp is not None:
            desk.store.close()
            tmp.cleanup()
    s = desk.settings
    report = {
        "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "config": {"datasets": config.datasets, "questions_from": config.questions_from, "limit": config.limit,
                   "skip": config.skip, "split": config.split,
                   "generate": config.generate,
                   "settings": {k: str(v) for k, v in asdict(s).items() if k not in ("openai_api_key",)}},
        "results": reports,
    }
    if out_dir:
        write_report(report, Path(out_dir))
    return report


# ---------------------------------------------------------------------------------------------------
# reports

TABLE_METRICS = ["n", "key_fact_recall", "raw_unsupported_rate", "residual_unsupported_rate", "section_lang_correct", "hit@1", "hit@3", "hit@5", "mrr", "ndcg@10", "em", "f1", "key_fact", "accuracy",
                 "citation_precision", "citation_recall", "abstention_precision", "abstention_recall",
                 "false_abstention_rate", "answered_precision", "answered_coverage", "aurc", "ece",
                 "first_quote_has_answer", "lang_match", "seconds_per_question", "median_seconds", "prompt_tokens", "prompt_tokens_new",
                 "first_token_s_p50", "wrong_roles", "mixed_language_lines", "checker_recheck_total", "bullets"]


def _fmt(v):
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.3f}"
    return str(v)


def to_markdown(report: dict) -> str:
    s = report["config"]["settings"]
    lines = [f"# Evaluation report ({report['created']})", "",
             f"LLM `{s.get('llm')}` · embedding `{s.get('embedding')}` · fusion `{s.get('fusion')}` · k {s.get('top_k')}"
             f" · chunk {s.get('chunk_tokens')}/{s.get('chunk_overlap_tokens')} tokens"
             f"{' · retrieval only' if not report['config']['generate'] else ''}", ""]
    for name, r in report["results"].items():
        slices = [("all", r["metrics"])] + [(f"lang={k}", v) for k, v in r["by_lang"].items()] + \
                 [(k if "=" in k else f"type={k}", v) for k, v in r["by_type"].items()] + \
                 [(f"split={k}", v) for k, v in r.get("by_split", {}).items()]
        cols = [k for k in TABLE_METRICS if any(m.get(k) is not None for _, m in slices)]
        lines += [f"## {name}", "", "| slice | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]
        for label, m in slices:
            lines.append(f"| {label} | " + " | ".join(_fmt(m.get(k)) for k in cols) + " |")
        lat = r["metrics"].get("latency_ms", {})
        if lat:
            lines += ["", "Latency (ms): " + ", ".join(f"{k} p50 {v['p50']:.0f} / p95 {v['p95']:.0f}" for k, v in lat.items())]
        lines.append("")
    return "\n".join(lines)


def plot(report: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keys = ["hit@1", "hit@3", "mrr", "key_fact", "accuracy", "citation_precision", "abstention_recall", "lang_match",
            "key_fact_recall", "section_lang_correct", "raw_unsupported_rate"]
    names = list(report["results"])
    fig, axes = plt.subplots(1, 2, figsize=(13, 4.5), gridspec_kw={"width_ratios": [3, 1]})
    width = 0.8 / max(1, len(names))
    for i, name in enumerate(names):
        m = report["results"][name]["metrics"]
        vals = [m.get(k) if m.get(k) is not None else 0 for k in keys]
        axes[0].bar([x + i * width for x in range(len(keys))], vals, width, label=name)
    axes[0].set_xticks([x + width * (len(names) - 1) / 2 for x in range(len(keys))], keys, rotation=30, ha="right")
    axes[0].set_ylim(0, 1.05)
    axes[0].set_title("quality (higher is better)")
    axes[0].legend(fontsize=8)
    for i, name in enumerate(names):
        rows = report["results"][name]["rows"]
        tot = [r["latency_ms"].get("total", r["latency_ms"].get("retrieve", 0.0)) / 1000 for r in rows]
        axes[1].boxplot(tot, positions=[i], widths=0.6)
    axes[1].set_xticks(range(len(names)), [n[:18] for n in names], rotation=30, ha="right")
    axes[1].set_title("seconds per question")
    fig.suptitle(f"{report['config']['settings'].get('llm')} · {report['config']['settings'].get('fusion')}")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_report(report: dict, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    (out / "report.md").write_text(to_markdown(report), encoding="utf-8")
    plot(report, out / "report.png")


def load_gold(datasets: list[str], questions_from: str | None = None) -> dict[str, list[list[str]]]:
    """Question id -> required facts (answers, or a digest's key facts), read from the datasets a run used."""
    gold: dict[str, list[list[str]]] = {}
    for d in datasets:
        path = Path(d)
        if is_squad(path):
            gold.update({it.id: it.answers for it in load_squad(path, Path(questions_from) if questions_from else None)[1]})
        elif is_digest_gold(path):
            recs = [json.loads(l) for l in path.read_text(encoding="utf-8").splitlines() if l.strip()]
            gold.update({r["id"]: r["key_facts"] for r in recs})
        else:
            gold.update({it.id: it.answers for it in load_jsonl_gold(path)})
    return gold


def rescore_dir(out: Path) -> dict:
    """Rescore the report in ``out`` against the gold of the datasets it records, and rewrite it."""
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    cfg = report["config"]
    rescore(report, load_gold(cfg["datasets"], cfg.get("questions_from")))
    write_report(report, out)
    return report


HIGHER_IS_WORSE = {"seconds_per_question", "false_abstention_rate", "raw_unsupported_rate", "residual_unsupported_rate"}


def compare(old: dict, new: dict, tolerance: float = 0.005) -> list[dict]:
    """Per dataset and metric: old, new, delta, and whether it regressed or improved."""
    out = []
    for name, r in new["results"].items():
        if name not in old["results"]:
            continue
        om, nm = old["results"][name]["metrics"], r["metrics"]
        for k in TABLE_METRICS + ["false_abstention_rate"]:
            a, b = om.get(k), nm.get(k)
            if not isinstance(a, (int, float)) or not isinstance(b, (int, float)) or k == "n":
                continue
            d = b - a
            better = d < 0 if k in HIGHER_IS_WORSE else d > 0
            status = "same" if abs(d) <= tolerance else ("improved" if better else "regressed")
            out.append({"dataset": name, "metric": k, "old": a, "new": b, "delta": round(d, 4), "status": status})
    return out
