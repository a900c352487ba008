"""Draft rows for the claim checker's hand-labelled set: the embedded model's raw English bullet (its first attempt,
before any check or repair) for each sentence of the seed articles, with the bullet prompt the briefing uses.

    python evals/model_bullets.py > /tmp/draft.jsonl     # then label each row: "expected": [] or [kinds]

The labelled rows live in ``evals/data/verify_model_pairs.jsonl`` (``split``: a third frozen by sentence hash)."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

from rag import NewsDesk, prompts  # noqa: E402
from rag.bullets import _first_line, _glossary, english_numbers  # noqa: E402
from rag.chunking import split_sentences  # noqa: E402
from rag.documents import load_path  # noqa: E402
from rag.evidence import as_data  # noqa: E402


def main() -> None:
    desk = NewsDesk(index=ROOT.parent / ".rag/model-bullets")
    for path in sorted((ROOT.parent / "seeds").glob("*.txt")):
        doc = load_path(path)[0][0]
        for i, sp in enumerate(split_sentences(doc.text)):
            s = doc.text[sp.start:sp.end].strip()
            if len(s.split()) < 8:
                continue
            msgs = [{"role": "system", "content": prompts.load("bullet_system", "en")},
                    {"role": "user", "content": prompts.render("bullet_user", "en", sentence=as_data(english_numbers(s)),
                                                               title=f"published {doc.date}", glossary=_glossary(s))}]
            line = _first_line(desk.llm.chat(msgs, max_tokens=90, temperature=0.0).text)
            rid = f"{path.stem}:{i}"
            split = "frozen" if int(hashlib.sha1(rid.encode()).hexdigest(), 16) % 3 == 0 else "tune"
            print(json.dumps({"id": rid, "topic": path.stem, "split": split, "kind": "model", "claim": line,
                              "source": s, "claim_lang": "en", "expected": None}, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
