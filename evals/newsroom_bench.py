"""Syndicated copies and stories against known labels (issue 26).

    python evals/build_newsroom_fixture.py
    python evals/newsroom_bench.py [--corpus evals/data/newsroom_corpus.jsonl] [--sweep] [--out evals/reports/newsroom]

Ingests the corpus into a fresh index through ``NewsDesk`` (copies and stories are grouped at ingest, with the
shipped constants) and scores, per split (tune / frozen — tune thresholds on "tune" only):

* copies: pairwise precision / recall / F1 over article pairs (same copy group or not), and how many pairs of
  *distinct reports* were merged;
* stories: B-cubed precision / recall / F1 (every article, copies included through their canonical article).

``--sweep`` also re-groups the stored signatures and stories over a grid of thresholds (tune split chooses).
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def pairwise(pred: dict[str, str], gold: dict[str, str], ids: list[str]) -> dict:
    tp = fp = fn = 0
    for a, b in itertools.combinations(ids, 2):
        p, g = pred[a] == pred[b], gold[a] == gold[b]
        tp += p and g
        fp += p and not g
        fn += g and not p
    prec = tp / (tp + fp) if tp + fp else 1.0
    rec = tp / (tp + fn) if tp + fn else 1.0
    return {"precision": round(prec, 4), "recall": round(rec, 4),
            "f1": round(2 * prec * rec / (prec + rec), 4) if prec + rec else 0.0, "merged_distinct_pairs": fp}


def bcubed(pred: dict[str, str], gold: dict[str, str], ids: list[str]) -> dict:
    ps, rs = [], []
    for i in ids:
        same_p = [j for j in ids if pred[j] == pred[i]]
        same_g = [j for j in ids if gold[j] == gold[i]]
        both = sum(1 for j in same_p if gold[j] == gold[i])
        ps.append(both / len(same_p))
        rs.append(both / len(same_g))
    p, r = sum(ps) / len(ps), sum(rs) / len(rs)
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0}


def copy_groups(copy_of: dict[str, str | None], ids: list[str]) -> dict[str, str]:
    return {i: copy_of.get(i) or i for i in ids}


def score(desk, rows: list[dict]) -> dict:
    from rag.copies import CopyIndex
    from rag.stories import StoryIndex

    copy_of = CopyIndex(desk.store).copy_of()
    story_of = StoryIndex(desk.store).labels()
    out = {}
    for split in ("tune", "frozen", "all"):
        sel = [r for r in rows if split == "all" or r["split"] == split]
        ids = [r["id"] for r in sel]
        gold_c = {r["id"]: r["copy_group"] for r in sel}
        gold_s = {r["id"]: r["story"] for r in sel}
        out[split] = {"articles": len(ids), "copies": pairwise(copy_groups(copy_of, ids), gold_c, ids),
                      "stories": bcubed({i: story_of.get(i, i) for i in ids}, gold_s, ids)}
    return out


def sweep(desk, rows: list[dict]) -> dict:
    """Thresholds over a grid, scored on each split (choose on tune)."""
    import numpy as np

    import rag.copies as C
    from rag.stories import StoryIndex

    db = desk.store.db
    sigs = {d: (np.frombuffer(h, dtype=np.uint64), n) for d, h, n in db.execute(
        "SELECT doc_id, minhash, n_shingles FROM doc_sigs")}
    dates = dict(db.execute("SELECT doc_id, date FROM docs"))
    ids_all = [r["id"] for r in rows if r["id"] in sigs]
    res = {"copies": [], "stories": []}
    for contained in (0.5, 0.6, 0.7, 0.75, 0.8, 0.9):
        old = C.CONTAINED
        C.CONTAINED = contained
        parent = {i: i for i in ids_all}

        def find(x):
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for a, b in itertools.combinations(ids_all, 2):
            (ha, na), (hb, nb) = sigs[a], sigs[b]
            if C.jaccard(ha, hb) < 0.2:
                continue
            if C.judge(ha, na, hb, nb, dates.get(a), dates.get(b)).copy:
                parent[find(a)] = find(b)
        C.CONTAINED = old
        pred = {i: find(i) for i in ids_all}
        row = {"contained": contained}
        for split in ("tune", "frozen"):
            ids = [r["id"] for r in rows if r["split"] == split and r["id"] in sigs]
            row[split] = pairwise(pred, {r["id"]: r["copy_group"] for r in rows}, ids)
        res["copies"].append(row)
    for linkage, threshold, weight in itertools.product(("single", "average"), (0.3, 0.4, 0.45, 0.5, 0.55),
                                                          (0.0, 0.5, 1.0)):
        with desk.store._tx():
            db.execute("DELETE FROM story_docs")
        si = StoryIndex(desk.store, threshold=threshold, name_weight=weight, linkage=linkage)
        si.update()
        labels = si.labels()
        row = {"linkage": linkage, "threshold": threshold, "name_weight": weight}
        for split in ("tune", "frozen"):
            ids = [r["id"] for r in rows if r["split"] == split]
            row[split] = bcubed({i: labels.get(i, i) for i in ids}, {r["id"]: r["story"] for r in rows}, ids)
        res["stories"].append(row)
    with desk.store._tx():
        db.execute("DELETE FROM story_docs")
    StoryIndex(desk.store).update()
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=ROOT / "evals/data/newsroom_corpus.jsonl")
    ap.add_argument("--out", type=Path, default=ROOT / "evals/reports/newsroom")
    ap.add_argument("--sweep", action="store_true")
    ap.add_argument("--index", type=Path, help="build the corpus index here and keep it (reused when it exists)")
    a = ap.parse_args()
    from rag import NewsDesk

    rows = [json.loads(x) for x in a.corpus.read_text(encoding="utf-8").splitlines() if x.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        desk = NewsDesk(index=a.index or Path(tmp) / "index", llm="llamacpp:qwen2.5-0.5b")
        t0 = time.perf_counter()
        rep = desk.ingest([a.corpus])
        took = time.perf_counter() - t0
        if rep.errors:
            sys.exit(f"ingest failed: {rep.errors[:3]}")
        t1 = time.perf_counter()
        again = desk.ingest([a.corpus])
        result = {"corpus": str(a.corpus.relative_to(ROOT)) if a.corpus.is_relative_to(ROOT) else str(a.corpus),
                  "ingest_seconds": round(took, 1), "second_ingest_unchanged": again.docs_unchanged,
                  "second_ingest_seconds": round(time.perf_counter() - t1, 1), "scores": score(desk, rows)}
        if a.sweep:
            result["sweep"] = sweep(desk, rows)
        desk.store.close()
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / "report.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    lines = ["# Syndicated copies and stories", "", f"`python evals/newsroom_bench.py{' --sweep' if a.sweep else ''}` "
             f"on `{result['corpus']}` ({len(rows)} articles; built by `evals/build_newsroom_fixture.py`).", "",
             "| split | articles | copies P | copies R | copies pairwise F1 | distinct pairs merged | stories B³ P | "
             "stories B³ R | stories B³ F1 |", "|---|---|---|---|---|---|---|---|---|"]
    for split, s in result["scores"].items():
        c, st = s["copies"], s["stories"]
        lines.append(f"| {split} | {s['articles']} | {c['precision']} | {c['recall']} | {c['f1']} | "
                     f"{c['merged_distinct_pairs']} | {st['precision']} | {st['recall']} | {st['f1']} |")
    if a.sweep:
        lines += ["", "## Sweep (choose on tune)", "", "| copies: containment | tune F1 | frozen F1 |", "|---|---|---|"]
        lines += [f"| {r['contained']} | {r['tune']['f1']} | {r['frozen']['f1']} |" for r in result["sweep"]["copies"]]
        lines += ["", "| stories: linkage | threshold | name weight | tune B³ F1 | frozen B³ F1 |",
                  "|---|---|---|---|---|"]
        lines += [f"| {r['linkage']} | {r['threshold']} | {r['name_weight']} | {r['tune']['f1']} | {r['frozen']['f1']} |"
                  for r in result["sweep"]["stories"]]
    (a.out / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
