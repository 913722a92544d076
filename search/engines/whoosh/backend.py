"""The archive's Whoosh backend: haystack's, with Chinese analysis, exact phrases and safe writes.

Subclassing (not copying) haystack's backend keeps its update_index machinery while:
- mapping our field types (fields.py) to Whoosh fields with Chinese analyzers;
- answering the archive's structured queries (archive_search) from one long-lived
  searcher, refreshed only when the index changed;
- waiting for the write lock and raising when it cannot be had, instead of
  silently losing a removal (haystack's remove() swallows LockError);
- keeping the index in generations (PATH/gen-*, named by PATH/CURRENT) so that a
  full rebuild happens beside the live index and is switched to atomically.
"""

from __future__ import annotations

import contextlib
import heapq
import logging
import os
import shutil
import struct
import threading
import time
import zlib
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from haystack.backends.whoosh_backend import WhooshEngine, WhooshSearchBackend
from haystack.exceptions import SkipDocument
from haystack.utils import get_identifier
from haystack.utils.loading import UnifiedIndex
from whoosh import query as wq
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.fields import ID as WHOOSH_ID
from whoosh.fields import NUMERIC, TEXT
from whoosh.filedb.filestore import FileStorage
from whoosh.index import EmptyIndexError, LockError
from whoosh.scoring import BM25FScorer, bm25

from search.engines.whoosh.analysis import (
    MAX_GRAM,
    SHORT_GRAM_SIZES,
    CharGramTokenizer,
    ChineseWordTokenizer,
)
from search.engines.whoosh.codec import ArchiveCodec, read_numbers
from search.engines.whoosh.memo import SET_BYTES, Memo, searcher_memo
from search.engines.whoosh.ranking import ArchiveBM25F, field_lengths
from search.errors import IndexLocked, IndexMissing, IndexUnavailable
from search.folding import fold
from search.query import ParsedQuery
from search.types import YearRange
from search.words import query_words

log = logging.getLogger("wencui.search")

CURRENT_FILE = "CURRENT"
GENERATION_PREFIX = "gen-"
T = TypeVar("T")
WRITE_LOCK_TIMEOUT = float(os.environ.get("WENCUI_INDEX_LOCK_TIMEOUT", "30"))


@dataclass(frozen=True)
class ExactFields:
    """Where exact matches of a field are looked up: phrases of up to `short_max`
    characters are a term of `short`; longer ones use the MAX_GRAM-character grams of
    `long` (a prefix of one when shorter, a phrase of several when longer)."""

    short: str
    short_max: int
    long: str


EXACT_FIELDS = {
    None: ExactFields("exact", SHORT_GRAM_SIZES[-1], "exact_long"),
    "title": ExactFields("title_exact", MAX_GRAM, "title_exact"),
    "author": ExactFields("author_exact", MAX_GRAM, "author_exact"),
    "source": ExactFields("source_exact", MAX_GRAM, "source_exact"),
}


# What Whoosh raises when index files are missing, truncated or corrupted.
READ_ERRORS = (OSError, EOFError, ValueError, zlib.error, struct.error, EmptyIndexError)


@dataclass
class BackendResults:
    total: int
    article_ids: list[int]
    source_counts: Counter = field(default_factory=Counter)  # "" = unknown
    year_counts: Counter = field(default_factory=Counter)  # 0 = unknown


def _schema_field(field_class):
    kind = field_class.field_type
    boost = field_class.boost
    if kind == "chinese_text":
        return TEXT(analyzer=ChineseWordTokenizer(), phrase=False, field_boost=boost)
    if kind == "exact_text":
        return TEXT(analyzer=CharGramTokenizer((1, 2, 3, 4)), phrase=True, field_boost=boost)
    if kind == "short_grams":
        return TEXT(analyzer=CharGramTokenizer(SHORT_GRAM_SIZES), phrase=False, field_boost=boost)
    if kind == "long_grams":
        analyzer = CharGramTokenizer((MAX_GRAM,), pad_end=True)
        return TEXT(analyzer=analyzer, phrase=True, field_boost=boost)
    if kind == "facet_key":
        return WHOOSH_ID(stored=True, sortable=True)
    if kind == "sortable_integer":
        return NUMERIC(numtype=int, bits=64, stored=True, sortable=True, signed=True)
    return None


class ArchiveWhooshBackend(WhooshSearchBackend):
    def __init__(self, connection_alias, **connection_options):
        super().__init__(connection_alias, **connection_options)
        self.root = Path(self.path)
        self._searcher = None
        self._files: frozenset = frozenset()
        self._files_checksum = 0
        self._current_stamp = None
        self._lock = threading.RLock()

    # -- generations ------------------------------------------------------------------

    def live_generation(self) -> Path | None:
        try:
            name = (self.root / CURRENT_FILE).read_text(encoding="ascii").strip()
        except FileNotFoundError:
            return None
        return self.root / name if name else None

    def new_generation(self) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / f"{GENERATION_PREFIX}{time.time_ns()}"
        path.mkdir()
        return path

    def switch_to(self, generation: Path) -> None:
        """Atomically make `generation` the live index, and drop all but the previous one."""
        previous = self.live_generation()
        temporary = self.root / f".{CURRENT_FILE}.{os.getpid()}"
        temporary.write_text(generation.name, encoding="ascii")
        os.replace(temporary, self.root / CURRENT_FILE)
        keep = {generation.name, previous.name if previous else None}
        for path in self.root.glob(f"{GENERATION_PREFIX}*"):
            # The previous generation stays one more round: other processes may
            # still be reading it.
            if path.name not in keep:
                shutil.rmtree(path, ignore_errors=True)
        with self._lock:
            self._close_searcher()
            self.setup_complete = False

    def _current_stamp_now(self):
        try:
            stat = (self.root / CURRENT_FILE).stat()
        except FileNotFoundError:
            return None
        return (stat.st_mtime_ns, stat.st_ino)

    def setup(self):
        """Open the live generation. Never creates one: an index that is missing is
        reported (IndexUnavailable) and rebuilt on purpose, not silently started empty."""
        with self._lock:
            generation = self.live_generation()
            if generation is None or not generation.exists():
                self.setup_complete = False
                raise IndexMissing(
                    f"{self.root} 下没有检索索引（运行 python manage.py rebuild_index 建立）"
                )
            self.path = str(generation)
            try:
                super().setup()
                self._open_without_mmap()
            except (OSError, EmptyIndexError, ValueError, EOFError) as error:
                self.setup_complete = False
                raise IndexUnavailable(f"检索索引 {generation} 无法读取：{error}") from error
            self._current_stamp = self._current_stamp_now()

    def _open_without_mmap(self) -> None:
        """Read index files with ordinary reads instead of memory maps: a searching
        process then holds only what it reads (not every file it opened, gigabytes for a
        large archive), the first search does not page in whole files, and a file
        truncated under a reader is an error to report, not a SIGBUS that kills it."""
        self.storage = FileStorage(self.path, supports_mmap=False)
        self.index = self.storage.open_index(schema=self.schema)

    def open_generation(self, generation: Path) -> None:
        """Use `generation` (e.g. one being built) instead of the live one, creating it."""
        with self._lock:
            self._close_searcher()
            self.path = str(generation)
            WhooshSearchBackend.setup(self)
            self.live_generation = lambda: generation

    def build_schema(self, fields):
        content_field_name, schema = super().build_schema(fields)
        for field_class in fields.values():
            replacement = _schema_field(field_class)
            if replacement is not None:
                schema.remove(field_class.index_fieldname)
                schema.add(field_class.index_fieldname, replacement)
        return content_field_name, schema

    def _ensure_current(self) -> None:
        with self._lock:
            if not self.setup_complete or self._current_stamp != self._current_stamp_now():
                self.setup_complete = False
                self._close_searcher()
                self.setup()

    # -- writing ----------------------------------------------------------------------

    @contextlib.contextmanager
    def writer(self, **options) -> Iterator:
        """The index writer, waiting up to WRITE_LOCK_TIMEOUT for the lock; commits on success.

        `options` go to Whoosh (e.g. procs=2, multisegment=True for a full build).
        """
        self._ensure_current()
        try:
            writer = self.index.writer(
                timeout=WRITE_LOCK_TIMEOUT, delay=0.05, codec=ArchiveCodec(), **options
            )
        except LockError as error:
            raise IndexLocked(
                f"检索索引 {self.path} 被占用超过 {WRITE_LOCK_TIMEOUT:g} 秒"
            ) from error
        try:
            yield writer
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def prepare_document(self, index, obj) -> dict | None:
        try:
            doc = index.full_prepare(obj)
        except SkipDocument:
            return None
        for key in doc:
            doc[key] = self._from_python(doc[key])
        doc.pop("boost", None)
        return doc

    def update(self, index, iterable, commit=True):
        documents = [doc for doc in (self.prepare_document(index, obj) for obj in iterable) if doc]
        if not documents:
            return
        with self.writer() as writer:
            for doc in documents:
                writer.update_document(**doc)

    def remove(self, obj_or_string, commit=True):
        self.remove_identifiers([get_identifier(obj_or_string)])

    def remove_identifiers(self, identifiers: Iterable[str]) -> None:
        identifiers = list(identifiers)
        if not identifiers:
            return
        with self.writer() as writer:
            for identifier in identifiers:
                writer.delete_by_term("id", identifier)

    def clear(self, models=None, commit=True):
        # Clearing means switching to a new empty generation: readers never see a
        # half-deleted index.
        generation = self.new_generation()
        WhooshSearchBackend.setup(self._builder_for(generation))
        self.switch_to(generation)

    def _builder_for(self, generation: Path) -> ArchiveWhooshBackend:
        builder = type(self)(self.connection_alias, PATH=str(self.root))
        builder.open_generation(generation)
        return builder

    def delete_index(self):
        self.clear()

    # -- reading ----------------------------------------------------------------------

    def _close_searcher(self) -> None:
        if self._searcher is not None:
            with contextlib.suppress(Exception):
                self._searcher.close()
            self._searcher = None

    def close(self) -> None:
        """Close the searcher and its files; the next use opens the live generation again."""
        with self._lock:
            self._close_searcher()
            self.setup_complete = False

    @contextlib.contextmanager
    def searcher(self) -> Iterator:
        """A long-lived searcher, refreshed only when the index changed."""
        with self._lock:
            try:
                self._ensure_current()
                files = _files_stamp(self.path)
                if self._searcher is None:
                    self._searcher = self.index.searcher(weighting=ArchiveBM25F())
                else:
                    refreshed = self._searcher.refresh()
                    if refreshed is self._searcher and files != self._files:
                        # Same version, but its files changed under us (a damaged or
                        # replaced file): answer from the files, not from memory.
                        _forget(refreshed)
                    self._searcher = refreshed
                if files != self._files:
                    self._files = files
                    self._files_checksum = zlib.crc32(repr(sorted(files)).encode())
            except (OSError, EmptyIndexError, ValueError, EOFError) as error:
                self._close_searcher()
                self.setup_complete = False
                raise IndexUnavailable(f"检索索引无法读取：{error}") from error
            try:
                yield self._searcher
            except READ_ERRORS as error:
                # A damaged segment shows only when its postings are decoded.
                self._close_searcher()
                self.setup_complete = False
                raise IndexUnavailable(f"检索索引已损坏：{error!r}") from error

    def indexed_versions(self) -> dict[int, str]:
        """Article id → the version the index holds for it."""
        with self.searcher() as searcher:
            return {
                int(fields["django_id"]): fields.get("version", "")
                for fields in searcher.all_stored_fields()
            }

    def archive_search(
        self,
        *,
        query: ParsedQuery,
        source: str | None = None,
        years: YearRange | None = None,
        sort: str = "relevance",
        offset: int = 0,
        limit: int = 20,
    ) -> BackendResults:
        """Every article matching query and filters, in order, with facet counts.

        `source` "" selects articles without a publication. Facet counts of each
        dimension apply the query and the other dimension's filter. The documents
        matching each term and their scores are remembered until the index changes
        (memo.py).
        """
        with self.searcher() as searcher:
            if searcher.doc_count_all() == 0:
                return BackendResults(total=0, article_ids=[])
            memo = searcher_memo(searcher).documents
            return _search(searcher, memo, query, source, years, sort, offset, limit)

    def warm(self) -> bool:
        """Open the index and read its per-document columns, with the orders and groups
        made from them, as the first searches would; False when there is no readable
        index (searches will say so)."""
        try:
            with self.searcher() as searcher:
                if searcher.doc_count_all():
                    columns = _columns(searcher)
                    columns.date_rank("newest")
                    columns.date_rank("oldest")
                    columns.docs_of_source("")
        except IndexUnavailable:
            return False
        return True

    def version(self) -> str:
        """A name for what the index holds now, that changes whenever it does: the live
        generation, its commit, and its files (names, sizes, times: the same for every
        process, and different once a file was damaged or replaced under the readers)."""
        with self.searcher() as searcher:
            generation = searcher.reader().generation()
            return f"{Path(self.path).name}.{generation}.{self._files_checksum:08x}"

    def related(self, *, article_id: int, text: str, limit: int = 5) -> list[int]:
        """Articles sharing the most distinctive words with this one."""
        with self.searcher() as searcher:
            return _related(searcher, searcher_memo(searcher).documents, article_id, text, limit)


# How many of an article's most distinctive words pick its related articles (as
# Whoosh's more_like does by default).
RELATED_TERMS = 5


def _related(searcher, memo: Memo, article_id: int, text: str, limit: int) -> list[int]:
    """Whoosh's more_like(): the articles that score best for the article's key words,
    each word weighted by how distinctive it is. Scored from each word's remembered
    scores instead of running the query over every article that has one of them."""
    docnum = searcher.document_number(django_id=str(article_id))
    if docnum is None:
        return []
    key_terms = searcher.key_terms_from_text("text", text, numterms=RELATED_TERMS)
    total: dict[int, float] = {}
    get = total.get
    for word, weight in key_terms:
        docnums, scores = _term_table(searcher, memo, ("text", word))
        for other, score in zip(docnums, scores, strict=True):
            total[other] = get(other, 0.0) + score * weight
    total.pop(docnum, None)
    best = heapq.nsmallest(limit, total, key=lambda d: (-total[d], d))
    ids = _columns(searcher).article_id
    return [ids[d] for d in best]


@dataclass(frozen=True)
class _Matches:
    """The documents matching a query's terms, whatever the filters."""

    docs: frozenset[int]
    as_typed: frozenset[int] | None  # those with every term as typed; None: all of them
    pairs: Counter  # (source, year) -> documents, for facet counts under any filter

    def approximate_bytes(self) -> int:
        sets = len(self.docs) + len(self.as_typed or ())
        return sets * SET_BYTES + len(self.pairs) * 200

    def facet_counts(self, source: str | None, years: YearRange | None) -> tuple[Counter, Counter]:
        source_counts: Counter = Counter()
        year_counts: Counter = Counter()
        for (doc_source, doc_year), count in self.pairs.items():
            if years is None or years.accepts(doc_year or None):
                source_counts[doc_source] += count
            if source is None or doc_source == source:
                year_counts[doc_year] += count
        return source_counts, year_counts


def _matches(searcher, memo: Memo, query: ParsedQuery) -> _Matches:
    columns = _columns(searcher)
    required, as_typed = _match(searcher, memo, query)
    docs = columns.live if required is None else required
    if query.excluded:
        excluded: set[int] = set()
        for term in query.excluded:
            excluded.update(exact_docs(searcher, EXACT_FIELDS[term.field], term.text, memo))
        docs = docs - excluded
    sources, year_of = columns.source, columns.year
    return _Matches(
        docs=frozenset(docs),
        as_typed=None if as_typed is None else frozenset(as_typed),
        pairs=Counter((sources[d], year_of[d]) for d in docs),
    )


def _search(searcher, memo, query, source, years, sort, offset, limit) -> BackendResults:
    columns = _columns(searcher)
    matches = memo.get(
        ("matches", query.required, query.excluded), lambda: _matches(searcher, memo, query)
    )
    selected = matches.docs
    if source is not None:
        selected = selected & columns.docs_of_source(source)
    if years is not None:
        selected = selected & columns.docs_in_years(years)
    source_counts, year_counts = matches.facet_counts(source, years)
    first = _first(searcher, memo, columns, matches, selected, query, sort, offset + limit)
    return BackendResults(
        total=len(selected),
        article_ids=[columns.article_id[docnum] for docnum in first[offset:]],
        source_counts=source_counts,
        year_counts=year_counts,
    )


def _first(searcher, memo, columns, matches, selected, query, sort, needed) -> list[int]:
    """The `needed` first of the `selected` documents in result order."""
    if sort == "relevance" and query.required:
        scores = _scores(searcher, memo, _scoring_terms(_scoring_words(query)), selected)
        if matches.as_typed is None:
            return _best(scores, selected, needed)
        # Articles containing the words as typed come before those containing them
        # only as separate words.
        typed = selected & matches.as_typed
        best = _best(scores, typed, needed)
        return best + _best(scores, selected - typed, needed - len(best))
    return heapq.nsmallest(needed, selected, key=columns.date_rank(sort).__getitem__)


def _best(scores: dict[int, float], docs: frozenset[int], needed: int) -> list[int]:
    """The `needed` best-scoring docs, ties (and unscored documents) in index order."""
    if needed <= 0 or not docs:
        return []
    return heapq.nsmallest(needed, docs, key=lambda d: (-scores.get(d, 0.0), d))


class _Columns:
    """Per-document values for filtering, counting and sorting, read once per searcher
    (Whoosh's column readers decode one value per call; a list lookup is far cheaper),
    and the document sets and orders derived from them, made when first asked for."""

    def __init__(self, reader) -> None:
        self.live: frozenset[int] = frozenset(reader.all_doc_ids())
        self.source: list[str] = column_values(reader, "source")
        self.year: list[int] = column_values(reader, "year")
        self.date_key: list[int] = column_values(reader, "date_key")
        self.article_id: list[int] = column_values(reader, "article_id")
        self._by_source: dict[str, frozenset[int]] | None = None
        self._by_year: dict[int, frozenset[int]] | None = None
        self._date_ranks: dict[str, list[int]] = {}

    def docs_of_source(self, source: str) -> frozenset[int]:
        if self._by_source is None:
            self._by_source = _groups(self.live, self.source)
        return self._by_source.get(source, frozenset())

    def docs_in_years(self, years: YearRange) -> frozenset[int]:
        # Made from one group per year each time, not kept per range: a visitor can ask
        # for any of hundreds of thousands of ranges.
        if self._by_year is None:
            self._by_year = _groups(self.live, self.year)
        return frozenset().union(
            *(docs for year, docs in self._by_year.items() if years.accepts(year or None))
        )

    def date_rank(self, sort: str) -> list[int]:
        """Each document's place in `sort` order ("oldest", else newest first); undated
        articles last, ties by article id."""
        rank = self._date_ranks.get(sort)
        if rank is None:
            dates, ids = self.date_key, self.article_id
            if sort == "oldest":
                order = sorted(range(len(dates)), key=lambda d: (dates[d] == 0, dates[d], ids[d]))
            else:
                order = sorted(range(len(dates)), key=lambda d: (dates[d] == 0, -dates[d], -ids[d]))
            rank = [0] * len(order)
            for place, docnum in enumerate(order):
                rank[docnum] = place
            self._date_ranks[sort] = rank
        return rank


def _groups(docs: Iterable[int], values: list) -> dict:
    """The documents having each value."""
    groups: dict = {}
    for docnum in docs:
        groups.setdefault(values[docnum], set()).add(docnum)
    return {value: frozenset(members) for value, members in groups.items()}


def _files_stamp(path: str) -> frozenset[tuple[str, int, int]]:
    """Name, size and modification time of each file of an index directory."""
    stamp = set()
    with os.scandir(path) as entries:
        for entry in entries:
            with contextlib.suppress(FileNotFoundError):  # removed by a writer meanwhile
                stat = entry.stat()
                stamp.add((entry.name, stat.st_size, stat.st_mtime_ns))
    return frozenset(stamp)


def _forget(searcher) -> None:
    """Drop what was read and remembered through this searcher."""
    for name in ("_archive_memo", "_archive_columns"):
        searcher.__dict__.pop(name, None)


def _columns(searcher) -> _Columns:
    cached = getattr(searcher, "_archive_columns", None)
    if cached is None:
        cached = searcher._archive_columns = _Columns(searcher.reader())
    return cached


def column_values(reader, name: str) -> list:
    """Every document's value of a column, in document order.

    Whoosh's column readers read a number column one value at a time (a seek and a
    read each, without memory maps); its bytes are read here in one go per segment.
    """
    field = reader.schema[name]
    values: list = []
    for leaf, _ in reader.leaf_readers():
        column = leaf.column_reader(name, translate=False)
        stored = read_numbers(column, leaf.doc_count_all())
        if stored is None:
            stored = list(column)
        values.extend(map(field.from_column_value, stored))
    return values


# -- query translation --------------------------------------------------------------------


def _docs(searcher, query: wq.Query | None) -> set[int]:
    return set(query.docs(searcher)) if query is not None else set()


def exact_docs(searcher, fields: ExactFields, text: str, memo: Memo | None = None) -> array:
    """The documents whose folded field contains the folded text, ascending (an array:
    a tenth of a set's memory, while it is remembered)."""
    folded = fold(text)
    if not folded.strip():
        return array("i")
    if memo is not None:
        return memo.get(("exact", fields, folded), lambda: _exact_docs(searcher, fields, folded))
    return _exact_docs(searcher, fields, folded)


def _exact_docs(searcher, fields: ExactFields, folded: str) -> array:
    return array("i", sorted(_lookup(searcher, fields, folded)))


def _lookup(searcher, fields: ExactFields, folded: str) -> set[int]:
    if len(folded) <= fields.short_max:
        return _docs(searcher, wq.Term(fields.short, folded))
    if len(folded) < MAX_GRAM:
        # The start of a gram (grams at a segment's end are padded to be one).
        return _prefix_docs(searcher, fields.long, folded)
    if len(folded) == MAX_GRAM:
        return _docs(searcher, wq.Term(fields.long, folded))
    return _phrase_docs(searcher, fields.long, folded)


def _at_docs(matcher, docnums: list[int]) -> Iterator[int]:
    """Each of the ascending `docnums` that the matcher has, with the matcher on it."""
    if not matcher.is_active():
        return
    for docnum in docnums:
        if matcher.id() < docnum:
            matcher.skip_to(docnum)
            if not matcher.is_active():
                return
        if matcher.id() == docnum:
            yield docnum


def _prefix_docs(searcher, field: str, prefix: str) -> set[int]:
    """Documents with a term starting with `prefix`: each posting list read whole and
    merged as sets (Whoosh's prefix query walks a tree of union matchers instead, one
    document at a time; a common three-character prefix has dozens of grams)."""
    found: set[int] = set()
    for leaf, base in searcher.leaf_searchers():
        reader = leaf.reader()
        for term in reader.expand_prefix(field, prefix):
            ids = reader.postings(field, term).all_ids()
            found.update(ids if not base else (base + docnum for docnum in ids))
    return found


def phrase_cover(folded: str) -> list[tuple[int, str]]:
    """(offset, gram): the fewest MAX_GRAM-character grams that cover the phrase."""
    last = len(folded) - MAX_GRAM
    offsets = list(range(0, last + 1, MAX_GRAM))
    if offsets[-1] != last:
        offsets.append(last)
    return [(offset, folded[offset : offset + MAX_GRAM]) for offset in offsets]


def _phrase_docs(searcher, field: str, folded: str) -> set[int]:
    """Documents with the covering grams of the phrase at the phrase's offsets.

    Grams sit at the position of their first character, so the phrase occurs at p
    exactly when each covering gram (offset o) occurs at p + o. Whoosh's own phrase
    query would check every overlapping gram; the cover needs a quarter of them,
    and the rarest one first narrows the documents whose positions are read.
    """
    cover = phrase_cover(folded)
    found: set[int] = set()
    for leaf, base in searcher.leaf_searchers():
        reader = leaf.reader()
        if any((field, gram) not in reader for _, gram in cover):
            continue
        candidates: set[int] | None = None
        for _, gram in sorted(cover, key=lambda item: reader.doc_frequency(field, item[1])):
            ids = set(reader.postings(field, gram).all_ids())
            candidates = ids if candidates is None else candidates & ids
            if not candidates:
                break
        if not candidates:
            continue
        starts: dict[int, set[int]] = {}
        for offset, gram in cover:
            matcher = reader.postings(field, gram)
            survivors: dict[int, set[int]] = {}
            dense = len(candidates) >= reader.doc_frequency(field, gram) * DENSE_SELECTION
            for docnum, positions in _positions(matcher, candidates, dense=dense):
                shifted = {position - offset for position in positions}
                if offset:
                    shifted &= starts[docnum]
                if shifted:
                    survivors[docnum] = shifted
            starts = survivors
            candidates = set(survivors)
            if not candidates:
                break
        found.update(base + docnum for docnum in starts)
    return found


def _positions(matcher, docs: set[int], *, dense: bool) -> Iterator[tuple[int, list[int]]]:
    """(document, positions) for each of `docs` in the matcher, in document order.

    When the documents are many of the matcher's, its blocks are read whole (ids and
    values at once) instead of skipping to each document, one posting at a time.
    """
    if dense and isinstance(matcher, W3LeafMatcher):
        decode = matcher.format.decoder("positions")
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_values()
            first = matcher._i
            for docnum, value in zip(matcher._ids[first:], matcher._values[first:], strict=True):
                if docnum in docs:
                    yield docnum, decode(value)
            matcher._next_block()
        return
    for docnum in _at_docs(matcher, sorted(docs)):
        yield docnum, matcher.value_as("positions")


def _words_query(text: str) -> wq.Query | None:
    words = query_words(fold(text))
    if not words:
        return None
    return wq.And([wq.Term("text", word) for word in words])


def _match(searcher, memo: Memo, query: ParsedQuery) -> tuple[set[int] | None, set[int] | None]:
    """(articles matching the required terms, those matching every term as typed).

    Each exact phrase is looked up once; None when there are no required terms, or
    (second value) when every term is exact anyway.
    """
    matched: set[int] | None = None
    as_typed: set[int] | None = None
    any_loose = False
    for group in query.required:
        group_all: set[int] = set()
        group_typed: set[int] = set()
        for term in group:
            exact = exact_docs(searcher, EXACT_FIELDS[term.field], term.text, memo)
            group_typed.update(exact)
            group_all.update(exact)
            if not term.phrase and term.field is None:
                any_loose = True
                words = _words_query(term.text)
                if words is not None:
                    group_all.update(
                        memo.get(
                            ("words", term.text),
                            lambda q=words: array("i", sorted(q.docs(searcher))),
                        )
                    )
        matched = group_all if matched is None else matched & group_all
        as_typed = group_typed if as_typed is None else as_typed & group_typed
    return matched, (as_typed if any_loose else None)


SCORED_FIELDS = ("text", "title")


def _scoring_words(query: ParsedQuery) -> tuple[str, ...]:
    """Relevance is BM25 over the query's words in the body and (weighted) the title.

    Word terms need no positions, so scoring stays cheap when thousands of articles
    match; which articles match is decided exactly, elsewhere.
    """
    return tuple(sorted({w for term in query.terms for w in query_words(fold(term.text))}))


def _scoring_terms(words: Iterable[str]) -> list[tuple[str, str]]:
    return [(field, word) for word in words for field in SCORED_FIELDS]


# Below this many selected documents per posting of the query's terms, the selected
# documents' scores are looked up one by one; above, every document's sum is made once.
DENSE_SELECTION = 1 / 8


def _scores(searcher, memo: Memo, terms: list[tuple[str, str]], selected) -> Mapping[int, float]:
    """The score the query Or(Term(field, text) for each term) gives at least every
    selected document that has one of the terms (the others score 0).

    Each term's scores are read once per index version and remembered; so is their sum
    over all documents, when the selection is a large part of them.
    """
    tables = [_term_table(searcher, memo, term) for term in terms]
    postings = sum(len(docnums) for docnums, _ in tables)
    if len(selected) < postings * DENSE_SELECTION:
        return _scores_of(tables, selected)
    return memo.get(("scores", tuple(terms)), lambda: _sum_scores(tables))


def _scores_of(tables: list[tuple[array, array]], docs: Iterable[int]) -> dict[int, float]:
    """The summed scores of `docs`, each found in the tables by bisection, added in the
    tables' order (as Whoosh adds a query's terms: the sums are bit for bit the same)."""
    scores = dict.fromkeys(docs, 0.0)
    for docnums, values in tables:
        count = len(docnums)
        for docnum in scores:
            at = bisect_left(docnums, docnum)
            if at < count and docnums[at] == docnum:
                scores[docnum] += values[at]
    return scores


def _sum_scores(tables: list[tuple[array, array]]) -> dict[int, float]:
    """Per document, the sum of its scores in the tables, added in the tables' order."""
    total: dict[int, float] = {}
    get = total.get
    for docnums, scores in tables:
        for docnum, score in zip(docnums, scores, strict=True):
            total[docnum] = get(docnum, 0.0) + score
    return total


def _term_table(searcher, memo: Memo, term: tuple[str, str]) -> tuple[array, array]:
    """packed_scores of the term, remembered for the index version."""
    return memo.get(("term scores", term), lambda: packed_scores(searcher, term))


def packed_scores(searcher, term: tuple[str, str]) -> tuple[array, array]:
    """Every document with the term and the score the term gives it, as (ascending
    document numbers, scores) arrays: a tenth of a dict's memory, for remembering."""
    docnums, scores = array("i"), array("d")
    fieldname, text = term
    for leaf, base in searcher.leaf_searchers():
        reader = leaf.reader()
        if term not in reader:
            continue
        scorer = searcher.weighting.scorer(leaf, fieldname, text)
        matcher = reader.postings(fieldname, text, scorer=scorer)
        if isinstance(matcher, W3LeafMatcher) and isinstance(scorer, BM25FScorer):
            # Block by block, with BM25 computed exactly as the scorer does, instead of
            # three method calls per posting.
            idf, avgfl, b, k1 = scorer.idf, scorer.avgfl, scorer.B, scorer.K1
            lengths = field_lengths(reader, fieldname)
            while matcher.is_active():
                matcher._read_ids()
                matcher._read_weights()
                first = matcher._i
                ids, weights = matcher._ids[first:], matcher._weights[first:]
                docnums.extend(base + docnum for docnum in ids)
                scores.extend(
                    bm25(idf, weight, lengths[docnum], avgfl, b, k1)
                    for docnum, weight in zip(ids, weights, strict=True)
                )
                matcher._next_block()
        else:
            for docnum in _all_docs(matcher):
                docnums.append(base + docnum)
                scores.append(matcher.score())
    return docnums, scores


def _all_docs(matcher) -> Iterator[int]:
    """Each document of the matcher, with the matcher on it."""
    while matcher.is_active():
        yield matcher.id()
        matcher.next()


class ArticleIndexes(UnifiedIndex):
    """haystack's registry of indexes, holding the archive's index of articles (haystack
    would look for indexes in a `search_indexes` module of each app)."""

    def collect_indexes(self) -> list:
        from search.engines.whoosh.documents import ArticleIndex

        return [ArticleIndex()]


class ArchiveWhooshEngine(WhooshEngine):
    backend = ArchiveWhooshBackend
    unified_index = ArticleIndexes

    def get_backend(self):
        # haystack's own commands (update_index, clear_index) write through the archive's
        # engine when it is this one: one index, one searcher, one lock.
        from search.engines import get_engine

        backend = getattr(get_engine(), "backend", None)
        if isinstance(backend, ArchiveWhooshBackend):
            return backend
        return super().get_backend()
