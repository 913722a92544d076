"""Batch export of a search: its matching articles, or the ones a reader chose, as one file.

The formats are the archive's (archive.citations.LIST_FORMATS: GB/T 7714, BibTeX, RIS, CSV,
and the exchange format's JSON Lines); this module picks the articles and their order. A
search exports at most EXPORT_LIMIT articles, the first ones in the search's order; the
export says when it was cut short. Chosen articles (`id=`) are exported exactly, in the
order given (at most CHOSEN_LIMIT of them): ids of articles that do not exist are left out,
and the query does not filter them (the reader chose them from a list of results already).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext

from archive.citations import LIST_FORMATS, ListFormat
from archive.ingest import exported_articles
from archive.models import Article
from search.services import matching_article_ids
from search.types import Filter

# The most articles one export holds (documented in the README).
EXPORT_LIMIT = 5000
# The most articles one export may name (id=…): each is a URL parameter, and Django refuses a
# request with more than DATA_UPLOAD_MAX_NUMBER_FIELDS (1,000) parameters in all.
CHOSEN_LIMIT = 500
# Articles read from the database at a time while the file is written.
CHUNK_SIZE = 200
# How much of the query goes into the file's name.
FILENAME_QUERY_CHARS = 40
# Characters a file name should not carry (path separators, quotes, controls, reserved).
_NOT_IN_FILENAMES = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|“”「」『』＂\s]+')


@dataclass(frozen=True)
class Export:
    """What one export holds: the articles' ids in order, of how many asked for."""

    format: ListFormat
    article_ids: tuple[int, ...]
    total: int  # articles matching (or chosen); more than exported when cut short
    query: str

    @property
    def truncated(self) -> bool:
        return self.total > len(self.article_ids)

    def note(self) -> str:
        """What the reader is told in the file, in the interface's language ("" if nothing)."""
        if not self.truncated:
            return ""
        return gettext("此文件只含前 %(count)s 篇文章（共 %(total)s 篇符合条件）。") % {
            "count": len(self.article_ids),
            "total": self.total,
        }

    def chunks(self, *, url_of: Callable[[Article], str], accessed: date) -> Iterator[str]:
        """The file, written as its articles are read."""
        return self.format.lines(
            articles_in_order(self.article_ids), url_of=url_of, accessed=accessed, note=self.note()
        )

    def filename(self) -> str:
        """A name for the file: the query's words where there are any ("wencui-战斗堡垒.bib")."""
        words = _NOT_IN_FILENAMES.sub("-", self.query).strip("-.")[:FILENAME_QUERY_CHARS]
        return f"wencui-{words or 'articles'}.{self.format.extension}"

    def ascii_filename(self) -> str:
        """The name for clients that cannot read a non-ASCII one."""
        name = self.filename()
        return name if name.isascii() else f"wencui-articles.{self.format.extension}"


def plan_export(
    *,
    format: str,
    query: str = "",
    filters: Mapping[str, Filter] | None = None,
    sort: str | None = None,
    chosen_ids: Sequence[int] = (),
) -> Export:
    """The export of a search's results, or of the chosen articles when ids are given.

    Raises KeyError for an unknown format, QueryTooLong for an over-long query and
    IndexUnavailable when the index cannot answer.
    """
    list_format = LIST_FORMATS[format]
    if chosen_ids:
        wanted = list(dict.fromkeys(chosen_ids))
        existing = set(Article.objects.filter(pk__in=wanted).values_list("pk", flat=True))
        ids = tuple(pk for pk in wanted if pk in existing)
        return Export(list_format, ids, total=len(ids), query=query)
    found = matching_article_ids(query=query, filters=filters, sort=sort, limit=EXPORT_LIMIT)
    return Export(list_format, found.article_ids, total=found.total, query=query)


def articles_in_order(article_ids: Iterable[int]) -> Iterator[Article]:
    """The articles, in the order of their ids, read CHUNK_SIZE at a time with what every
    format writes of them; one deleted meanwhile is left out."""
    ids = list(article_ids)
    for start in range(0, len(ids), CHUNK_SIZE):
        chunk = ids[start : start + CHUNK_SIZE]
        found = exported_articles().in_bulk(chunk)
        for pk in chunk:
            if pk in found:
                yield found[pk]
