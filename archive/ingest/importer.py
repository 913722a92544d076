"""Importing files, folders and .zip archives: each file parsed, then stored in its own
transaction, with a report of what became of every article and every dropped line."""

from __future__ import annotations

import contextvars
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from archive.ingest.base import (
    REASON_UNREADABLE_CHARS,
    DroppedLine,
    ImportFailed,
    ParsedArticle,
    ParseOptions,
    ParseResult,
    PartialDate,
)
from archive.ingest.exchange import import_export_file
from archive.ingest.metadata import date_in_path
from archive.ingest.registry import parser_for
from archive.ingest.sources import Skipped, SourceFile, Unreadable, iter_sources
from archive.ingest.storage import DOCUMENT_NAME_LIMIT, StoreReport, store_parsed_file
from archive.models import SourceDocument
from archive.signals import articles_imported
from archive.text import escaped_characters, unstorable_characters, without_unstorable

Progress = Callable[[str], None]

# Set while an import of many files runs: index updates queue up and are applied once at
# the end instead of after every file's transaction.
bulk_import = contextvars.ContextVar("bulk_import", default=False)


@dataclass
class ImportOptions:
    dry_run: bool = False
    publication: str = ""  # for every article that names none
    date_from_path: bool = False  # a date in the file's path for articles without a full date
    field_map: dict[str, str] = field(default_factory=dict)


@dataclass
class FileReport:
    name: str  # as stored
    label: str  # as shown
    format: str = ""
    format_label: str = ""
    error: str = ""  # why nothing of the file was imported
    skipped: str = ""  # why the file was not read at all (not an article)
    file_unchanged: bool = False
    articles: list[ParsedArticle] = field(default_factory=list)
    dropped: list[DroppedLine] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    stored: StoreReport = field(default_factory=StoreReport)
    seconds: float = 0.0

    @property
    def created(self) -> list[str]:
        return self.stored.created

    @property
    def updated(self) -> list[str]:
        return self.stored.updated

    @property
    def unchanged(self) -> list[str]:
        return self.stored.unchanged

    @property
    def deleted(self) -> list[str]:
        return self.stored.deleted

    @property
    def duplicates(self) -> list[str]:
        return self.stored.duplicates

    @property
    def cleaned(self) -> list[DroppedLine]:
        """The lines that held characters no database can store, which were removed."""
        return [line for line in self.dropped if line.reason == REASON_UNREADABLE_CHARS]


@dataclass
class ImportSummary:
    files: list[FileReport] = field(default_factory=list)
    dry_run: bool = False

    def count(self, name: str) -> int:
        return sum(len(getattr(report, name)) for report in self.files)

    @property
    def failed(self) -> list[FileReport]:
        return [report for report in self.files if report.error]


def apply_options(result: ParseResult, source: SourceFile, options: ImportOptions) -> None:
    """What the user said of the whole import, where the files themselves say nothing."""
    path_date = date_in_path(source.name) if options.date_from_path else None
    for article in result.articles:
        if options.publication and not article.publication:
            article.publication = options.publication
        if path_date and not (article.year and article.month and article.day):
            if article.year in (None, path_date.year):
                date = PartialDate(path_date.year, path_date.month, path_date.day)
                article.year = date.year
                article.month = article.month or date.month
                article.day = article.day or (date.day if article.month == date.month else None)


_TEXT_FIELDS = ("title", "subtitle", "author", "publication", "issue_label", "abstract", "url")


def remove_unstorable(result: ParseResult) -> None:
    """Take the characters no database can store (NUL, halves of surrogate pairs) out of what
    the parser found, with a dropped line for each line they were on, showing them escaped.

    Done here, once for every format, so that no format can store them or lose them silently.
    """
    for article in result.articles:
        removed: dict[int, list[str]] = {}
        lines = []
        for number, raw in article.source_lines:
            lines.append((number, _clean(raw, number, removed)))
        article.source_lines = lines
        _clean_dropped(article.dropped, removed)
        in_fields: dict[int, list[str]] = {}
        for name in _TEXT_FIELDS:
            setattr(article, name, _clean(getattr(article, name), 0, in_fields))
        for name in ("keywords", "paragraphs"):
            cleaned = [_clean(value, 0, in_fields) for value in getattr(article, name)]
            # A paragraph (or keyword) of nothing else is no paragraph.
            setattr(article, name, [value for value in cleaned if value.strip()])
        seen = {char for chars in removed.values() for char in chars}
        if set(in_fields.get(0, [])) - seen:
            # In no raw line: written as an escape in the file (a JSON "\u0000"), or taken
            # from the file's properties. Noted at the article's first line.
            first = article.source_lines[0][0] if article.source_lines else 0
            removed.setdefault(first, []).extend(in_fields[0])
        article.dropped.extend(_notes(removed))
    removed = {}
    _clean_dropped(result.dropped, removed)
    result.dropped.extend(_notes(removed))


def _clean(text: str, number: int, removed: dict[int, list[str]]) -> str:
    """The text without unstorable characters; those found are added to removed[number]."""
    found = unstorable_characters(text)
    if not found:
        return text
    removed.setdefault(number, []).extend(found)
    return without_unstorable(text)


def _clean_dropped(dropped: list[DroppedLine], removed: dict[int, list[str]]) -> None:
    # Lines left out for another reason keep that reason and their text, less what cannot
    # be stored, which is noted like any other line's.
    for line in dropped:
        line.text = _clean(line.text, line.number, removed)


def _notes(removed: dict[int, list[str]]) -> list[DroppedLine]:
    return [
        DroppedLine(number, escaped_characters(sorted(set(chars))), REASON_UNREADABLE_CHARS)
        for number, chars in sorted(removed.items())
    ]


def import_source(
    source: SourceFile, options: ImportOptions, progress: Progress | None = None
) -> FileReport:
    """Parse one file and store it in one transaction: all of it or, on any error, nothing."""
    started = time.monotonic()
    report = FileReport(name=source.name, label=source.label)
    try:
        if len(source.name) > DOCUMENT_NAME_LIMIT:
            raise ImportFailed(f"{source.label}: 路径长 {len(source.name)} 字，超过上限")
        parser = parser_for(source)
        report.format, report.format_label = parser.format, parser.label
        known = SourceDocument.objects.filter(name=source.name).only("sha256").first()
        if known is not None and known.sha256 and known.sha256 == source.sha256:
            report.file_unchanged = True
            return report
        if getattr(parser, "lossless", False):
            with transaction.atomic():
                report.stored = import_export_file(source, progress=progress)
                if options.dry_run:
                    transaction.set_rollback(True)
            report.dropped = report.stored.dropped
            return report
        # Parsing happens before the transaction: the write lock is held only while storing.
        result = parser.parse(source, ParseOptions(field_map=options.field_map))
        apply_options(result, source, options)
        remove_unstorable(result)
        report.articles = result.articles
        report.notes = result.notes
        report.dropped = sorted(
            [*result.dropped, *(line for a in result.articles for line in a.dropped)],
            key=lambda line: line.number,
        )
        with transaction.atomic():
            report.stored = store_parsed_file(
                name=source.name,
                label=source.label,
                sha256=source.sha256,
                format=parser.format,
                parsed=result,
                dropped=report.dropped,
                progress=progress,
            )
            if options.dry_run:
                transaction.set_rollback(True)
    except ImportFailed as error:
        report.error = str(error)
        report.articles = []
    finally:
        report.seconds = time.monotonic() - started
    return report


def iter_import(
    paths: list[Path], options: ImportOptions, progress: Progress | None = None
) -> Iterator[FileReport]:
    """Import every file under the paths, yielding each file's report as it is done."""
    return import_items(iter_sources([Path(path) for path in paths]), options, progress)


def import_items(
    items: Iterable[SourceFile | Skipped | Unreadable],
    options: ImportOptions,
    progress: Progress | None = None,
) -> Iterator[FileReport]:
    """Import these files (from iter_sources), yielding each file's report as it is done.

    Index updates queue up during the import and are applied once at the end.
    """
    with _bulk():
        try:
            for item in items:
                if isinstance(item, Unreadable):
                    yield FileReport(name=item.name, label=item.name, error=item.message)
                elif isinstance(item, Skipped):
                    yield FileReport(name=item.name, label=item.name, skipped=item.reason)
                else:
                    yield import_source(item, options, progress)
        finally:
            if not options.dry_run:
                # After the commit of whatever transaction the import ran in (none, from
                # the command): what the receivers read must be there to read.
                transaction.on_commit(lambda: articles_imported.send(sender=ImportOptions))


def import_paths(
    paths: list[Path], options: ImportOptions | None = None, progress: Progress | None = None
) -> ImportSummary:
    options = options or ImportOptions()
    summary = ImportSummary(dry_run=options.dry_run)
    summary.files = list(iter_import(paths, options, progress))
    return summary


@contextmanager
def _bulk():
    token = bulk_import.set(True)
    try:
        yield
    finally:
        bulk_import.reset(token)
