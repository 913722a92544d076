"""This archive's own exchange format: every article as JSON Lines, exported and imported
without loss (ids, times, source files and lines kept).

One JSON object per line, keys sorted: id, title, subtitle, author, publication,
issue_label, issue_number, year, month, day, abstract, keywords, paragraphs, url, is_record,
source_document, source_lines, fingerprint, created, updated. Files written before
subtitle, issue_number, day, url and is_record existed import with those fields empty.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TextIO

from django.core.management.color import no_style
from django.db import connection
from django.db.models import Prefetch

from archive.fingerprint import article_fingerprint
from archive.ingest.base import REASON_UNREADABLE_CHARS, DroppedLine, ImportFailed
from archive.ingest.sniffing import iter_lines
from archive.ingest.sources import SourceFile
from archive.ingest.storage import (
    DOCUMENT_NAME_LIMIT,
    Names,
    StoreReport,
    check_lengths,
    link_keywords,
    unique_keywords,
    update_article,
)
from archive.models import Article, ArticleKeyword
from archive.text import escaped_characters, unstorable_characters, without_unstorable

Progress = Callable[[str], None]
PROGRESS_EVERY_LINES = 1000
# The keys every export has had; a JSON Lines file whose first record has them all is one.
EXPORT_KEYS = frozenset(
    {
        "id",
        "title",
        "author",
        "publication",
        "issue_label",
        "year",
        "month",
        "abstract",
        "keywords",
        "paragraphs",
        "source_document",
        "source_lines",
        "fingerprint",
        "created",
        "updated",
    }
)

_KINDS = {
    "id": "正整数",
    "title": "非空字符串",
    "author": "字符串",
    "publication": "字符串或 null",
    "issue_label": "字符串",
    "year": "1–9999 的整数或 null",
    "month": "1–12 的整数或 null",
    "abstract": "字符串",
    "keywords": "字符串列表",
    "paragraphs": "字符串列表",
    "source_document": "字符串或 null",
    "source_lines": "字符串",
    "fingerprint": "字符串",
    "created": "带时区的 ISO 8601 时间字符串",
    "updated": "带时区的 ISO 8601 时间字符串",
}
# Fields added later: optional, so that older exports still import.
_OPTIONAL_KINDS = {
    "subtitle": "字符串",
    "issue_number": "非负整数或 null",
    "day": "1–31 的整数或 null",
    "url": "字符串",
    "is_record": "true 或 false",
}
_OPTIONAL_DEFAULTS: dict[str, Any] = {
    "subtitle": "",
    "issue_number": None,
    "day": None,
    "url": "",
    "is_record": False,
}


# Article ids are 64-bit (BigAutoField); issue numbers what a PositiveIntegerField holds.
_MAX_ID = 2**63 - 1
_MAX_ISSUE_NUMBER = 2**31 - 1


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _aware_datetime(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


_CHECKS: dict[str, Callable[[Any], bool]] = {
    "id": lambda v: _is_int(v) and 1 <= v <= _MAX_ID,
    "title": lambda v: isinstance(v, str) and bool(v.strip()),
    "author": lambda v: isinstance(v, str),
    "publication": lambda v: v is None or isinstance(v, str),
    "issue_label": lambda v: isinstance(v, str),
    "year": lambda v: v is None or (_is_int(v) and 1 <= v <= 9999),
    "month": lambda v: v is None or (_is_int(v) and 1 <= v <= 12),
    "abstract": lambda v: isinstance(v, str),
    "keywords": _is_str_list,
    "paragraphs": _is_str_list,
    "source_document": lambda v: (
        v is None or (isinstance(v, str) and len(v) <= DOCUMENT_NAME_LIMIT)
    ),
    "source_lines": lambda v: isinstance(v, str),
    "fingerprint": lambda v: isinstance(v, str),
    "created": lambda v: _aware_datetime(v) is not None,
    "updated": lambda v: _aware_datetime(v) is not None,
    "subtitle": lambda v: isinstance(v, str),
    "issue_number": lambda v: v is None or (_is_int(v) and 0 <= v <= _MAX_ISSUE_NUMBER),
    "day": lambda v: v is None or (_is_int(v) and 1 <= v <= 31),
    "url": lambda v: isinstance(v, str),
    "is_record": lambda v: isinstance(v, bool),
}


@dataclass
class _Record:
    number: int
    id: int
    values: dict[str, Any]  # article fields, without foreign keys
    publication: str | None
    source_document: str | None
    keywords: list[str]
    created: datetime
    updated: datetime
    removed: list[str]  # characters no database can store, taken out of its texts


def _storable(value: Any, removed: list[str]) -> Any:
    """The value with the characters no database can store taken out of its strings (an
    export made from SQLite may hold a NUL), those found added to removed."""
    if isinstance(value, str):
        removed.extend(unstorable_characters(value))
        return without_unstorable(value)
    if isinstance(value, list):
        return [_storable(item, removed) for item in value]
    if isinstance(value, dict):
        return {key: _storable(item, removed) for key, item in value.items()}
    return value


def _parse_record(line: str, number: int, label: str) -> _Record:
    """One JSON Lines record, validated; any problem fails the whole file."""
    where = f"第 {number} 行"
    try:
        data = json.loads(line)
    except json.JSONDecodeError as error:
        message = f"{where}不是有效的 JSON（第 {error.colno} 列：{error.msg}）"
        raise ImportFailed(f"{label}: {message}") from None
    if not isinstance(data, dict):
        raise ImportFailed(f"{label}: {where}不是 JSON 对象")
    missing = [key for key in _KINDS if key not in data]
    if missing:
        raise ImportFailed(f"{label}: {where}缺少字段：{'、'.join(missing)}")
    data = {**_OPTIONAL_DEFAULTS, **data}
    removed: list[str] = []
    data = _storable(data, removed)
    kinds = {**_KINDS, **_OPTIONAL_KINDS}
    for key, check in _CHECKS.items():
        if not check(data[key]):
            raise ImportFailed(f"{label}: {where}的字段“{key}”应为{kinds[key]}")
    if data["month"] is not None and data["year"] is None:
        raise ImportFailed(f"{label}: {where}有月份而没有年份")
    if data["day"] is not None and data["month"] is None:
        raise ImportFailed(f"{label}: {where}有日而没有月份")
    keywords = unique_keywords(data["keywords"])
    values = {
        "title": data["title"],
        "subtitle": data["subtitle"],
        "author": data["author"],
        "issue_label": data["issue_label"],
        "issue_number": data["issue_number"],
        "year": data["year"],
        "month": data["month"],
        "day": data["day"],
        "abstract": data["abstract"],
        "url": data["url"],
        "is_record": data["is_record"],
        "body": "\n".join(data["paragraphs"]),
        "source_lines": data["source_lines"],
    }
    problem = check_lengths(values, data["publication"] or "", keywords)
    if problem:
        raise ImportFailed(f"{label}: {where}：{problem}")
    # The stored fingerprint is recomputed from title and body on save; the file's value is
    # not trusted, since the file may have been edited by hand.
    return _Record(
        number=number,
        id=data["id"],
        values=values,
        publication=data["publication"],
        source_document=data["source_document"],
        keywords=keywords,
        created=_aware_datetime(data["created"]),
        updated=_aware_datetime(data["updated"]),
        removed=removed,
    )


def _iter_records(source: SourceFile) -> Iterator[_Record]:
    for number, line in enumerate(iter_lines(source), 1):
        if line.strip():
            yield _parse_record(line, number, source.label)


def _store_record(
    record: _Record,
    names: Names,
    touched: set[int],
    report: StoreReport,
    *,
    may_renumber: bool,
) -> bool:
    """Store one record; False if it must wait because its id is taken (see _import_jsonl)."""
    values = dict(record.values)
    values["publication_id"] = names.publication_id(record.publication)
    values["source_document_id"] = names.document_id(record.source_document)
    fingerprint = article_fingerprint(title=values["title"], body=values["body"])
    same_text = Article.objects.filter(fingerprint=fingerprint)
    article = same_text.filter(pk=record.id).first() or same_text.order_by("id").first()
    if article is not None and article.pk in touched:
        # Two records of this file with the same text: the first one stands.
        report.duplicates.append(record.values["title"])
        return True
    if article is None and Article.objects.filter(pk=record.id).exists() and not may_renumber:
        return False
    keyword_ids = names.keyword_ids(record.keywords)
    if article is None:
        # The exported id is kept when it is free, so that links to the article survive.
        free = not Article.objects.filter(pk=record.id).exists()
        article = Article(id=record.id if free else None, created=record.created, **values)
        article.save(force_insert=True)
        link_keywords(article, keyword_ids)
        report.created.append(article.title)
    else:
        times_differ = article.created != record.created or article.updated != record.updated
        if not update_article(article, values, keyword_ids):
            if not times_differ:
                touched.add(article.pk)
                report.unchanged.append(article.title)
                return True
            # Only the times differ. Saved all the same: the save is what tells the search
            # index that the article's version (fingerprint and `updated`) changed.
            article.save()
        report.updated.append(article.title)
    touched.add(article.pk)
    # The times are the file's, not the moment of import: save() has set `updated` to now.
    Article.objects.filter(pk=article.pk).update(created=record.created, updated=record.updated)
    return True


def _reset_article_sequence() -> None:
    # Rows inserted with explicit ids leave a PostgreSQL sequence behind (SQLite needs nothing).
    statements = connection.ops.sequence_reset_sql(no_style(), [Article])
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def import_export_file(source: SourceFile, *, progress: Progress | None = None) -> StoreReport:
    """Import an export of this archive (see export_jsonl): ids, times and source files kept.

    Call inside a transaction: any bad record fails the whole file.
    """
    report = StoreReport()
    names = Names()
    touched: set[int] = set()
    if True:
        # First pass: every record whose id is free or whose text is already stored. Records
        # whose id is taken by another article wait for the second pass, so that new ids are
        # handed out only after every exported id has been claimed.
        waiting: set[int] = set()
        for record in _iter_records(source):
            if record.removed:
                chars = escaped_characters(sorted(set(record.removed)))
                report.dropped.append(DroppedLine(record.number, chars, REASON_UNREADABLE_CHARS))
            if not _store_record(record, names, touched, report, may_renumber=False):
                waiting.add(record.number)
            if progress and record.number % PROGRESS_EVERY_LINES == 0:
                progress(f"已读 {record.number} 行")
        if report.created:
            _reset_article_sequence()
        if waiting:
            for record in _iter_records(source):
                if record.number in waiting:
                    _store_record(record, names, touched, report, may_renumber=True)
    return report


def _export_record(article: Article) -> dict[str, Any]:
    return {
        "id": article.pk,
        "title": article.title,
        "subtitle": article.subtitle,
        "author": article.author,
        "publication": article.publication.name if article.publication_id else None,
        "issue_label": article.issue_label,
        "issue_number": article.issue_number,
        "year": article.year,
        "month": article.month,
        "day": article.day,
        "abstract": article.abstract,
        "keywords": [link.keyword.name for link in article.keyword_links.all()],
        # The body as stored, blank lines included, so that an import restores it exactly.
        "paragraphs": article.body.split("\n") if article.body else [],
        "url": article.url,
        "is_record": article.is_record,
        "source_document": article.source_document.name if article.source_document_id else None,
        "source_lines": article.source_lines,
        "fingerprint": article.fingerprint,
        "created": article.created.isoformat(),
        "updated": article.updated.isoformat(),
    }


def exported_articles():
    """Articles with what an export line reads of them (publication, source file, keywords
    in their order), for export_line()."""
    links = ArticleKeyword.objects.select_related("keyword").order_by("position", "id")
    return Article.objects.select_related("publication", "source_document").prefetch_related(
        Prefetch("keyword_links", queryset=links)
    )


def export_line(article: Article) -> str:
    """One article as a line of the exchange format (ending in a line feed); the article
    comes from exported_articles()."""
    record = _export_record(article)
    return json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


def export_jsonl(*, out: TextIO, progress: Progress | None = None) -> int:
    """Write every article, by id, one JSON object per line; returns how many."""
    count = 0
    for article in exported_articles().order_by("id").iterator(chunk_size=500):
        # One write per line: a Django OutputWrapper would add its own line end to a bare line.
        out.write(export_line(article))
        count += 1
        if progress and count % PROGRESS_EVERY_LINES == 0:
            progress(f"已导出 {count} 篇")
    return count
