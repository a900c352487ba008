"""The news desk inside LlamaIndex pipelines (extra ``llama-index``: ``pip install 'rag-newsdesk[llama-index]'``).

* :class:`NewsDeskRetriever` — a ``BaseRetriever`` over the desk's hybrid, Vietnamese-aware search; each
  ``NodeWithScore`` carries ``doc_id``, ``chunk_id``, ``title``, ``date``, ``source`` (and ``lang``) as metadata.
* :class:`NewsDeskQueryEngine` — a query engine whose ``Response`` is the desk's checked, cited answer
  (abstention included) with the cited passages as ``source_nodes``.
* :class:`NewsDeskLLM` — the desk's local model as a LlamaIndex ``LLM``, for LlamaIndex's own engines
  (``RetrieverQueryEngine.from_args(NewsDeskRetriever(desk), llm=NewsDeskLLM(desk))``): they then run without
  any OpenAI default.
* :func:`ingest_documents` — LlamaIndex ``Document``s (from any of its readers) into the desk.
"""

from __future__ import annotations

from typing import Any

from llama_index.core import Document as LIDocument
from llama_index.core.base.response.schema import Response
from llama_index.core.callbacks import CallbackManager
from llama_index.core.llms import CompletionResponse, CompletionResponseGen, CustomLLM, LLMMetadata
from llama_index.core.llms.callbacks import llm_completion_callback
from llama_index.core.query_engine import CustomQueryEngine
from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode
from pydantic import ConfigDict, Field

from ..documents import Document, LoadError, _record_to_doc
from ..ingest import IngestReport


def passage_node(p, score: float | None = None) -> NodeWithScore:
    meta = {"doc_id": p.doc_id, "chunk_id": p.chunk_id, "title": p.title, "date": p.date, "source": p.source,
            "lang": p.lang, "start": p.start, "end": p.end}
    node = TextNode(text=p.text, id_=f"{p.chunk_id}:{p.start}-{p.end}", metadata=meta,
                    excluded_llm_metadata_keys=["chunk_id", "start", "end", "lang"],
                    excluded_embed_metadata_keys=list(meta))
    return NodeWithScore(node=node, score=p.score if score is None else score)


class NewsDeskRetriever(BaseRetriever):
    """``NewsDeskRetriever(desk, k=5).retrieve("…")`` -> the desk's top ``k`` passages as ``NodeWithScore``."""

    def __init__(self, desk, k: int = 5, filters=None, callback_manager: CallbackManager | None = None):
        super().__init__(callback_manager=callback_manager)
        self.desk, self.k, self.filters = desk, k, filters

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        res = self.desk.search(query_bundle.query_str, k=self.k, filters=self.filters)
        return [passage_node(p) for p in res.passages]


class NewsDeskQueryEngine(CustomQueryEngine):
    """A query engine whose answer is the desk's: evidence sentences, the local model, every claim checked, ``[n]``
    citations (``source_nodes`` in the same order, the first the sentence the answer rests on), or an abstention
    (``metadata["abstained"]``); ``metadata["state"]`` and ``["confidence"]`` say how sure it is (``rag.confidence``)."""

    desk: Any = Field(description="a rag.NewsDesk")
    k: int | None = None
    model_config = ConfigDict(arbitrary_types_allowed=True)

    def custom_query(self, query_str: str) -> Response:
        ans = self.desk.ask(query_str, k=self.k)
        nodes = [passage_node(c.passage) for c in ans.citations]
        return Response(response=ans.answer, source_nodes=nodes,
                        metadata={"abstained": ans.abstained, "state": ans.state.value,
                                  "confidence": round(ans.confidence, 4), "display": ans.display or ans.answer,
                                  "language": ans.language, "flags": ans.flags,
                                  "citations": [c.n for c in ans.citations]})


class NewsDeskLLM(CustomLLM):
    """The desk's configured LLM (embedded llama.cpp, Ollama or an OpenAI-compatible host) as a LlamaIndex LLM."""

    desk: Any = Field(description="a rag.NewsDesk")
    max_tokens: int = 256
    model_config = ConfigDict(arbitrary_types_allowed=True)

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(context_window=self.desk.settings.n_ctx, num_output=self.max_tokens, is_chat_model=False,
                           model_name=self.desk.settings.llm)

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        out = self.desk.llm.chat([{"role": "user", "content": prompt}], max_tokens=self.max_tokens, temperature=0.0)
        return CompletionResponse(text=out.text)

    @llm_completion_callback()
    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseGen:
        # the desk's backends stream through a callback; LlamaIndex wants a generator: hand over the whole text
        out = self.desk.llm.chat([{"role": "user", "content": prompt}], max_tokens=self.max_tokens, temperature=0.0)
        yield CompletionResponse(text=out.text, delta=out.text)


def to_document(doc: LIDocument, n: int = 0) -> Document:
    """A LlamaIndex ``Document`` as a desk document: id from ``metadata["id"]``, else the file name a reader
    recorded, else the node id; ``title``, ``date`` (any format the desk reads) and ``url`` from its metadata."""
    meta = doc.metadata or {}
    source = meta.get("file_path") or meta.get("url") or "llama-index"
    default = meta.get("file_name") or doc.doc_id or f"llama-index-{n}"
    if isinstance(default, str) and "." in default and meta.get("file_name"):
        default = default.rsplit(".", 1)[0]
    rec = {"id": meta.get("id", default), "text": doc.text, "title": meta.get("title"), "date": meta.get("date"),
           "url": meta.get("url")}
    d = _record_to_doc(rec, source, f"LlamaIndex document {n} ({source})", default)
    if not meta.get("url"):
        d.source = str(source)
    return d


def ingest_documents(desk, docs: list[LIDocument], progress=None) -> IngestReport:
    """Ingest LlamaIndex ``Document``s; one that cannot be read (no text, a bad date) is reported, not fatal."""
    ok, report = [], IngestReport()
    for n, d in enumerate(docs):
        try:
            ok.append(to_document(d, n))
        except LoadError as e:
            report.errors.append({"path": e.path, "error": e.reason})
    from ..ingest import ingest_documents as _ingest

    return _ingest(desk.store, ok, progress=progress, report=report)
