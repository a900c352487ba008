"""How sure an answer is: calibrated confidence, the three states, and the measures of trust.

Contract:

* :func:`features` turns an answer's ``signals`` (recorded by ``rag.answer``: evidence scores and margin, the
  answer tokens' log-probabilities, what the claim checks dropped or cut, how much of the answer its first cited
  sentence holds, the language pair, the question kind) into one fixed vector; a signal a host does not give
  (log-probabilities from Ollama) takes the training mean, so it neither raises nor lowers confidence.
* :class:`ConfidenceModel` holds two logistic calibrators fitted on evaluation rows (``fit``): ``answer`` —
  the probability that a shown answer contains the right answer — and ``abstain`` — the probability that
  "not in the articles" is right. Its parameters and the answered-thresholds per language pair ship as
  ``rag/data/confidence.json``; ``rag eval --refit-confidence`` fits new ones from a run.
* :func:`decide` maps (abstained, confidence, language pair) to a :class:`State`: *answered* at or above the
  pair's threshold (chosen on the tune rows for a target precision), *uncertain* below it, *not in the articles*
  when no answer survived the checks.
* :func:`ece`, :func:`risk_coverage` and :func:`aurc` measure trust over evaluation rows.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass, field
from enum import Enum
from pathlib import Path

import numpy as np

MODEL_FILE = Path(__file__).with_name("data") / "confidence.json"


class State(str, Enum):
    ANSWERED = "answered"
    UNCERTAIN = "uncertain"
    NOT_IN_ARTICLES = "not_in_articles"


# the answer calibrator's inputs, in order; each is read from ``signals`` by ``_read``
ANSWER_FEATURES = ("best_dense", "best_evidence", "evidence_margin", "cited_score", "cited_is_top", "lp_mean",
                   "lp_min", "cited_overlap", "figures_in_cited", "dropped", "cut", "quoted", "conflict", "cross",
                   "q_count", "q_who", "q_when", "answer_words")
ABSTAIN_FEATURES = ("best_dense", "best_evidence", "evidence_margin", "cross", "no_evidence")
# a briefing bullet's (``rag.bullets.bullet_signals``)
BULLET_FEATURES = ("lp_mean", "lp_min", "similarity", "retried", "cut", "names_unverified", "facts_missing",
                   "sentence_facts", "cross", "length_ratio")

# the question kinds (answers' kind checks in rag.answer use the same two)
COUNT_Q = re.compile(r"(?i)\b(how many|how much|how long|how far|how old|what percent\w*|bao nhiêu|mấy)\b")
WHO_Q = re.compile(r"(?i)^\s*(?:who|whom|whose)\b|\bai\b|\bngười nào\b")
_WHEN_Q = re.compile(r"(?i)\b(when|what year|which year|khi nào|năm nào|bao giờ|lúc nào|ngày nào)\b")


def question_kind(question: str) -> dict[str, float]:
    return {"q_count": float(bool(COUNT_Q.search(question))), "q_who": float(bool(WHO_Q.search(question))),
            "q_when": float(bool(_WHEN_Q.search(question)))}


def language_pair(question_lang: str, evidence_langs: list[str]) -> str:
    """``"vi-vi"``, ``"en-vi"`` (an English question over Vietnamese evidence), …: question, then evidence."""
    langs = [x for x in evidence_langs if x]
    read = max(set(langs), key=langs.count) if langs else question_lang
    return f"{question_lang}-{read}"


def _read(signals: dict, name: str) -> float | None:
    v = signals.get(name)
    if v is None:
        return None
    if isinstance(v, bool):
        return float(v)
    x = float(v)
    if name == "answer_words":
        return math.log1p(x)
    return x


@dataclass
class Calibrator:
    """Logistic regression over standardized features: p = σ(b + Σ wᵢ (xᵢ − μᵢ) / sᵢ)."""

    features: tuple[str, ...]
    mean: list[float]
    scale: list[float]
    coef: list[float]
    bias: float

    def vector(self, signals: dict) -> np.ndarray:
        x = [_read(signals, f) for f in self.features]
        return np.array([m if v is None else v for v, m in zip(x, self.mean)], dtype=float)

    def predict(self, signals: dict) -> float:
        z = self.bias + float(((self.vector(signals) - self.mean) / self.scale) @ np.asarray(self.coef))
        return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))

    @classmethod
    def fit(cls, features: tuple[str, ...], rows: list[dict], labels: list[float], l2: float = 1.0) -> "Calibrator":
        """Maximum a-posteriori logistic regression (Newton's method, an L2 prior of weight ``l2`` on the weights,
        none on the bias). Missing signals take the mean of the rows that have them."""
        raw = [[_read(r, f) for f in features] for r in rows]
        mean = [float(np.mean([x[j] for x in raw if x[j] is not None] or [0.0])) for j in range(len(features))]
        X = np.array([[m if v is None else v for v, m in zip(x, mean)] for x in raw], dtype=float)
        scale = X.std(axis=0)
        scale[scale < 1e-9] = 1.0
        Z = np.hstack([np.ones((len(X), 1)), (X - mean) / scale])
        y = np.asarray(labels, dtype=float)
        w = np.zeros(Z.shape[1])
        reg = np.eye(Z.shape[1]) * l2
        reg[0, 0] = 0.0
        for _ in range(50):
            p = 1.0 / (1.0 + np.exp(-np.clip(Z @ w, -40, 40)))
            grad = Z.T @ (p - y) + reg @ w
            hess = (Z * (p * (1 - p))[:, None]).T @ Z + reg + np.eye(len(w)) * 1e-9
            step = np.linalg.solve(hess, grad)
            w -= step
            if np.abs(step).max() < 1e-8:
                break
        return cls(tuple(features), mean, [float(s) for s in scale], [float(c) for c in w[1:]], float(w[0]))


@dataclass
class ConfidenceModel:
    answer: Calibrator
    abstain: Calibrator
    thresholds: dict[str, float]  # language pair -> lowest confidence shown as answered ("*" for any other pair)
    targets: dict[str, float] = field(default_factory=dict)  # the precision each threshold was chosen for
    fitted_on: dict = field(default_factory=dict)  # which rows, how many
    bullet: Calibrator | None = None  # P(a briefing bullet states only what its sentence says); threshold "bullet"

    def confidence(self, signals: dict, abstained: bool) -> float:
        return (self.abstain if abstained else self.answer).predict(signals)

    def bullet_confidence(self, signals: dict) -> float | None:
        """None when no bullet calibrator is fitted (then every checked bullet is shown as a fact)."""
        return self.bullet.predict(signals) if self.bullet is not None and signals else None

    def bullet_threshold(self) -> float:
        return self.thresholds.get("bullet", 0.0)

    def threshold(self, pair: str) -> float:
        return self.thresholds.get(pair, self.thresholds.get("*", 0.5))

    def to_dict(self) -> dict:
        d = {"answer": asdict(self.answer), "abstain": asdict(self.abstain), "thresholds": self.thresholds,
             "targets": self.targets, "fitted_on": self.fitted_on}
        if self.bullet is not None:
            d["bullet"] = asdict(self.bullet)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "ConfidenceModel":
        def cal(x):
            return Calibrator(tuple(x["features"]), x["mean"], x["scale"], x["coef"], x["bias"])
        return cls(cal(d["answer"]), cal(d["abstain"]), dict(d["thresholds"]), dict(d.get("targets", {})),
                   dict(d.get("fitted_on", {})), cal(d["bullet"]) if d.get("bullet") else None)

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_dict(), indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> "ConfidenceModel":
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))


_MODEL: ConfidenceModel | None = None


def default_model() -> ConfidenceModel:
    global _MODEL
    if _MODEL is None:
        _MODEL = ConfidenceModel.load()
    return _MODEL


def decide(abstained: bool, confidence: float, threshold: float) -> State:
    if abstained:
        return State.NOT_IN_ARTICLES
    return State.ANSWERED if confidence >= threshold else State.UNCERTAIN


# ------------------------------------------------------------------------------------------------
# fitting and measuring, over evaluation rows (``rag.evaluate.run_items``)


def shown_right(row: dict) -> float:
    """Whether what the row shows is right: an answer containing the gold answer, or "not in the articles" for a
    question the articles cannot answer."""
    if row["abstained"]:
        return float(not row["answerable"])
    return float(bool(row["answerable"] and row.get("correct")))


def row_signals(row: dict) -> dict:
    return dict(row.get("signals") or {})


def row_pair(row: dict) -> str:
    return (row.get("signals") or {}).get("pair") or f"{row.get('lang', '?')}-?"


def choose_threshold(conf: list[float], right: list[float], target: float, min_answered: int = 5) -> float:
    """The lowest threshold whose answered rows (confidence ≥ it) reach ``target`` precision — the widest coverage
    at that precision; 1.0 (nothing answered) when none does."""
    order = sorted(zip(conf, right), key=lambda t: -t[0])
    best, hits = 1.0, 0.0
    for i, (c, r) in enumerate(order, 1):
        hits += r
        if i >= min_answered and hits / i >= target and (i == len(order) or order[i][0] < c):
            best = c
    return best


def fit(rows: list[dict], targets: dict[str, float], l2: float = 1.0, source: str = "") -> ConfidenceModel:
    """Fit both calibrators on ``rows`` and choose each pair's threshold for its target precision (``"*"``: the
    target for other pairs)."""
    ans = [r for r in rows if not r["abstained"]]
    abst = [r for r in rows if r["abstained"]]
    a = Calibrator.fit(ANSWER_FEATURES, [row_signals(r) for r in ans], [shown_right(r) for r in ans], l2)
    if len({shown_right(r) for r in abst}) == 2:
        b = Calibrator.fit(ABSTAIN_FEATURES, [row_signals(r) for r in abst], [shown_right(r) for r in abst], l2)
    else:  # every refusal right (or every one wrong): a constant
        p = min(0.99, max(0.01, float(np.mean([shown_right(r) for r in abst]) if abst else 0.5)))
        b = Calibrator(ABSTAIN_FEATURES, [0.0] * len(ABSTAIN_FEATURES), [1.0] * len(ABSTAIN_FEATURES),
                       [0.0] * len(ABSTAIN_FEATURES), math.log(p / (1 - p)))
    thresholds = {}
    for pair, target in targets.items():
        sel = [r for r in ans if pair == "*" or row_pair(r) == pair]
        if sel:
            thresholds[pair] = round(choose_threshold([a.predict(row_signals(r)) for r in sel],
                                                      [shown_right(r) for r in sel], target), 4)
    pairs: dict[str, int] = {}
    for r in rows:
        pairs[row_pair(r)] = pairs.get(row_pair(r), 0) + 1
    return ConfidenceModel(a, b, thresholds, dict(targets),
                           {"rows": len(rows), "answers": len(ans), "abstentions": len(abst), "pairs": pairs,
                            "source": source, "l2": l2})


def apply(model: ConfidenceModel, rows: list[dict]) -> list[dict]:
    """Give each evaluation row the ``confidence`` and ``state`` ``model`` assigns it (from its recorded
    ``signals``): how a new calibrator would have presented the same answers."""
    for r in rows:
        if "abstained" not in r:
            continue
        r["confidence"] = round(model.confidence(row_signals(r), r["abstained"]), 4)
        r["state"] = decide(r["abstained"], r["confidence"], model.threshold(row_pair(r))).value
    return rows


def ece(conf: list[float], right: list[float], bins: int = 10) -> float | None:
    """Expected calibration error: Σ over equal-width confidence bins of |accuracy − mean confidence|, weighted
    by the bin's share of rows."""
    if not conf:
        return None
    c, r = np.asarray(conf, dtype=float), np.asarray(right, dtype=float)
    idx = np.minimum((c * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        m = idx == b
        if m.any():
            total += m.sum() / len(c) * abs(r[m].mean() - c[m].mean())
    return round(float(total), 4)


def reliability(conf: list[float], right: list[float], bins: int = 10) -> list[dict]:
    c, r = np.asarray(conf, dtype=float), np.asarray(right, dtype=float)
    idx = np.minimum((c * bins).astype(int), bins - 1)
    return [{"bin": b, "n": int((idx == b).sum()), "confidence": round(float(c[idx == b].mean()), 4),
             "accuracy": round(float(r[idx == b].mean()), 4)} for b in range(bins) if (idx == b).any()]


def risk_coverage(conf: list[float], right: list[float], total: int | None = None) -> list[tuple[float, float]]:
    """(coverage, risk) answering the most confident first: coverage = answered / ``total`` (all questions),
    risk = share of the answered that are wrong."""
    order = sorted(zip(conf, right), key=lambda t: -t[0])
    n = total or len(order)
    out, hits = [], 0.0
    for i, (_, r) in enumerate(order, 1):
        hits += r
        out.append((i / n, 1 - hits / i))
    return out


def aurc(conf: list[float], right: list[float]) -> float | None:
    """Area under the risk–coverage curve over the answered rows (mean risk over coverage levels); lower is
    better."""
    curve = risk_coverage(conf, right)
    return round(float(np.mean([r for _, r in curve])), 4) if curve else None


def trust_metrics(rows: list[dict]) -> dict:
    """Precision and coverage per state, AURC and calibration error, for rows that carry ``state`` and
    ``confidence`` (answerable and unanswerable questions together; coverage = share of all rows)."""
    rows = [r for r in rows if "state" in r]
    if not rows:
        return {}
    n = len(rows)
    out: dict = {"n": n}
    for st in State:
        sel = [r for r in rows if r["state"] == st.value]
        out[st.value] = {"coverage": round(len(sel) / n, 4),
                         "precision": round(float(np.mean([shown_right(r) for r in sel])), 4) if sel else None}
    answered = [r for r in rows if r["state"] == State.ANSWERED.value]
    out["unanswerable_answered"] = (round(sum(1 for r in answered if not r["answerable"])
                                          / max(1, sum(1 for r in rows if not r["answerable"])), 4)
                                    if any(not r["answerable"] for r in rows) else None)
    shown = [r for r in rows if not r["abstained"]]
    out["aurc"] = aurc([r["confidence"] for r in shown], [shown_right(r) for r in shown])
    out["ece_answers"] = ece([r["confidence"] for r in shown], [shown_right(r) for r in shown])
    out["ece_all"] = ece([r["confidence"] for r in rows], [shown_right(r) for r in rows])
    quoted = [r for r in rows if r["answerable"] and r.get("quote_has_answer") is not None]
    out["first_quote_has_answer"] = (round(float(np.mean([r["quote_has_answer"] for r in quoted])), 4)
                                     if quoted else None)
    return out
