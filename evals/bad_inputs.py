"""Bad input, file by file: what each kind of hostile or broken file gets, and proof that nothing stored is lost.

The corpus is ``tests/data/bad/`` (small files, committed) plus what cannot be committed, made here: a file over
the size limit, a multi-megabyte single line, a FIFO named ``.txt``, a folder named ``.txt``, a symlink loop, a
dangling symlink, a symlink to an article elsewhere and a hidden folder. It is ingested in one ``rag ingest`` run
into an index that already holds the two seed articles, with the limits lowered so that the run stays short
(``RAG_MAX_FILE_MB=3``, ``RAG_MAX_DOC_CHARS=20000``; the defaults are 50 MB and 1,000,000 characters).

    python evals/bad_inputs.py --out evals/reports/reliability

writes ``bad_inputs.json`` and ``bad_inputs.md`` (the table) and exits 1 if any file did not get what
``EXPECT`` says. ``tests/test_reliability.py`` runs it in CI.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BAD = ROOT / "tests" / "data" / "bad"
LIMITS = {"RAG_MAX_FILE_MB": "3", "RAG_MAX_DOC_CHARS": "20000"}

# file -> (what it is, expected outcome). Outcomes: ("error", text) the file is refused with a message holding
# text; ("ingested", n) n documents, no error; ("cut", text) one document and a warning holding text;
# ("skipped", text) reported as not an article; ("partial", n, [texts]) n documents and one error per text;
# ("ignored",) not looked at (inside a hidden folder).
EXPECT: dict[str, tuple[str, tuple]] = {
    "empty.txt": ("empty file (0 bytes)", ("error", "empty file")),
    "whitespace.txt": ("only whitespace", ("error", "empty file")),
    "binary.txt": ("binary (PNG bytes) named .txt", ("error", "binary file")),
    "latin1.txt": ("Latin-1, not UTF-8", ("error", "invalid UTF-8 at byte")),
    "utf16.txt": ("UTF-16 LE with a byte-order mark", ("ingested", 1)),
    "utf16be.txt": ("UTF-16 BE with a byte-order mark", ("ingested", 1)),
    "bom-utf8.txt": ("UTF-8 with a BOM before the date header", ("ingested", 1)),
    "crlf-nbsp.txt": ("CRLF line ends, non-breaking spaces, blank-line runs", ("ingested", 1)),
    "control-chars.txt": ("terminal escape and bell characters", ("ingested", 1)),
    "impossible-date.txt": ("date header 2026-02-30", ("error", "not an ISO date")),
    "date-header-only.txt": ("a date header and no text", ("error", "no text after the date header")),
    "front-matter-only.md": ("Markdown front matter and no body", ("error", "no text after the front matter")),
    "front-matter-bad-date.md": ("front matter with date 2026-13-45", ("error", "not an ISO date")),
    "script-only.html": ("HTML with only scripts and styles", ("error", "no text in HTML")),
    "broken-markup.html": ("HTML with unclosed tags", ("ingested", 1)),
    "not-json.json": ("truncated JSON", ("error", "malformed JSON at line 1")),
    "top-level-string.json": ("JSON that is a bare string", ("error", "record is a str")),
    "empty-list.json": ("JSON empty list", ("error", "no records")),
    "no-text.json": ("JSON record without 'text'", ("error", "field 'text' is missing")),
    "text-not-string.json": ("JSON 'text' is a number", ("error", "field 'text' is missing or empty")),
    "id-object.json": ("JSON 'id' is an object", ("error", "field 'id' must be a string or a number")),
    "id-empty.json": ("JSON 'id' is blank", ("error", "field 'id' is empty")),
    "bad-date-record.json": ("JSON record dated 2026-13-45", ("error", "not an ISO date")),
    "deep.json": ("JSON nested 10,000 deep", ("error", "nested too deeply")),
    "mixed.jsonl": ("JSONL: good lines, a broken line, a list, no text, a repeated id",
                    ("partial", 2, ["malformed JSON line", "record is a list", "field 'text' is missing",
                                    "duplicate document id 'ok-1'"])),
    "blank-lines.jsonl": ("JSONL of blank lines", ("error", "empty file")),
    "dup-a.json": ("id 'same-id' (first file)", ("ingested", 1)),
    "dup-b.json": ("id 'same-id' again, another file", ("error", "duplicate document id 'same-id'")),
    "report.pdf": ("PDF (unsupported)", ("skipped", "not an article format")),
    "notes.docx": ("Word file (unsupported)", ("skipped", "not an article format")),
    "no-extension": ("article text without an extension", ("skipped", "no extension")),
    "tên bài (1); rm -rf ~ $(x).txt": ("name with diacritics, spaces, ; $( ) ~", ("ingested", 1)),
    "-starts-with-dash.txt": ("name that looks like an option", ("ingested", 1)),
    "x" * 200 + ".txt": ("204-character name", ("ingested", 1)),
    ".hidden.txt": ("hidden file", ("skipped", "hidden file")),
    "good.txt": ("a good article beside them", ("ingested", 1)),
    # made at run time
    "huge.txt": ("4 MB file, over the 3 MB limit", ("error", "file too large")),
    "one-line.txt": ("2.5 MB article on a single line", ("cut", "kept the first")),
    "fifo.txt": ("a FIFO named .txt", ("skipped", "not a regular file")),
    "loop": ("symlink to its own folder (a loop)", ("ignored",)),
    "dangling.txt": ("symlink to nothing", ("skipped", "broken symbolic link")),
    "linked.txt": ("symlink to an article outside the folder", ("ingested", 1)),
    ".git/config.txt": ("inside a hidden folder", ("ignored",)),
    "folder.txt": ("explicit path: a folder named .txt (empty)", ("skipped", "no article files")),
    "missing.txt": ("explicit path that does not exist", ("error", "path does not exist")),
}


def build(dst: Path) -> list[Path]:
    """The corpus folder, plus explicit paths given beside it on the command line."""
    shutil.copytree(BAD, dst / "bad", symlinks=True)
    bad = dst / "bad"
    sentence = "Giá lúa ở Cần Thơ tăng 5% trong tháng 3/2026, theo Sở Nông nghiệp. "
    (bad / "huge.txt").write_text(sentence * (4 * 1024 * 1024 // len(sentence.encode())), encoding="utf-8")
    (bad / "one-line.txt").write_text(sentence * (int(2.5 * 1024 * 1024) // len(sentence.encode())),
                                      encoding="utf-8")
    os.mkfifo(bad / "fifo.txt")
    (bad / "loop").symlink_to(".")
    (bad / "dangling.txt").symlink_to(dst / "nowhere.txt")
    (dst / "elsewhere.txt").write_text("Đà Nẵng đón 1,2 triệu khách trong tháng 6/2026.", encoding="utf-8")
    (bad / "linked.txt").symlink_to(dst / "elsewhere.txt")
    (bad / ".git").mkdir()
    (bad / ".git" / "config.txt").write_text("[core]\nbare = false\n", encoding="utf-8")
    (dst / "folder.txt").mkdir()
    return [bad, dst / "folder.txt", dst / "missing.txt"]


def _env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env.update({"HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False", "PYTHONPATH": str(ROOT), **LIMITS})
    return env


def rag(index: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rag.cli", "--index", str(index), *args], capture_output=True,
                          text=True, timeout=900, env=_env(), cwd=ROOT)


def _key(path: str, base: Path) -> str:
    """The EXPECT key of a reported path ("…/bad/mixed.jsonl:3" -> "mixed.jsonl")."""
    p = path.split(str(base) + "/", 1)[-1] if str(base) in path else Path(path).name
    for suffix_start in (p.rfind(":"), p.rfind("[")):
        if suffix_start > 0 and (p[suffix_start + 1:].rstrip("]").isdigit()):
            p = p[:suffix_start]
    return p


def check(name: str, expect: tuple, got: dict) -> bool:
    kind, *arg = expect
    errs, docs = got["errors"], got["docs"]
    if kind == "error":
        return docs == 0 and len(errs) == 1 and arg[0] in errs[0]
    if kind == "ingested":
        return docs == arg[0] and not errs and not got["skipped"]
    if kind == "cut":
        return docs == 1 and not errs and any(arg[0] in w for w in got["warnings"])
    if kind == "skipped":
        return docs == 0 and not errs and any(arg[0] in s for s in got["skipped"])
    if kind == "partial":
        return docs == arg[0] and len(errs) == len(arg[1]) and all(any(t in e for e in errs) for t in arg[1])
    return not (docs or errs or got["skipped"] or got["warnings"])  # ignored


def run(work: Path) -> dict:
    index = work / "index"
    r = rag(index, "ingest", str(ROOT / "seeds"), "--json")
    assert r.returncode == 0, r.stderr[-2000:]
    seeds_before = json.loads(r.stdout)["chunks_total"]
    paths = build(work)
    r = rag(index, "ingest", *map(str, paths), "--json")
    traceback = "Traceback" in r.stderr
    rep = json.loads(r.stdout)
    base = paths[0]
    got: dict[str, dict] = {k: {"errors": [], "skipped": [], "warnings": [], "docs": 0} for k in EXPECT}
    unexpected = []
    for field, items in (("errors", rep["errors"]), ("skipped", rep["skipped"]), ("warnings", rep["warnings"])):
        for it in items:
            k = _key(it["path"], base) if str(work) in it["path"] else Path(it["path"]).name
            msg = it.get("error") or it.get("reason") or it.get("warning")
            (got[k][field].append(msg) if k in got else unexpected.append((it["path"], msg)))
    db = sqlite3.connect(index / "registry.sqlite")
    for (source,) in db.execute("SELECT source FROM docs WHERE state='ok'"):
        if str(work) in source:
            k = _key(source, base)
            (got[k].__setitem__("docs", got[k]["docs"] + 1) if k in got else unexpected.append((source, "ingested")))
    seeds_kept = {r[0] for r in db.execute("SELECT doc_id FROM docs WHERE state='ok'")} >= \
        {p.stem for p in (ROOT / "seeds").glob("*.txt")}
    n_chunks = db.execute("SELECT count(*) FROM chunks").fetchone()[0]
    db.close()
    stats = json.loads(rag(index, "stats", "--json").stdout)
    again = json.loads(rag(index, "ingest", *map(str, paths), "--json").stdout)
    rows = [{"file": k, "what": what, "expected": list(exp), **got[k], "ok": check(k, exp, got[k])}
            for k, (what, exp) in EXPECT.items()]
    return {
        "limits": LIMITS, "exit_code": r.returncode, "traceback": traceback, "kinds": len(rows),
        "as_expected": sum(x["ok"] for x in rows), "unexpected": unexpected, "rows": rows,
        "seeds_kept": seeds_kept, "seed_chunks_before": seeds_before,
        "vectors_match_chunks": stats.get("vectors") == stats.get("chunks") == n_chunks,
        "rerun_adds_nothing": again["docs_added"] == again["docs_updated"] == 0,
    }


def table(rep: dict) -> str:
    lines = ["| file | what it is | expected | what it got | ok |", "|---|---|---|---|---|"]
    for x in rep["rows"]:
        got = "; ".join([*(f"error: {e}" for e in x["errors"]), *x["skipped"],
                         *(f"warning: {w}" for w in x["warnings"])] + ([f"{x['docs']} document(s) ingested"]
                                                                        if x["docs"] else []))
        name = x["file"] if len(x["file"]) < 40 else x["file"][:12] + "…" + x["file"][-8:]
        exp = " ".join(str(e) for e in x["expected"])
        lines.append(f"| `{name}` | {x['what']} | {exp} | {got or '—'} | {'yes' if x['ok'] else '**NO**'} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=ROOT / "evals" / "reports" / "reliability")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="badinputs-") as tmp:
        rep = run(Path(tmp))
    text = table(rep).replace(tmp, "…")
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / "bad_inputs.json").write_text(json.dumps(rep, indent=1, ensure_ascii=False).replace(tmp, "…"),
                                           encoding="utf-8")
    (a.out / "bad_inputs.md").write_text(
        f"# Bad input: {rep['as_expected']}/{rep['kinds']} kinds got what they should\n\n"
        f"`python evals/bad_inputs.py` (limits {rep['limits']}). One `rag ingest` run over all of them, into an "
        f"index holding the seeds: exit code {rep['exit_code']}, traceback: {rep['traceback']}, seeds kept: "
        f"{rep['seeds_kept']}, Chroma vectors = registry chunks: {rep['vectors_match_chunks']}, a second run adds "
        f"nothing: {rep['rerun_adds_nothing']}, paths reported that the table does not name: {rep['unexpected']}.\n\n"
        + text + "\n", encoding="utf-8")
    print(text)
    print(f"{rep['as_expected']}/{rep['kinds']} as expected; unexpected {rep['unexpected']}")
    ok = (rep["as_expected"] == rep["kinds"] and not rep["unexpected"] and not rep["traceback"] and rep["seeds_kept"]
          and rep["vectors_match_chunks"] and rep["rerun_adds_nothing"] and rep["exit_code"] == 1)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
