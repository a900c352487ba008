"""A private, local news desk: ingest articles, search them, ask cited questions, summarize and brief.

Python API::

    from rag import NewsDesk
    desk = NewsDesk(index="./my-index")          # Settings.load() + overrides
    desk.ingest(["seeds/"])
    desk.search("trade between Vietnam and Laos", k=3)
"""

from __future__ import annotations

from pathlib import Path

from .config import Settings
from .documents import Passage
from .embeddings import get_embedder
from .evidence import EvidenceSelector, InjectionDetector
from .ingest import IngestReport, ingest
from .retrieve import RetrievalResult, Retriever
from .store import Filters, Store

__all__ = ["NewsDesk", "Settings", "Filters", "Passage"]
__version__ = "0.1.0"


class NewsDesk:
    """One object for the whole pipeline; the CLI, the app and the evals all go through it."""

    def __init__(self, settings: Settings | None = None, **overrides):
        self.settings = (settings or Settings.load()).replace(**overrides)
        self.embedder = get_embedder(self.settings.embedding)
        self.store = Store(self.settings, self.embedder)
        self.retriever = Retriever(self.store)
        self.evidence = EvidenceSelector(self.store, InjectionDetector(self.store, use_probe=self.settings.injection_probe))
        self._llm = None

    # ---- index ----
    def ingest(self, paths, progress=None) -> IngestReport:
        rep = ingest(self.store, [Path(p) for p in paths], progress=progress)
        self.organize()
        return rep

    def ingest_documents(self, docs, progress=None) -> IngestReport:
        """Ingest :class:`rag.documents.Document` records built in memory (see ``rag.integrations``)."""
        from .ingest import ingest_documents

        rep = ingest_documents(self.store, list(docs), progress=progress)
        self.organize()
        return rep

    def organize(self) -> dict:
        """Group what is not grouped yet: syndicated copies (``rag.copies``), then stories (``rag.stories``).
        Idempotent; run after every ingest (setting ``organize_on_ingest``)."""
        if not self.settings.organize_on_ingest:
            return {}
        from .copies import CopyIndex
        from .stories import StoryIndex

        if getattr(self, "_story_index", None) is None:
            self._story_index = StoryIndex(self.store)  # keeps article features between ingests
        with self.store.write_lock():
            copies = CopyIndex(self.store).update(hostile=self.evidence.hostile)
            assigned = self._story_index.update()
        return {"copies": copies, "assigned": assigned}

    def remove(self, doc_id: str) -> bool:
        from .copies import CopyIndex
        from .stories import StoryIndex

        with self.store.write_lock():
            CopyIndex(self.store).remove(doc_id)
            gone = self.store.remove_document(doc_id)
            StoryIndex(self.store).update()
            return gone

    def docs(self):
        """Stored documents, each with ``copy_of`` (its canonical article's id when it is a syndicated copy)."""
        from .copies import CopyIndex

        copy_of = CopyIndex(self.store).copy_of()
        docs = self.store.list_docs()
        for d in docs:
            d.copy_of = copy_of.get(d.doc_id)
        return docs

    def stories(self, since: str | None = None):
        from .stories import StoryIndex

        return StoryIndex(self.store).stories(since)

    def story(self, story_id: str):
        """A story and its timeline (``rag.stories.timeline``); None when there is no such story."""
        from .stories import StoryIndex, timeline

        st = StoryIndex(self.store).story(story_id)
        return (st, timeline(self.store, st)) if st else None

    def stats(self) -> dict:
        st = self.store.stats()
        st["llm"] = self.settings.llm
        st["llm_loaded"] = self._llm is not None
        return st

    def search(self, query: str, k: int | None = None, filters: Filters | None = None,
               fusion: str | None = None) -> RetrievalResult:
        return self.retriever.search(query, k=k, filters=filters, fusion=fusion)

    # ---- generation ----
    @property
    def llm(self):
        if self._llm is None:
            from .llm import get_llm

            self._llm = get_llm(self.settings)
        return self._llm

    @property
    def renderings(self):
        """The renderings kept beside the index (``rag.renderings.Renderings``)."""
        if getattr(self, "_renderings", None) is None:
            from .renderings import Renderings

            self._renderings = Renderings(self.store.dir)
        return self._renderings

    @property
    def confidence(self):
        """The confidence calibrator (``rag.confidence.ConfidenceModel``) the settings name."""
        if getattr(self, "_confidence", None) is None:
            from .confidence import ConfidenceModel, default_model

            self._confidence = (ConfidenceModel.load(Path(self.settings.confidence_model))
                                if self.settings.confidence_model else default_model())
        return self._confidence

    def warm(self, lang: str = "vi") -> None:
        """Load the LLM (and its side context, ``rag.llm.side_llm``) and the query embedder, and put the answer
        instructions for ``lang`` into llama.cpp's KV cache, so the first question of a session starts streaming as
        fast as the later ones."""
        from . import prompts
        from .llm import side_llm

        self.retriever.embed_query("warm up")
        system = prompts.load("evidence_system", lang)
        self.llm.chat([{"role": "system", "content": system}, {"role": "user", "content": "ok"}], max_tokens=1)
        side_llm(self.llm)  # the context for quote renderings, built now rather than at the first English question

    def ask(self, question: str, history=None, k: int | None = None, filters: Filters | None = None,
            stream=None):
        from .answer import answer_question

        return answer_question(self, question, history=history, k=k, filters=filters, on_token=stream)

    def summarize(self, doc_ids: list[str], words: int = 150, progress=None):
        from .briefing import summarize

        return summarize(self, doc_ids, words=words, progress=progress)

    def brief(self, since: str | None = None, until: str | None = None, query: str | None = None,
              docs: list[str] | None = None, words: int = 150, progress=None):
        from .briefing import brief

        return brief(self, since=since, until=until, query=query, docs=docs, words=words, progress=progress)
