"""The embedded engine: Whoosh in the data directory, behind the archive's engine contract."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from haystack import connections
from whoosh.query import Term

from archive.models import Article
from search.engines.whoosh.backend import ArchiveWhooshBackend
from search.engines.whoosh.columns import columns_of
from search.engines.whoosh.documents import ArticleIndex, index_version
from search.engines.whoosh.matching import search_documents
from search.engines.whoosh.memo import searcher_memo
from search.engines.whoosh.occurrences import phrase_occurrences
from search.engines.whoosh.ranking import related_documents
from search.errors import IndexUnavailable
from search.facets import FACETS
from search.types import EngineQuery, EngineResults, IndexHealth, PhraseCounts

# The haystack connection whose settings (PATH) and index of articles the engine uses.
CONNECTION = "default"
# A full build shares its work among processes from this many articles on.
PARALLEL_BUILD_MINIMUM = 2000
# Postings each build process sorts in memory before spilling sorted runs to disk (and
# pickling every posting twice more): a process then peaks near 1 GB resident.
BUILD_MEMORY_MB = 1024


class WhooshEngine:
    """Whoosh with Chinese analysis and exact phrases, in generations under one directory."""

    name = "whoosh"

    def __init__(self, *, path: Path | str) -> None:
        self.backend = ArchiveWhooshBackend(CONNECTION, PATH=str(path))

    @classmethod
    def from_settings(cls) -> WhooshEngine:
        return cls(path=settings.HAYSTACK_CONNECTIONS[CONNECTION]["PATH"])

    @classmethod
    def at(cls, directory: Path) -> WhooshEngine:
        """An engine whose index lives in `directory` (tests, tools); none is built yet."""
        return cls(path=Path(directory) / "index")

    @property
    def path(self) -> Path:
        return self.backend.root

    def _article_index(self) -> ArticleIndex:
        return connections[CONNECTION].get_unified_index().get_index(Article)

    # -- reading ----------------------------------------------------------------------

    def search(self, query: EngineQuery) -> EngineResults:
        with self.backend.searcher() as searcher:
            return search_documents(searcher, searcher_memo(searcher), query)

    def phrase_occurrences(
        self, *, phrase: str, filters: tuple = (), sort: str = "newest"
    ) -> PhraseCounts:
        with self.backend.searcher() as searcher:
            return phrase_occurrences(searcher, phrase, filters, sort)

    def related(self, *, article_id: int, text: str, limit: int) -> list[int]:
        with self.backend.searcher() as searcher:
            return related_documents(searcher, searcher_memo(searcher), article_id, text, limit)

    def version(self) -> str:
        return self.backend.version()

    def health(self) -> IndexHealth:
        try:
            with self.backend.searcher() as searcher:
                documents = searcher.doc_count()
                # Decode one real posting list, so that a damaged index shows here too.
                sum(1 for _ in Term("exact", "的").docs(searcher))
        except IndexUnavailable as error:
            return IndexHealth(ok=False, error=str(error))
        return IndexHealth(ok=True, documents=documents)

    def warm(self) -> bool:
        # The per-document columns, with the orders and groups made from them.
        try:
            with self.backend.searcher() as searcher:
                if searcher.doc_count_all():
                    columns = columns_of(searcher)
                    columns.date_rank("newest")
                    columns.date_rank("oldest")
                    for facet in FACETS:
                        columns.groups(facet)
        except IndexUnavailable:
            return False
        return True

    def indexed_versions(self) -> dict[int, str]:
        return self.backend.indexed_versions()

    def document_version(self, article: Article) -> str:
        return index_version(article)

    # -- writing ----------------------------------------------------------------------

    def update(self, articles: Iterable[Article]) -> None:
        self.backend.update(self._article_index(), articles)

    def remove(self, article_ids: Iterable[int]) -> None:
        self.backend.remove_identifiers(f"archive.article.{pk}" for pk in article_ids)

    def rebuild(self, articles: Iterable[Article], *, total: int) -> None:
        backend = self.backend
        index = self._article_index()
        generation = backend.new_generation()
        builder = backend._builder_for(generation)
        # One writer for the whole build (no merge after every batch), on every core
        # when there is enough to share out.
        processes = min(os.cpu_count() or 1, 4) if total >= PARALLEL_BUILD_MINIMUM else 1
        options = {"limitmb": BUILD_MEMORY_MB}
        if processes > 1:
            options.update(procs=processes, multisegment=True)
        with builder.writer(**options) as writer:
            for article in articles:
                document = builder.prepare_document(index, article)
                if document:
                    writer.add_document(**document)
        backend.switch_to(generation)

    def close(self) -> None:
        """Let go of the open index files (another engine takes over)."""
        self.backend.close()
