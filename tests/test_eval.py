"""The evaluation suite: metric functions (unit) and a smoke run of the CLI on both dataset formats."""

import json
import subprocess
import sys

from conftest import FAST_LLM, ROOT
from rag.evaluate import compare, EvalItem
from rag.scoring import contains_answer, exact_match, normalize, retrieval_metrics, token_f1


def test_normalization_handles_vietnamese_and_number_formats():
    assert normalize("2,6 tỷ USD") == normalize("2.6 tỷ USD") == "2.6 tỷ usd"
    assert normalize("10.000 người") == normalize("10,000 người") == "10000 người"
    assert exact_match("The Eiffel Tower.", ["eiffel tower"]) == 1.0
    assert token_f1("kim ngạch đạt 2,6 tỷ USD [1]", ["2.6 tỷ USD"]) > 0.6
    assert contains_answer("Trade reached 2.6 billion USD [1].", ["2,6 tỷ", "2.6 billion"])
    assert contains_answer("Hai bên hướng tới 10–15% mỗi năm", ["10-15%"])
    assert not contains_answer("Trade reached 26 billion.", ["2.6 billion"])
    assert contains_answer("Chu tich nuoc Thongloun Sisoulith", ["Thongloun Sisoulith"])
    # punctuation right after a number is not part of it ("5/2," is the date 5/2)
    assert contains_answer("Ngày 5/2, Tổng Bí thư kết thúc chuyến thăm.", ["5/2"])
    assert contains_answer("It ended on 5/2. Then [1]", ["5/2"])
    assert not contains_answer("Ngày 15/2, ...", ["5/2"])


def test_rescore_recomputes_answer_metrics_from_rows():
    from rag.evaluate import rescore
    row = {"id": "q", "lang": "vi", "type": "temporal", "question": "?", "answerable": True,
           "answer": "Ngày 5/2, chuyến thăm kết thúc [1].", "abstained": False, "key_fact": 0.0, "correct": 0.0,
           "latency_ms": {"retrieve": 10.0, "total": 900.0}}
    rep = {"results": {"d": {"metrics": {}, "rows": [row]}}}
    rescore(rep, gold={"q": [["5/2"]]})
    assert row["correct"] == 1.0 and rep["results"]["d"]["metrics"]["accuracy"] == 1.0


def test_retrieval_metrics():
    it = EvalItem("q", "?", "en", [["x"]], ["d2"])
    m = retrieval_metrics(["d1", "d2", "d3"], ["", "", ""], it)
    assert m["hit@1"] == 0 and m["hit@3"] == 1 and m["mrr"] == 0.5 and 0 < m["ndcg@10"] < 1


def test_compare_flags_regressions_and_improvements():
    old = {"results": {"s": {"metrics": {"hit@1": 0.8, "accuracy": 0.5, "seconds_per_question": 4.0}}}}
    new = {"results": {"s": {"metrics": {"hit@1": 0.7, "accuracy": 0.6, "seconds_per_question": 3.0}}}}
    st = {r["metric"]: r["status"] for r in compare(old, new)}
    assert st == {"hit@1": "regressed", "accuracy": "improved", "seconds_per_question": "improved"}


def test_eval_cli_smoke_jsonl_and_xquad_crosslingual(seeded_index, tmp_path):
    out = tmp_path / "rep"
    x = ROOT / "evals/data/xquad"
    r = subprocess.run([sys.executable, "-m", "rag.cli", "--index", str(seeded_index), "--llm", FAST_LLM, "eval",
                        str(ROOT / "evals/data/seeds_qa.jsonl"), str(x / "xquad.vi.dev.json"), "--questions-from",
                        str(x / "xquad.en.dev.json"), "--limit", "3", "--out", str(out), "--json"],
                       capture_output=True, text=True, cwd=ROOT, timeout=1200)
    assert r.returncode == 0, r.stderr[-2000:]
    rep = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert set(rep["results"]) == {"seeds_qa", "xquad.vi.dev<-xquad.en.dev"}
    for res in rep["results"].values():
        m = res["metrics"]
        assert m["n"] == 3 and 0 <= m["hit@1"] <= 1 and "accuracy" in m and "lang_match" in m
        assert all(row["lang"] == "en" for row in res["rows"]) or res["dataset"].endswith("seeds_qa.jsonl")
    assert rep["config"]["settings"]["llm"] == FAST_LLM
    assert (out / "report.md").read_text().startswith("# Evaluation report")
    assert (out / "report.png").read_bytes()[:4] == b"\x89PNG"
    cmp = subprocess.run([sys.executable, "-m", "rag.cli", "eval", "compare", str(out), str(out), "--json"],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert cmp.returncode == 0 and all(c["status"] == "same" for c in json.loads(cmp.stdout)["comparison"])
    # rescoring the saved answers against the recorded datasets' gold reproduces the run's own metrics
    before = {n: r["metrics"] for n, r in rep["results"].items()}
    rs = subprocess.run([sys.executable, "-m", "rag.cli", "eval", "rescore", str(out)],
                        capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert rs.returncode == 0, rs.stderr[-2000:]
    after = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert {n: r["metrics"] for n, r in after["results"].items()} == before


def test_digest_recheck_counts_wrong_roles_traps_and_mixed_language_lines():
    """The digest metrics re-check the final text against the cited sentence, independently of the writer."""
    from rag.evaluate_digests import recheck_digest, score_digest

    src = {"n": 1, "doc_id": "a", "date": "2026-02-06",
           "text": "Ngày 5/2, Tổng Bí thư Tô Lâm kết thúc chuyến thăm cấp Nhà nước tới Lào."}
    row = {"gold": [["Tô Lâm", "To Lam"], ["5 February", "5/2"]], "traps": ["President To Lam", "will visit"],
           "digest": {"sections": [
               {"lang": "vi", "bullets": [{"text": "Ngày 5/2, Tổng Bí thư Tô Lâm kết thúc chuyến thăm, họ cũng plan hợp tác [1].",
                                           "citations": [1]}]},
               {"lang": "en", "bullets": [{"text": "President To Lam ended the visit on 5 February [1].", "citations": [1]},
                                          {"text": "The visit cost US$9 billion [1].", "citations": [1]},
                                          {"text": "To Lam will visit Laos on 5 February [1].", "citations": [1]}]}],
               "sources": [src]}}
    score_digest(row)
    recheck_digest(row)
    assert row["key_fact_recall"] == 1.0
    assert row["wrong_roles"] == 2  # the gold's traps: "President To Lam" and the superseded plan
    assert row["mixed_language_lines"] == 1  # "plan" in the Vietnamese line
    assert row["checker_recheck"].get("amount") == 1  # 9 billion, re-checked against the cited sentence
    assert row["checker_recheck"].get("office") == 1  # "President" where the sentence says Tổng Bí thư
    assert row["bullets"] == 4
