"""haystack's Whoosh backend, subclassed: the index's generations, its writing and its searcher.

Subclassing (not copying) haystack's backend keeps its update_index machinery while:
- mapping our field types (fields.py) to Whoosh fields with Chinese analyzers;
- keeping one long-lived searcher, refreshed only when the index changed;
- waiting for the write lock and raising when it cannot be had, instead of
  silently losing a removal (haystack's remove() swallows LockError);
- keeping the index in generations (PATH/gen-*, named by PATH/CURRENT) so that a
  full rebuild happens beside the live index and is switched to atomically.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import struct
import threading
import time
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from haystack.backends.whoosh_backend import WhooshEngine, WhooshSearchBackend
from haystack.exceptions import SkipDocument
from haystack.utils import get_identifier
from haystack.utils.loading import UnifiedIndex
from whoosh.fields import NUMERIC, TEXT
from whoosh.filedb.filestore import FileStorage
from whoosh.index import EmptyIndexError, LockError

from search.engines.whoosh.analysis import (
    MAX_GRAM,
    SHORT_GRAM_SIZES,
    CharGramTokenizer,
    ChineseWordTokenizer,
)
from search.engines.whoosh.codec import ArchiveCodec
from search.engines.whoosh.columns import schema_field
from search.engines.whoosh.ranking import ArchiveBM25F
from search.errors import IndexLocked, IndexMissing, IndexUnavailable
from search.facets import FACETS

log = logging.getLogger("wencui.search")

CURRENT_FILE = "CURRENT"
GENERATION_PREFIX = "gen-"
WRITE_LOCK_TIMEOUT = float(os.environ.get("WENCUI_INDEX_LOCK_TIMEOUT", "30"))


# What Whoosh raises when index files are missing, truncated or corrupted.
READ_ERRORS = (OSError, EOFError, ValueError, zlib.error, struct.error, EmptyIndexError)


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
        for facet in FACETS:
            schema.add(facet.name, schema_field(facet))
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

    def version(self) -> str:
        """A name for what the index holds now, that changes whenever it does: the live
        generation, its commit, and its files (names, sizes, times: the same for every
        process, and different once a file was damaged or replaced under the readers)."""
        with self.searcher() as searcher:
            generation = searcher.reader().generation()
            return f"{Path(self.path).name}.{generation}.{self._files_checksum:08x}"


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
