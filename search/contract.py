"""The engine contract: what the archive asks of every search engine, and nothing an engine owns.

Services, indexing, health checks, management commands and gunicorn's warm-up speak to an
engine through this protocol only. Each engine is a package of its own under
search/engines/ (search.engines names them), and the engine-independent tests run against
every engine through one fixture.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from search.types import EngineQuery, EngineResults, Filter, IndexHealth, PhraseCounts

if TYPE_CHECKING:
    from archive.models import Article


@runtime_checkable
class SearchEngine(Protocol):
    """A full-text index of the archive's articles.

    Reads raise IndexUnavailable (IndexMissing before the first build) when the index cannot
    answer; writes raise IndexLocked when another writer keeps it too long. What an engine
    remembers between calls is its own business, but never an answer older than version().
    """

    name: str

    def search(self, query: EngineQuery) -> EngineResults:
        """The articles matching the query and its filters: the total, the ids of the slice
        asked for in `query.sort` order, and each declared facet's counts (search.facets).

        Every quoted phrase matches exactly where the folded text contains it (search.folding).
        Relevance puts articles containing each unquoted term as typed first."""
        ...

    def related(self, *, article_id: int, text: str, limit: int) -> list[int]:
        """Up to `limit` ids of articles sharing the most distinctive words of `text` (the
        article's own opening) with it, best first, never the article itself."""
        ...

    def phrase_occurrences(
        self, *, phrase: str, filters: tuple[tuple[str, Filter], ...] = (), sort: str = "newest"
    ) -> PhraseCounts:
        """Every article whose folded searchable text contains the folded `phrase` and that
        passes the filters (by facet name), in `sort` order ("newest" or "oldest", undated
        last, as search orders them), each with the number of places the phrase starts in it
        (overlapping ones too): the concordance's counts without reading the articles."""
        ...

    def update(self, articles: Iterable[Article]) -> None:
        """Add these articles to the index, or replace what it holds for them."""
        ...

    def remove(self, article_ids: Iterable[int]) -> None:
        """Take these articles out of the index (ids it does not hold are ignored)."""
        ...

    def rebuild(self, articles: Iterable[Article], *, total: int) -> None:
        """Build a complete index of `articles` (`total` of them) beside the live one, then
        switch to it at once: searches answer from the previous index until then."""
        ...

    def indexed_versions(self) -> dict[int, str]:
        """Article id → the document_version() the index holds for it."""
        ...

    def document_version(self, article: Article) -> str:
        """What the index must hold for this article to be current: changes with the article's
        text and times, and with what the engine stores of an article."""
        ...

    def version(self) -> str:
        """A name for what the index holds now, the same in every process reading it, that
        changes whenever an answer could: pages of results are cached under it."""
        ...

    def health(self) -> IndexHealth:
        """Whether the index can answer, having read real index data (not only opened it)."""
        ...

    def warm(self) -> bool:
        """Open the index and read what the first searches would; False when there is no
        readable index (searches will say so)."""
        ...

    def close(self) -> None:
        """Let go of open files and connections (the engine may be used again later)."""
        ...
