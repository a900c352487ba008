"""Confidence: the calibrator's maths, the three states through the real desk (real Chroma, real embeddings, a
scripted model), and the CLI's contract. Fast tier: no model weights."""

import json
import math

import numpy as np
import pytest
from click.testing import CliRunner

from conftest import FAKE_REPLIES
from rag.confidence import (ANSWER_FEATURES, ABSTAIN_FEATURES, Calibrator, ConfidenceModel, State, aurc,
                            choose_threshold, decide, ece, fit, language_pair, question_kind, risk_coverage,
                            trust_metrics)

VI_Q = "Kim ngạch thương mại hai chiều Việt Nam – Lào năm 2025 đạt bao nhiêu?"


def test_logistic_fit_recovers_a_known_relation():
    rng = np.random.default_rng(0)
    x = rng.normal(size=4000)
    p = 1 / (1 + np.exp(-(0.5 + 2.0 * x)))
    y = (rng.random(4000) < p).astype(float)
    cal = Calibrator.fit(("lp_mean",), [{"lp_mean": v} for v in x], list(y), l2=0.01)
    for v in (-1.0, 0.0, 1.5):
        assert abs(cal.predict({"lp_mean": v}) - 1 / (1 + math.exp(-(0.5 + 2.0 * v)))) < 0.04
    # a missing signal takes the training mean: neither raises nor lowers the confidence
    assert abs(cal.predict({}) - cal.predict({"lp_mean": float(np.mean(x))})) < 1e-9


def test_threshold_is_the_widest_coverage_at_the_target_precision():
    conf = [0.95, 0.9, 0.85, 0.8, 0.7, 0.6, 0.5, 0.4]
    right = [1, 1, 1, 1, 0, 1, 0, 0]
    assert choose_threshold(conf, right, 1.0, min_answered=1) == 0.8
    assert choose_threshold(conf, right, 0.8, min_answered=1) == 0.6  # 5 of 6 ≥ 0.6 right
    assert choose_threshold(conf, right, 0.99, min_answered=5) == 1.0  # never reached with 5 answered
    assert decide(False, 0.81, 0.8) is State.ANSWERED
    assert decide(False, 0.79, 0.8) is State.UNCERTAIN
    assert decide(True, 0.99, 0.8) is State.NOT_IN_ARTICLES


def test_calibration_error_and_risk_coverage():
    # confidences that match the hit rates exactly: no calibration error
    conf = [0.25] * 4 + [0.75] * 4
    right = [1, 0, 0, 0, 1, 1, 1, 0]
    assert ece(conf, right) == 0.0
    # always 0.9 sure, right half the time: 0.4
    assert ece([0.9] * 10, [1, 0] * 5) == pytest.approx(0.4)
    good = aurc([0.9, 0.8, 0.3, 0.2], [1, 1, 0, 0])
    bad = aurc([0.2, 0.3, 0.8, 0.9], [1, 1, 0, 0])
    assert good < bad
    assert risk_coverage([0.9, 0.1], [1, 0], total=4) == [(0.25, 0.0), (0.5, 0.5)]


def test_question_kind_and_language_pair():
    assert question_kind("How many people live there?")["q_count"] == 1.0
    assert question_kind("Ai là đại sứ Lào?")["q_who"] == 1.0
    assert question_kind("Năm nào chuyến thăm diễn ra?")["q_when"] == 1.0
    assert language_pair("en", ["vi", "vi", "en"]) == "en-vi"


def test_shipped_model_loads_and_covers_both_language_pairs():
    from rag.confidence import MODEL_FILE

    m = ConfidenceModel.load(MODEL_FILE)
    assert m.answer.features == ANSWER_FEATURES and m.abstain.features == ABSTAIN_FEATURES
    assert len(m.answer.coef) == len(ANSWER_FEATURES) and len(m.abstain.coef) == len(ABSTAIN_FEATURES)
    assert {"vi-vi", "en-vi"} <= set(m.thresholds) and all(0 <= t <= 1 for t in m.thresholds.values())
    assert m.fitted_on.get("rows", 0) > 100  # fitted on evaluation rows, not a placeholder


def test_fit_and_trust_metrics_on_rows():
    rows = []
    rng = np.random.default_rng(1)
    for i in range(300):
        good = i % 3 != 0
        sig = {"lp_mean": rng.normal(-0.1 if good else -0.6, 0.15), "best_evidence": 0.9, "pair": "vi-vi"}
        rows.append({"abstained": False, "answerable": True, "correct": float(good), "signals": sig})
    for i in range(40):
        rows.append({"abstained": True, "answerable": i % 2 == 1, "signals": {"best_dense": 0.7 + (i % 2) * 0.1,
                                                                               "pair": "vi-vi"}})
    m = fit(rows, {"vi-vi": 0.95})
    for r in rows:
        r["confidence"] = m.confidence(r["signals"], r["abstained"])
        r["state"] = ("not_in_articles" if r["abstained"] else
                      decide(False, r["confidence"], m.threshold("vi-vi")).value)
    t = trust_metrics(rows)
    assert t["answered"]["precision"] >= 0.9 and t["answered"]["coverage"] > 0.3
    assert t["uncertain"]["precision"] < 0.7
    assert t["ece_answers"] < 0.1
    # the refusal calibrator learnt that a weaker retrieval makes "not in the articles" more likely right
    assert m.abstain.predict({"best_dense": 0.7}) > m.abstain.predict({"best_dense": 0.8})


# ---- the three states through the desk: real index, real embeddings, a scripted model


def _desk(index, reply, **settings):
    from rag import NewsDesk

    FAKE_REPLIES[reply[0]] = [reply[1]]
    return NewsDesk(index=index, llm=f"fake:{reply[0]}", **settings)


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_sure_answer_is_answered_and_rests_on_one_sentence(seeded_index):
    desk = _desk(seeded_index, ("trade", "Kim ngạch thương mại hai chiều năm 2025 đạt 2,6 tỷ USD [1]."),
                 answered_threshold=0.0)
    ans = desk.ask(VI_Q)
    assert ans.state is State.ANSWERED and 0 < ans.confidence < 1 and not ans.abstained
    first = ans.quote.passage
    assert "2,6 tỷ" in first.text and first.text.count(". ") <= 1  # one sentence, not the whole block
    doc = desk.store.get_document(first.doc_id)
    assert doc.text[first.start:first.end] == first.text  # exact offsets into the article
    assert ans.display == ans.answer
    d = ans.to_dict()
    assert d["state"] == "answered" and d["citations"][0]["text"] == first.text


def test_unsure_answer_is_marked_and_quotes_its_sentence(seeded_index):
    desk = _desk(seeded_index, ("trade2", "Kim ngạch thương mại hai chiều năm 2025 đạt 2,6 tỷ USD [1]."),
                 answered_threshold=1.01)
    ans = desk.ask(VI_Q)
    assert ans.state is State.UNCERTAIN and not ans.abstained
    assert ans.display.startswith("Chưa chắc chắn") and ans.answer in ans.display
    assert _flat(ans.quote.passage.text) in ans.display and f"[{ans.quote.n}]" in ans.display


@pytest.mark.parametrize("question", [VI_Q, "Who won the 2030 Eurovision Song Contest?"])
def test_not_in_the_articles_shows_the_closest_sentence(seeded_index, question):
    desk = _desk(seeded_index, ("nothing", "NOT_FOUND"), quote_fallback=False)
    ans = desk.ask(question)
    assert ans.state is State.NOT_IN_ARTICLES and ans.abstained
    assert ans.citations, "never a bare refusal"
    assert _flat(ans.quote.passage.text) in ans.display and ans.display.startswith(ans.answer)
    assert 0 <= ans.confidence <= 1


def test_cli_ask_shows_the_state_and_json_carries_it(seeded_index):
    from rag.cli import cli

    FAKE_REPLIES["cli"] = ["Kim ngạch thương mại hai chiều năm 2025 đạt 2,6 tỷ USD [1]."]
    base = ["--index", str(seeded_index), "--llm", "fake:cli"]
    res = CliRunner().invoke(cli, base + ["ask", VI_Q, "--json"], env={"RAG_ANSWERED_THRESHOLD": "1.01"})
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["state"] == "uncertain" and 0 <= out["confidence"] <= 1 and out["citations"]
    assert out["display"].startswith("Chưa chắc chắn")
    res = CliRunner().invoke(cli, base + ["ask", VI_Q], env={"RAG_ANSWERED_THRESHOLD": "0"})
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith("[answered · confidence ") and "draft" not in res.stdout


@pytest.mark.parametrize("rendering, shown", [
    ("Assessing the prospects for economic cooperation, Ambassador Khamphao Ernthavanh said that two-way trade "
     "between Vietnam and Laos reached 2.6 billion USD in 2025, reflecting positive growth in recent years.", True),
    ("Ambassador Khamphao Ernthavanh said that two-way trade between Vietnam and Laos reached 9.9 billion USD "
     "in 2025.", False),
])
def test_an_english_question_gets_a_checked_rendering_of_the_vietnamese_quote(seeded_index, rendering, shown):
    desk = _desk(seeded_index, (f"render-{shown}", "NOT_FOUND"), quote_fallback=False, translate_questions=True)
    # first call: the question rendered in the articles' language, searched with the original
    desk.llm.replies = ["Kim ngạch thương mại hai chiều giữa Việt Nam và Lào năm 2025 là bao nhiêu?", "NOT_FOUND",
                        rendering]
    ans = desk.ask("What was the two-way trade between Vietnam and Laos in 2025?")
    assert "translate_question" in ans.timings_ms
    assert ans.state is State.NOT_IN_ARTICLES and "2,6 tỷ USD" in ans.quote.passage.text
    assert (rendering in ans.display) is shown
    assert shown or any("rendering" in f and "9.9 billion" in f for f in ans.flags)
    # the same sentence quoted again is not rendered again: the kept rendering is checked and shown as before
    calls = len(desk.llm.calls)
    desk.llm.replies += desk.llm.replies[:2] + ["(a second rendering: must not be asked for)"]
    again = desk.ask("What was the two-way trade between Vietnam and Laos in 2025?")
    assert len(desk.llm.calls) == calls + 2 and again.quote.passage.text == ans.quote.passage.text
    assert (rendering in again.display) is shown


def test_question_translation_is_off_by_default(seeded_index):
    desk = _desk(seeded_index, ("plain", "NOT_FOUND"), quote_fallback=False, translate_quotes=False)
    ans = desk.ask("What was the two-way trade between Vietnam and Laos in 2025?")
    assert "translate_question" not in ans.timings_ms and ans.state is State.NOT_IN_ARTICLES


def test_rag_eval_refit_writes_a_calibrator_the_desk_can_use(tmp_path, seeded_index):
    from rag.cli import cli

    rng = np.random.default_rng(2)
    rows = []
    for i in range(200):
        good = i % 2 == 0
        rows.append({"id": str(i), "abstained": False, "answerable": True, "correct": float(good),
                     "signals": {"lp_mean": float(rng.normal(-0.1 if good else -0.5, 0.1)), "pair": "vi-vi"}})
    rows += [{"id": f"u{i}", "abstained": True, "answerable": bool(i % 2), "signals": {"best_dense": 0.8}}
             for i in range(20)]
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "report.json").write_text(json.dumps({"results": {"x": {"rows": rows}}}), encoding="utf-8")
    res = CliRunner().invoke(cli, ["eval", "refit", str(tmp_path / "run"), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["trust_in_sample"]["answered"]["precision"] >= 0.9
    model = tmp_path / "run" / "confidence.json"
    assert 0 < ConfidenceModel.load(model).thresholds["vi-vi"] < 1
    FAKE_REPLIES["refit"] = ["Kim ngạch thương mại hai chiều năm 2025 đạt 2,6 tỷ USD [1]."]
    from rag import NewsDesk

    desk = NewsDesk(index=seeded_index, llm="fake:refit", confidence_model=str(model))
    assert desk.confidence.fitted_on["source"] == "rag eval refit"
    assert CliRunner().invoke(cli, ["eval", "refit"]).exit_code == 2
