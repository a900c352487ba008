"""Records (Document, Chunk, Passage) and loaders for each supported file format.

Loaders never raise on bad content of one record/file without naming the file (and line/field):
callers collect :class:`LoadError` per file and keep going.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import html as html_lib
import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Iterator

from .errors import NewsDeskError

SUPPORTED_EXTENSIONS = {".txt", ".md", ".markdown", ".html", ".htm", ".json", ".jsonl"}
MAX_FILE_BYTES = 50 * 1024 * 1024  # the default of Settings.max_file_mb


class LoadError(NewsDeskError):
    """A file (or one record in it) cannot be loaded. The message names the file and the reason."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass
class Document:
    doc_id: str
    text: str
    source: str
    title: str | None = None
    date: str | None = None  # ISO YYYY-MM-DD
    url: str | None = None

    @property
    def content_hash(self) -> str:
        h = hashlib.sha256()
        for part in (self.text, self.title or "", self.date or "", self.url or ""):
            h.update(part.encode("utf-8"))
            h.update(b"\x00")
        return h.hexdigest()


@dataclass
class Chunk:
    chunk_id: str
    doc_id: str
    text: str
    start: int  # character offsets into Document.text
    end: int
    index: int
    lang: str = "und"


@dataclass
class Passage:
    """A retrieved chunk with its document metadata and scores."""

    chunk_id: str
    doc_id: str
    text: str
    score: float
    title: str | None = None
    date: str | None = None
    source: str = ""
    start: int = 0
    end: int = 0
    lang: str = "und"
    scores: dict[str, float] = field(default_factory=dict)  # per-retriever raw scores ("dense", "bm25")

    def to_dict(self) -> dict:
        return {
            "doc_id": self.doc_id,
            "chunk_id": self.chunk_id,
            "score": round(float(self.score), 6),
            "text": self.text,
            "title": self.title,
            "date": self.date,
            "source": self.source,
        }


_DATE_HEADER = re.compile(r"^\ufeff?\s*date\s+(\d{4}-\d{2}-\d{2})\b[ \t]*\n?")


def normalize_date(value, where: str) -> str | None:
    """Accept YYYY-MM-DD or an ISO datetime; return YYYY-MM-DD. Raise LoadError naming ``where``."""
    if value is None or value == "":
        return None
    s = str(value).strip()
    try:
        return dt.date.fromisoformat(s[:10]).isoformat()
    except ValueError:
        raise LoadError(where, f"field 'date' is not an ISO date (YYYY-MM-DD): {s!r}") from None


def _decode(data: bytes, path: Path) -> str:
    """UTF-8 (with or without a BOM), or UTF-16 when the file starts with its byte-order mark (Windows editors)."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as e:
            raise LoadError(str(path), f"invalid UTF-16 at byte {e.start}") from None
    if b"\x00" in data[:8192]:
        raise LoadError(str(path), "binary file (contains NUL bytes), not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise LoadError(str(path), f"invalid UTF-8 at byte {e.start} (save the file as UTF-8)") from None


def _read_text(path: Path, max_bytes: int = MAX_FILE_BYTES) -> str:
    try:
        st = path.stat()
    except FileNotFoundError:
        raise LoadError(str(path), "file not found") from None
    except OSError as e:
        raise LoadError(str(path), f"cannot read: {e.strerror or e}") from None
    import stat as _stat

    if _stat.S_ISDIR(st.st_mode):
        raise LoadError(str(path), "is a directory")
    if not _stat.S_ISREG(st.st_mode):  # a FIFO would block the read forever
        raise LoadError(str(path), "not a regular file (a pipe, socket or device)")
    if st.st_size > max_bytes:
        raise LoadError(str(path), f"file too large ({st.st_size:,} bytes; the limit is {max_bytes:,}, "
                                   f"setting max_file_mb)")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise LoadError(str(path), "file not found") from None
    except IsADirectoryError:
        raise LoadError(str(path), "is a directory") from None
    except OSError as e:
        raise LoadError(str(path), f"cannot read: {e.strerror or e}") from None
    if len(data) > max_bytes:
        raise LoadError(str(path), f"file too large ({len(data):,} bytes; the limit is {max_bytes:,}, "
                                   f"setting max_file_mb)")
    text = _decode(data, path)
    if not text.strip():
        raise LoadError(str(path), "empty file")
    return text


def _clean(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def load_txt(path: Path, max_bytes: int = MAX_FILE_BYTES) -> list[Document]:
    raw = _read_text(path, max_bytes)
    date = None
    m = _DATE_HEADER.match(raw)
    if m:
        date = normalize_date(m.group(1), str(path))
        raw = raw[m.end():]
    text = _clean(raw)
    if not text:
        raise LoadError(str(path), "no text after the date header")
    return [Document(doc_id=path.stem, text=text, source=str(path), date=date)]


def load_md(path: Path, max_bytes: int = MAX_FILE_BYTES) -> list[Document]:
    raw = _read_text(path, max_bytes)
    date = None
    title = None
    fm = re.match(r"\A---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", raw, flags=re.S)
    if fm:  # YAML front matter: its title and date are metadata, not article text
        for line in fm.group(1).splitlines():
            k, _, v = line.partition(":")
            v = v.strip().strip("'\"")
            if k.strip().lower() == "title" and v:
                title = v
            elif k.strip().lower() == "date" and v:
                try:
                    date = normalize_date(v[:10], str(path))
                except LoadError as e:
                    raise LoadError(str(path), f"front matter: {e.reason}") from None
        raw = raw[fm.end():]
        if not raw.strip():
            raise LoadError(str(path), "no text after the front matter")
    m = _DATE_HEADER.match(raw)
    if m:
        date = normalize_date(m.group(1), str(path))
        raw = raw[m.end():]
    h = re.search(r"^#\s+(.+)$", raw, flags=re.M)
    if h and not title:
        title = h.group(1).strip()
    # keep the words, drop markup that carries no meaning for retrieval
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", raw)
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"^#{1,6}\s*", "", text, flags=re.M)
    text = re.sub(r"(\*\*|__|`)", "", text)
    text = _clean(text)
    if not text:
        raise LoadError(str(path), "no text")
    return [Document(doc_id=path.stem, text=text, source=str(path), title=title, date=date)]


class _TextOnly(HTMLParser):
    """Fallback HTML → text when trafilatura finds no main content: drops script/style."""

    BLOCK = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.title: str | None = None
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "noscript", "template"):
            self.skip += 1
        if tag == "title":
            self._in_title = True
        if tag in self.BLOCK:
            self.parts.append("\n\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "noscript", "template") and self.skip:
            self.skip -= 1
        if tag == "title":
            self._in_title = False
        if tag in self.BLOCK:
            self.parts.append("\n\n")

    def handle_data(self, data):
        if self._in_title:
            self.title = (self.title or "") + data.strip()
            return
        if not self.skip:
            self.parts.append(data)


def load_html(path: Path, max_bytes: int = MAX_FILE_BYTES) -> list[Document]:
    raw = _read_text(path, max_bytes)
    title = date = url = None
    text = None
    try:
        import trafilatura

        extracted = trafilatura.bare_extraction(raw, with_metadata=True, include_comments=False)
        if extracted is not None:
            d = extracted if isinstance(extracted, dict) else extracted.as_dict()
            text = d.get("text")
            title = d.get("title")
            url = d.get("url")
            try:
                date = normalize_date(d.get("date"), str(path))
            except LoadError:
                date = None
    except ImportError:  # pragma: no cover - trafilatura is a dependency
        pass
    if not text or not text.strip():
        p = _TextOnly()
        p.feed(raw)
        text = html_lib.unescape("".join(p.parts))
        title = title or p.title
    text = _clean(re.sub(r"[ \t]+", " ", text))
    if not text:
        raise LoadError(str(path), "no text in HTML after dropping markup, scripts and styles")
    return [Document(doc_id=path.stem, text=text, source=url or str(path), title=title, date=date, url=url)]


def _record_to_doc(rec, path: Path, where: str, default_id: str) -> Document:
    if not isinstance(rec, dict):
        raise LoadError(where, f"record is a {type(rec).__name__}, expected an object with a 'text' field")
    text = rec.get("text")
    if not isinstance(text, str) or not text.strip():
        raise LoadError(where, "field 'text' is missing or empty")
    doc_id = rec.get("id", default_id)
    if doc_id is None or str(doc_id).strip() == "":
        raise LoadError(where, "field 'id' is empty")
    if not isinstance(doc_id, (str, int)) or isinstance(doc_id, bool):
        raise LoadError(where, f"field 'id' must be a string or a number, not {type(doc_id).__name__}")
    title = rec.get("title")
    url = rec.get("url")
    return Document(
        doc_id=str(doc_id).strip(),
        text=_clean(text),
        source=str(url) if url else str(path),
        title=str(title) if title else None,
        date=normalize_date(rec.get("date"), where),
        url=str(url) if url else None,
    )


def load_json(path: Path, max_bytes: int = MAX_FILE_BYTES) -> tuple[list[Document], list[LoadError]]:
    raw = _read_text(path, max_bytes)
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as e:
        raise LoadError(str(path), f"malformed JSON at line {e.lineno} column {e.colno}: {e.msg}") from None
    except RecursionError:
        raise LoadError(str(path), "JSON nested too deeply to be an article (expected an object or a list of "
                                   "objects with a 'text' field)") from None
    records = data if isinstance(data, list) else [data]
    if not records:
        raise LoadError(str(path), "an empty list: no records")
    docs, errors = [], []
    for i, rec in enumerate(records):
        where = f"{path}[{i}]" if isinstance(data, list) else str(path)
        default_id = path.stem if len(records) == 1 else f"{path.stem}-{i}"
        try:
            docs.append(_record_to_doc(rec, path, where, default_id))
        except LoadError as e:
            errors.append(e)
    return docs, errors


def load_jsonl(path: Path, max_bytes: int = MAX_FILE_BYTES) -> tuple[list[Document], list[LoadError]]:
    raw = _read_text(path, max_bytes)
    lines = [(n, line) for n, line in enumerate(raw.splitlines(), 1) if line.strip()]
    docs, errors = [], []
    for n, line in lines:
        where = f"{path}:{n}"
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as e:
            errors.append(LoadError(where, f"malformed JSON line: {e.msg}"))
            continue
        except RecursionError:
            errors.append(LoadError(where, "JSON line nested too deeply to be an article"))
            continue
        default_id = path.stem if len(lines) == 1 else f"{path.stem}-{n}"
        try:
            docs.append(_record_to_doc(rec, path, where, default_id))
        except LoadError as e:
            errors.append(e)
    return docs, errors


def load_path(path: Path, max_bytes: int = MAX_FILE_BYTES) -> tuple[list[Document], list[LoadError]]:
    """Load one file. Returns the documents and per-record errors; raises LoadError for a whole-file error."""
    ext = path.suffix.lower()
    if not path.exists():
        raise LoadError(str(path), "file not found")
    if ext not in SUPPORTED_EXTENSIONS:
        raise LoadError(
            str(path), f"unsupported extension {ext or '(none)'!r}; supported: {', '.join(sorted(SUPPORTED_EXTENSIONS))}"
        )
    if ext == ".txt":
        return load_txt(path, max_bytes), []
    if ext in (".md", ".markdown"):
        return load_md(path, max_bytes), []
    if ext in (".html", ".htm"):
        return load_html(path, max_bytes), []
    if ext == ".json":
        return load_json(path, max_bytes)
    return load_jsonl(path, max_bytes)


def limit_text(doc: Document, max_chars: int) -> tuple[Document, str | None]:
    """Cut a document longer than ``max_chars`` at the last paragraph or sentence end before the limit (a word
    boundary at worst). Returns the document to store and what was cut, or None. Done on what was loaded, before
    hashing, so re-ingesting the same file is still "unchanged"."""
    if max_chars <= 0 or len(doc.text) <= max_chars:
        return doc, None
    head = doc.text[:max_chars]
    cut = max(head.rfind("\n"), head.rfind(". "), head.rfind("? "), head.rfind("! "))
    if cut < max_chars // 2:
        cut = head.rfind(" ")
    cut = cut + 1 if cut >= max_chars // 2 else max_chars
    kept = doc.text[:cut].rstrip()
    return (dataclasses.replace(doc, text=kept),
            f"cut: kept the first {len(kept):,} of {len(doc.text):,} characters (setting max_doc_chars)")


class Skipped(LoadError):
    """A file in a folder that is not an article (other extension, not a regular file): reported, not an error."""


def iter_files(paths: list[Path]) -> Iterator[tuple[Path, LoadError | None]]:
    """Expand folders (recursively, hidden files skipped); report missing paths, and the files of a folder that
    are skipped (unsupported extension, not a regular file) as :class:`Skipped`."""
    for p in paths:
        if not p.exists():
            yield p, LoadError(str(p), "path does not exist")
        elif p.is_dir():
            found = False
            for f in sorted(p.rglob("*")):  # rglob does not follow symlinked folders: no loops
                if f.is_dir():
                    continue
                parts = f.relative_to(p).parts
                if any(part.startswith(".") for part in parts[:-1]):  # inside .git and the like: not articles
                    continue
                if f.name.startswith("."):
                    yield f, Skipped(str(f), "skipped: a hidden file")
                elif not f.exists():
                    yield f, Skipped(str(f), "skipped: a broken symbolic link")
                elif f.suffix.lower() not in SUPPORTED_EXTENSIONS:
                    yield f, Skipped(str(f), f"skipped: {f.suffix or 'no extension'} is not an article format")
                elif not f.is_file():
                    yield f, Skipped(str(f), "skipped: not a regular file (a pipe, socket or device)")
                else:
                    found = True
                    yield f, None
            if not found:
                yield p, Skipped(str(p), "skipped: no article files in this folder")
        else:
            yield p, None
