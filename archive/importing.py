"""Import raw-text and JSON Lines files into the archive, and export it as JSON Lines."""

from __future__ import annotations

import codecs
import hashlib
import json
import re
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Prefetch
from django.utils import timezone

from archive.fingerprint import article_fingerprint
from archive.models import Article, ArticleKeyword, Keyword, Publication, SourceDocument
from archive.parsing import DroppedLine, DuplicateMerger, ParsedArticle, iter_raw_articles

Progress = Callable[[str], None]

# The encoding is decided on this much of the file; the rest is decoded line by line.
SNIFF_BYTES = 64 * 1024
# A NUL byte this early means a binary file (text never contains one).
BINARY_PROBE_BYTES = 8 * 1024
HASH_CHUNK_BYTES = 1024 * 1024
# Share of GB2312 characters below which GB18030-decoded text is taken for mojibake.
GB2312_SHARE = 0.8
PROGRESS_EVERY_LINES = 1000
PROGRESS_EVERY_ARTICLES = 100
# SQLite refuses statements with too many parameters; delete in batches of this size.
DELETE_BATCH = 500

_ASCII_SPACE = b" \t\r\n\x0b\x0c"
_SPACE = re.compile(r"\s+")
# JSON Lines: the first non-blank character is "{", and a key (or the end) follows. A raw
# text opening with a bracketed note ("{编者按}…") stays raw text.
_JSON_OBJECT_START = re.compile(r'\s*\{\s*["}]')
_ENCODING_NAMES = {"utf-8": "UTF-8", "gb18030": "GB18030"}


class ImportFailed(Exception):
    """A file that cannot be imported; the message is one line that names the file."""


@dataclass
class ImportReport:
    path: Path
    format: str  # "text" or "jsonl"
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    # Articles not stored because the archive already holds the same text from elsewhere.
    duplicates: list[str] = field(default_factory=list)
    dropped: list[DroppedLine] = field(default_factory=list)
    articles: list[ParsedArticle] = field(default_factory=list)
    file_unchanged: bool = False


# --- Reading files ---------------------------------------------------------------------------


@dataclass
class _Source:
    path: Path
    label: str  # the path as the user gave it, for messages
    encoding: str  # "utf-8" or "gb18030"
    bom: bool
    sha256: str
    format: str


def _fail(label: str, message: str) -> ImportFailed:
    return ImportFailed(f"{label}: {message}")


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _decode_head(head: bytes, encoding: str, *, complete: bool) -> str:
    # Incremental, so that a character cut in two at the end of the sample is not an error.
    return codecs.getincrementaldecoder(encoding)().decode(head, final=complete)


def _plausibly_chinese(text: str) -> bool:
    """Whether text decoded as GB18030 reads as simplified Chinese rather than mojibake.

    GB18030 accepts almost any byte pairs, so Shift-JIS or Big5 files decode without an
    error. In simplified Chinese nearly every character is in the GB2312 set (the bundled
    corpus: 100 %); Big5 read as GB18030 gives under 50 %, Shift-JIS almost none. Traditional
    Chinese saved as GBK (about 60 %) is refused too: converted to UTF-8 it imports fine,
    whereas accepted mojibake would end up in the archive.
    """
    counts = Counter(char for char in text if ord(char) > 0x7F)
    total = sum(counts.values())
    if total < 20:  # too little to judge
        return True
    common = 0
    for char, count in counts.items():
        try:
            char.encode("gb2312")
        except UnicodeEncodeError:
            continue
        common += count
    return common >= GB2312_SHARE * total


def _sniff_encoding(head: bytes, *, complete: bool, label: str) -> tuple[str, bool, str]:
    """(encoding, has BOM, decoded head) — UTF-8 first, then GB18030."""
    if head.startswith(codecs.BOM_UTF8):
        try:
            return "utf-8", True, _decode_head(head[3:], "utf-8", complete=complete)
        except UnicodeDecodeError as error:
            line = _line_of(head, error.start + 3)
            raise _fail(label, f"以 UTF-8 标记开头，但第 {line} 行不是有效的 UTF-8 文本") from None
    try:
        return "utf-8", False, _decode_head(head, "utf-8", complete=complete)
    except UnicodeDecodeError as error:
        utf8_line = _line_of(head, error.start)
    try:
        text = _decode_head(head, "gb18030", complete=complete)
    except UnicodeDecodeError:
        raise _fail(
            label,
            f"不是 UTF-8 或 GB18030 编码的文本（按 UTF-8 读，第 {utf8_line} 行有无效字节），"
            "请先转换为 UTF-8",
        ) from None
    if not _plausibly_chinese(text):
        raise _fail(
            label,
            "不是 UTF-8 编码，按 GB18030 读又不像简体中文（也许是 Big5、Shift-JIS 等编码），"
            "请先转换为 UTF-8",
        )
    return "gb18030", False, text


def _inspect(path: Path) -> _Source:
    """Check that the file is readable non-empty text; find its encoding, format and hash."""
    label = str(path)
    try:
        if not path.exists():
            raise _fail(label, "文件不存在")
        if path.is_dir():
            raise _fail(label, "是目录，不是文件")
        if not path.is_file():
            raise _fail(label, "不是普通文件")
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
            digest = hashlib.sha256(head)
            has_content = bool(head.removeprefix(codecs.BOM_UTF8).strip(_ASCII_SPACE))
            # Hashing reads the whole file once more, in chunks: memory stays bounded.
            for chunk in iter(lambda: handle.read(HASH_CHUNK_BYTES), b""):
                digest.update(chunk)
                has_content = has_content or bool(chunk.strip(_ASCII_SPACE))
    except PermissionError:
        raise _fail(label, "没有读取权限") from None
    except OSError as error:
        raise _fail(label, f"无法读取（{error.strerror or error}）") from None
    if not has_content:
        raise _fail(label, "文件是空的")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise _fail(label, "是 UTF-16 或 UTF-32 编码，请先转换为 UTF-8")
    if b"\x00" in head[:BINARY_PROBE_BYTES]:
        raise _fail(label, "含有 NUL 字节，是二进制文件，不是文本")
    complete = len(head) < SNIFF_BYTES
    encoding, bom, text = _sniff_encoding(head, complete=complete, label=label)
    if complete and not text.strip():
        raise _fail(label, "文件是空的（只有空白字符）")
    return _Source(
        path=path,
        label=label,
        encoding=encoding,
        bom=bom,
        sha256=digest.hexdigest(),
        format="jsonl" if _JSON_OBJECT_START.match(text) else "text",
    )


def _iter_lines(source: _Source, *, split_cr: bool) -> Iterator[tuple[int, str]]:
    """(line number, line without its line end), reading one line at a time.

    With split_cr, lines are split as parse_raw_text splits them ("\\r\\n", "\\n" or a lone
    "\\r"), so line numbers agree with it. Each line is decoded on its own: "\\n" and "\\r"
    never occur inside a UTF-8 or GB18030 character, and a decoding error names its line.
    """
    number = 0
    try:
        with source.path.open("rb") as handle:
            for raw in handle:
                try:
                    text = raw.decode(source.encoding)
                except UnicodeDecodeError:
                    name = _ENCODING_NAMES[source.encoding]
                    raise _fail(source.label, f"第 {number + 1} 行不是有效的 {name} 文本") from None
                if number == 0 and source.bom:
                    text = text.removeprefix("\ufeff")
                if text.endswith("\r\n"):
                    text = text[:-2]
                elif text.endswith(("\n", "\r")):
                    text = text[:-1]
                for line in text.split("\r") if split_cr else (text,):
                    number += 1
                    if "\x00" in line:
                        raise _fail(source.label, f"第 {number} 行含有 NUL 字节，不是文本")
                    yield number, line
    except OSError as error:
        raise _fail(source.label, f"读取中断（{error.strerror or error}）") from None


# --- Shared storage helpers ------------------------------------------------------------------


def _max_length(model: type, name: str) -> int:
    return model._meta.get_field(name).max_length


_LIMITS = {
    "title": _max_length(Article, "title"),
    "author": _max_length(Article, "author"),
    "issue_label": _max_length(Article, "issue_label"),
}
_PUBLICATION_LIMIT = _max_length(Publication, "name")
_KEYWORD_LIMIT = _max_length(Keyword, "name")
_DOCUMENT_LIMIT = _max_length(SourceDocument, "name")
_FIELD_LABELS = {"title": "标题", "author": "作者", "issue_label": "期号"}


def _check_lengths(values: dict[str, Any], publication: str, keywords: list[str]) -> str | None:
    """What is too long to store, or None. SQLite would store it anyway; other databases fail."""
    for name, limit in _LIMITS.items():
        if len(values[name]) > limit:
            return f"{_FIELD_LABELS[name]}长 {len(values[name])} 字，超过上限 {limit} 字"
    if len(publication) > _PUBLICATION_LIMIT:
        return f"刊物名长 {len(publication)} 字，超过上限 {_PUBLICATION_LIMIT} 字"
    for keyword in keywords:
        if len(keyword) > _KEYWORD_LIMIT:
            return f"关键词“{keyword[:20]}…”超过上限 {_KEYWORD_LIMIT} 字"
    return None


def _unique_keywords(names: list[str]) -> list[str]:
    # An article links a keyword once (unique constraint); keep the first occurrence's place.
    return list(dict.fromkeys(name.strip() for name in names if name.strip()))


class _Names:
    """Publications, keywords and source documents by name, created on first use."""

    def __init__(self) -> None:
        self._publications: dict[str, int] = {}
        self._keywords: dict[str, int] = {}
        self._documents: dict[str, int] = {}

    def publication_id(self, name: str | None) -> int | None:
        name = (name or "").strip()
        if not name:
            return None
        if name not in self._publications:
            self._publications[name] = Publication.objects.get_or_create(name=name)[0].pk
        return self._publications[name]

    def keyword_ids(self, names: list[str]) -> list[int]:
        ids = []
        for name in names:
            if name not in self._keywords:
                self._keywords[name] = Keyword.objects.get_or_create(name=name)[0].pk
            ids.append(self._keywords[name])
        return ids

    def document_id(self, name: str | None) -> int | None:
        if not name:
            return None
        if name not in self._documents:
            # A document known only from an export has no hash: re-importing the raw file
            # then counts as a change and matches its articles in place.
            document, _ = SourceDocument.objects.get_or_create(name=name, defaults={"sha256": ""})
            self._documents[name] = document.pk
        return self._documents[name]


def _keyword_ids_of(article: Article) -> list[int]:
    links = article.keyword_links.order_by("position", "id")
    return list(links.values_list("keyword_id", flat=True))


def _link_keywords(article: Article, keyword_ids: list[int]) -> None:
    ArticleKeyword.objects.bulk_create(
        ArticleKeyword(article=article, keyword_id=keyword_id, position=position)
        for position, keyword_id in enumerate(keyword_ids)
    )


def _differs(article: Article, values: dict[str, Any]) -> bool:
    return any(getattr(article, name) != value for name, value in values.items())


def _update_article(article: Article, values: dict[str, Any], keyword_ids: list[int]) -> bool:
    """Bring the article to these values; True if anything changed (and it was saved)."""
    keywords_changed = _keyword_ids_of(article) != keyword_ids
    if not keywords_changed and not _differs(article, values):
        # No save(): it would move `updated` for an article whose content did not change.
        return False
    for name, value in values.items():
        setattr(article, name, value)
    article.save()
    if keywords_changed:
        article.keyword_links.all().delete()
        _link_keywords(article, keyword_ids)
    return True


def _delete_articles(ids: list[int]) -> list[str]:
    titles = []
    for start in range(0, len(ids), DELETE_BATCH):
        batch = Article.objects.filter(pk__in=ids[start : start + DELETE_BATCH]).order_by("id")
        titles.extend(batch.values_list("title", flat=True))
        batch.delete()
    return titles


# --- Raw text --------------------------------------------------------------------------------


def _title_author_key(title: str, author: str) -> str:
    return _SPACE.sub("", title) + "\n" + _SPACE.sub("", author)


def _first_line_number(source_lines: str) -> int:
    head = source_lines.split("\t", 1)[0]
    return int(head) if head.isdigit() else 0


def _format_dropped(dropped: list[DroppedLine]) -> str:
    return "\n".join(f"{line.number}\t{line.reason}\t{line.text}" for line in dropped)


@dataclass
class _Parsed:
    articles: list[ParsedArticle]
    dropped: list[DroppedLine]  # the file's and every article's, by line number
    line_count: int


def _parse_text(source: _Source, progress: Progress | None) -> _Parsed:
    """Stream the file through the parser; gives what parse_raw_text would give for it."""
    merger = DuplicateMerger()
    dropped: list[DroppedLine] = []
    line_count = 0

    def lines() -> Iterator[str]:
        nonlocal line_count
        for number, line in _iter_lines(source, split_cr=True):
            line_count = number
            if progress and line_count % PROGRESS_EVERY_LINES == 0:
                progress(f"已读 {line_count} 行，解析出 {len(merger.articles)} 篇")
            yield line

    for item in iter_raw_articles(lines()):
        if isinstance(item, DroppedLine):
            dropped.append(item)
        else:
            # All articles are parsed before anything is stored: a later copy may replace or
            # enrich an earlier one, so what is stored is the merger's final state.
            merger.add(item)
    dropped.extend(merger.notes)
    for article in merger.articles:
        dropped.extend(article.dropped)
    dropped.sort(key=lambda line: line.number)
    if progress:
        progress(f"共 {line_count} 行，解析出 {len(merger.articles)} 篇")
    return _Parsed(articles=merger.articles, dropped=dropped, line_count=line_count)


def _existing_articles(document: SourceDocument) -> dict[str, deque[int]]:
    """The document's articles by title and author, each key's articles in file order."""
    rows = []
    for pk, title, author, source_lines in document.articles.values_list(
        "pk", "title", "author", "source_lines"
    ).iterator():
        rows.append((_first_line_number(source_lines), pk, _title_author_key(title, author)))
    rows.sort()
    existing: dict[str, deque[int]] = defaultdict(deque)
    for _, pk, key in rows:
        existing[key].append(pk)
    return existing


def _store_text(
    source: _Source, parsed: _Parsed, report: ImportReport, progress: Progress | None
) -> None:
    document, _ = SourceDocument.objects.get_or_create(
        name=source.path.name, defaults={"sha256": ""}
    )
    if document.sha256 == source.sha256:
        # Imported by someone else since the check outside the transaction.
        report.file_unchanged = True
        return
    names = _Names()
    existing = _existing_articles(document)
    total = len(parsed.articles)
    for done, parsed_article in enumerate(parsed.articles, 1):
        _store_parsed(parsed_article, document, existing, names, report, source)
        if progress and done % PROGRESS_EVERY_ARTICLES == 0:
            progress(f"已写入 {done}/{total} 篇")
    leftover = [pk for pks in existing.values() for pk in pks]
    report.deleted = _delete_articles(sorted(leftover))
    document.sha256 = source.sha256
    document.line_count = parsed.line_count
    document.dropped_lines = _format_dropped(parsed.dropped)
    document.imported_at = timezone.now()
    document.save()


def _store_parsed(
    parsed: ParsedArticle,
    document: SourceDocument,
    existing: dict[str, deque[int]],
    names: _Names,
    report: ImportReport,
    source: _Source,
) -> None:
    keywords = _unique_keywords(parsed.keywords)
    values: dict[str, Any] = {
        "title": parsed.title,
        "author": parsed.author or "",
        "issue_label": parsed.issue_label or "",
        "year": parsed.year,
        "month": parsed.month if parsed.year is not None else None,
        "abstract": parsed.abstract or "",
        "body": "\n".join(parsed.paragraphs),
        "source_document_id": document.pk,
    }
    first_line = parsed.source_lines[0][0] if parsed.source_lines else 0
    problem = _check_lengths(values, parsed.publication or "", keywords)
    if problem:
        raise _fail(source.label, f"第 {first_line} 行起的文章“{parsed.title[:30]}”{problem}")
    source_lines = "\n".join(f"{number}\t{text}" for number, text in parsed.source_lines)
    fingerprint = article_fingerprint(title=values["title"], body=values["body"])

    queue = existing.get(_title_author_key(parsed.title, values["author"]))
    match = Article.objects.get(pk=queue.popleft()) if queue else None
    if match is None or match.fingerprint != fingerprint:
        elsewhere = Article.objects.filter(fingerprint=fingerprint).exclude(
            source_document_id=document.pk
        )
        if elsewhere.exists():
            # The same text is already in the archive from another file or an export. A
            # matched article of this file is left unclaimed, so that it is deleted unless a
            # later article with the same title and author takes it.
            if match is not None:
                queue.appendleft(match.pk)
            report.duplicates.append(parsed.title)
            return

    # Publication and keywords are looked up only now: a skipped duplicate creates none.
    values["publication_id"] = names.publication_id(parsed.publication)
    keyword_ids = names.keyword_ids(keywords)
    if match is None:
        article = Article(**values, source_lines=source_lines)
        article.save()
        _link_keywords(article, keyword_ids)
        report.created.append(parsed.title)
        return
    moved = match.source_lines != source_lines
    match.source_lines = source_lines  # written by the save, if there is one
    if _update_article(match, values, keyword_ids):
        report.updated.append(parsed.title)
        return
    if moved:
        # Only the article's place in the file moved (lines added or removed above it):
        # record the new line numbers without counting the article as updated.
        Article.objects.filter(pk=match.pk).update(source_lines=source_lines)
    report.unchanged.append(parsed.title)


def import_text(
    *, path: Path, dry_run: bool = False, progress: Progress | None = None
) -> ImportReport:
    """Import a raw-text compilation; see import_path."""
    return _import_text(_inspect(Path(path)), dry_run=dry_run, progress=progress)


def _import_text(source: _Source, *, dry_run: bool, progress: Progress | None) -> ImportReport:
    report = ImportReport(path=source.path, format="text")
    known = SourceDocument.objects.filter(name=source.path.name).first()
    if known is not None and known.sha256 == source.sha256:
        report.file_unchanged = True
        return report
    # Parsing happens before the transaction: the write lock is held only while storing.
    parsed = _parse_text(source, progress)
    report.articles = parsed.articles
    report.dropped = parsed.dropped
    with transaction.atomic():
        _store_text(source, parsed, report, progress)
        if dry_run:
            transaction.set_rollback(True)
    return report


# --- JSON Lines ------------------------------------------------------------------------------

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


# Article ids are 64-bit (BigAutoField).
_MAX_ID = 2**63 - 1


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
    "source_document": lambda v: v is None or (isinstance(v, str) and len(v) <= _DOCUMENT_LIMIT),
    "source_lines": lambda v: isinstance(v, str),
    "fingerprint": lambda v: isinstance(v, str),
    "created": lambda v: _aware_datetime(v) is not None,
    "updated": lambda v: _aware_datetime(v) is not None,
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


def _parse_record(line: str, number: int, label: str) -> _Record:
    """One JSON Lines record, validated; any problem fails the whole file."""
    where = f"第 {number} 行"
    try:
        data = json.loads(line)
    except json.JSONDecodeError as error:
        raise _fail(label, f"{where}不是有效的 JSON（第 {error.colno} 列：{error.msg}）") from None
    if not isinstance(data, dict):
        raise _fail(label, f"{where}不是 JSON 对象")
    missing = [key for key in _KINDS if key not in data]
    if missing:
        raise _fail(label, f"{where}缺少字段：{'、'.join(missing)}")
    for key, check in _CHECKS.items():
        if not check(data[key]):
            raise _fail(label, f"{where}的字段“{key}”应为{_KINDS[key]}")
    if data["month"] is not None and data["year"] is None:
        raise _fail(label, f"{where}有月份而没有年份")
    keywords = _unique_keywords(data["keywords"])
    values = {
        "title": data["title"],
        "author": data["author"],
        "issue_label": data["issue_label"],
        "year": data["year"],
        "month": data["month"],
        "abstract": data["abstract"],
        "body": "\n".join(data["paragraphs"]),
        "source_lines": data["source_lines"],
    }
    problem = _check_lengths(values, data["publication"] or "", keywords)
    if problem:
        raise _fail(label, f"{where}：{problem}")
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
    )


def _iter_records(source: _Source) -> Iterator[_Record]:
    for number, line in _iter_lines(source, split_cr=False):
        if line.strip():
            yield _parse_record(line, number, source.label)


def _store_record(
    record: _Record,
    names: _Names,
    touched: set[int],
    report: ImportReport,
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
        _link_keywords(article, keyword_ids)
        report.created.append(article.title)
    else:
        times_differ = article.created != record.created or article.updated != record.updated
        if not _update_article(article, values, keyword_ids):
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


def import_jsonl(
    *, path: Path, dry_run: bool = False, progress: Progress | None = None
) -> ImportReport:
    """Import a JSON Lines export (see export_jsonl); see import_path."""
    return _import_jsonl(_inspect(Path(path)), dry_run=dry_run, progress=progress)


def _import_jsonl(source: _Source, *, dry_run: bool, progress: Progress | None) -> ImportReport:
    report = ImportReport(path=source.path, format="jsonl")
    names = _Names()
    touched: set[int] = set()
    with transaction.atomic():
        # First pass: every record whose id is free or whose text is already stored. Records
        # whose id is taken by another article wait for the second pass, so that new ids are
        # handed out only after every exported id has been claimed.
        waiting: set[int] = set()
        for record in _iter_records(source):
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
        if dry_run:
            transaction.set_rollback(True)
    return report


# --- Entry point and export ------------------------------------------------------------------


def import_path(
    *, path: Path, dry_run: bool = False, progress: Progress | None = None
) -> ImportReport:
    """Import one file in one transaction: all of it, or (on any error) nothing.

    JSON Lines (first non-blank character "{") is read as an export of this archive;
    anything else as raw text for the parser. dry_run does all the work and rolls it back.
    Raises ImportFailed for a file that cannot be read or imported.
    """
    source = _inspect(Path(path))
    if source.format == "jsonl":
        return _import_jsonl(source, dry_run=dry_run, progress=progress)
    return _import_text(source, dry_run=dry_run, progress=progress)


def _export_record(article: Article) -> dict[str, Any]:
    return {
        "id": article.pk,
        "title": article.title,
        "author": article.author,
        "publication": article.publication.name if article.publication_id else None,
        "issue_label": article.issue_label,
        "year": article.year,
        "month": article.month,
        "abstract": article.abstract,
        "keywords": [link.keyword.name for link in article.keyword_links.all()],
        # The body as stored, blank lines included, so that an import restores it exactly.
        "paragraphs": article.body.split("\n") if article.body else [],
        "source_document": article.source_document.name if article.source_document_id else None,
        "source_lines": article.source_lines,
        "fingerprint": article.fingerprint,
        "created": article.created.isoformat(),
        "updated": article.updated.isoformat(),
    }


def export_jsonl(*, out: TextIO, progress: Progress | None = None) -> int:
    """Write every article, by id, one JSON object per line; returns how many."""
    links = ArticleKeyword.objects.select_related("keyword").order_by("position", "id")
    articles = (
        Article.objects.order_by("id")
        .select_related("publication", "source_document")
        .prefetch_related(Prefetch("keyword_links", queryset=links))
    )
    count = 0
    for article in articles.iterator(chunk_size=500):
        record = _export_record(article)
        line = json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        # One write per line: a Django OutputWrapper would add its own line end to a bare line.
        out.write(line + "\n")
        count += 1
        if progress and count % PROGRESS_EVERY_LINES == 0:
            progress(f"已导出 {count} 篇")
    return count
