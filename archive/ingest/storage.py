"""Storing a parsed file: its articles and its record, in one transaction, idempotently.

A file is known by its name (SourceDocument). Importing it again matches its articles by
title and author, in file order: unchanged ones stay as they are, changed ones are updated
in place (same id, same links), ones no longer in the file are deleted. An article whose
text the archive already holds from another file is not stored twice.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from archive.fingerprint import article_fingerprint
from archive.ingest.base import DroppedLine, ImportFailed, ParsedArticle, ParseResult
from archive.models import Article, ArticleKeyword, Keyword, Publication, SourceDocument
from archive.signals import keywords_linked
from archive.text import squeeze

# SQLite refuses statements with too many parameters; delete (and look up) in batches.
DELETE_BATCH = 500
PROGRESS_EVERY_ARTICLES = 100
Progress = Callable[[str], None]


@dataclass
class StoreReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    # Articles not stored because the archive already holds the same text from elsewhere.
    duplicates: list[str] = field(default_factory=list)
    file_unchanged: bool = False
    # Records stored without characters no database can store (an export of this archive).
    dropped: list[DroppedLine] = field(default_factory=list)


def _max_length(model: type, name: str) -> int:
    return model._meta.get_field(name).max_length


_LIMITS = {
    "title": _max_length(Article, "title"),
    "subtitle": _max_length(Article, "subtitle"),
    "author": _max_length(Article, "author"),
    "issue_label": _max_length(Article, "issue_label"),
    "url": _max_length(Article, "url"),
}
_PUBLICATION_LIMIT = _max_length(Publication, "name")
_KEYWORD_LIMIT = _max_length(Keyword, "name")
DOCUMENT_NAME_LIMIT = _max_length(SourceDocument, "name")
_FIELD_LABELS = {
    "title": "标题",
    "subtitle": "副标题",
    "author": "作者",
    "issue_label": "期号",
    "url": "链接",
}


def check_lengths(values: dict[str, Any], publication: str, keywords: list[str]) -> str | None:
    """What is too long to store, or None. SQLite would store it anyway; other databases fail."""
    for name, limit in _LIMITS.items():
        if name in values and len(values[name]) > limit:
            return f"{_FIELD_LABELS[name]}长 {len(values[name])} 字，超过上限 {limit} 字"
    if len(publication) > _PUBLICATION_LIMIT:
        return f"刊物名长 {len(publication)} 字，超过上限 {_PUBLICATION_LIMIT} 字"
    for keyword in keywords:
        if len(keyword) > _KEYWORD_LIMIT:
            return f"关键词“{keyword[:20]}…”超过上限 {_KEYWORD_LIMIT} 字"
    return None


def unique_keywords(names: list[str]) -> list[str]:
    # An article links a keyword once (unique constraint); keep the first occurrence's place.
    return list(dict.fromkeys(name.strip() for name in names if name.strip()))


class Names:
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


def keyword_ids_of(article: Article) -> list[int]:
    links = article.keyword_links.order_by("position", "id")
    return list(links.values_list("keyword_id", flat=True))


def link_keywords(article: Article, keyword_ids: list[int]) -> None:
    ArticleKeyword.objects.bulk_create(
        ArticleKeyword(article=article, keyword_id=keyword_id, position=position)
        for position, keyword_id in enumerate(keyword_ids)
    )
    if keyword_ids:
        keywords_linked.send(sender=ArticleKeyword, article_ids=[article.pk])


def update_article(article: Article, values: dict[str, Any], keyword_ids: list[int]) -> bool:
    """Bring the article to these values; True if anything changed (and it was saved)."""
    keywords_changed = keyword_ids_of(article) != keyword_ids
    differs = any(getattr(article, name) != value for name, value in values.items())
    if not keywords_changed and not differs:
        # No save(): it would move `updated` for an article whose content did not change.
        return False
    for name, value in values.items():
        setattr(article, name, value)
    article.save()
    if keywords_changed:
        article.keyword_links.all().delete()
        link_keywords(article, keyword_ids)
    return True


def delete_articles(ids: list[int]) -> list[str]:
    titles = []
    for start in range(0, len(ids), DELETE_BATCH):
        batch = Article.objects.filter(pk__in=ids[start : start + DELETE_BATCH]).order_by("id")
        titles.extend(batch.values_list("title", flat=True))
        batch.delete()
    return titles


def article_values(parsed: ParsedArticle) -> dict[str, Any]:
    """The article's fields as stored, from what a parser made of it."""
    year = parsed.year
    month = parsed.month if year is not None else None
    return {
        "title": parsed.title,
        "subtitle": parsed.subtitle or "",
        "author": parsed.author or "",
        "issue_label": parsed.issue_label or "",
        "issue_number": parsed.issue_number,
        "year": year,
        "month": month,
        "day": parsed.day if month is not None else None,
        "abstract": parsed.abstract or "",
        "body": "\n".join(parsed.paragraphs),
        "url": parsed.url or "",
        "is_record": parsed.is_record,
    }


def _title_author_key(title: str, author: str) -> str:
    return squeeze(title) + "\n" + squeeze(author)


def _first_line_number(source_lines: str) -> int:
    head = source_lines.split("\t", 1)[0]
    return int(head) if head.isdigit() else 0


def format_dropped(dropped: list[DroppedLine]) -> str:
    return "\n".join(f"{line.number}\t{line.reason}\t{line.text}" for line in dropped)


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


def store_parsed_file(
    *,
    name: str,
    label: str,
    sha256: str,
    format: str,
    parsed: ParseResult,
    dropped: list[DroppedLine],
    progress: Progress | None = None,
) -> StoreReport:
    """Store a file's articles; call inside a transaction (one per file)."""
    report = StoreReport()
    document, created = SourceDocument.objects.get_or_create(name=name, defaults={"sha256": ""})
    if document.sha256 == sha256:
        # Imported by someone else since the check outside the transaction.
        report.file_unchanged = True
        return report
    names = Names()
    # A document made just now has no articles yet: no query for them.
    existing = defaultdict(deque) if created else _existing_articles(document)
    if len(parsed.articles) == 1:
        stored = [pk for pks in existing.values() for pk in pks]
        if len(stored) == 1:
            # A file of one article: with a new title or author it is still that article,
            # edited, and keeps its address.
            sole = parsed.articles[0]
            existing = defaultdict(
                deque, {_title_author_key(sole.title, sole.author): deque(stored)}
            )
    total = len(parsed.articles)
    fingerprints = [
        article_fingerprint(title=article.title, body="\n".join(article.paragraphs))
        for article in parsed.articles
    ]
    elsewhere = _held_elsewhere(fingerprints, document.pk)
    pairs = zip(parsed.articles, fingerprints, strict=True)
    for done, (article, fingerprint) in enumerate(pairs, 1):
        _store_article(article, fingerprint, elsewhere, document, existing, names, report, label)
        if progress and done % PROGRESS_EVERY_ARTICLES == 0:
            progress(f"已处理 {done}/{total} 篇")
    leftover = [pk for pks in existing.values() for pk in pks]
    report.deleted = delete_articles(sorted(leftover))
    document.sha256 = sha256
    document.format = format
    document.line_count = parsed.line_count
    document.dropped_lines = format_dropped(dropped)
    document.imported_at = timezone.now()
    document.save()
    return report


def _held_elsewhere(fingerprints: list[str], document_id: int) -> set[str]:
    """The fingerprints of texts the archive already holds from other files or an export,
    looked up once for the whole file rather than once per article. Only this transaction
    writes meanwhile, and what it stores belongs to this document."""
    held: set[str] = set()
    unique = sorted(set(fingerprints))
    if len(unique) == 1:
        # A file of one article, the common case: a query that stops at the first row.
        others = Article.objects.filter(fingerprint=unique[0])
        return set(unique) if others.exclude(source_document_id=document_id).exists() else held
    for start in range(0, len(unique), DELETE_BATCH):
        batch = unique[start : start + DELETE_BATCH]
        articles = Article.objects.filter(fingerprint__in=batch).exclude(
            source_document_id=document_id
        )
        held.update(articles.values_list("fingerprint", flat=True))
    return held


def _store_article(
    parsed: ParsedArticle,
    fingerprint: str,
    elsewhere: set[str],
    document: SourceDocument,
    existing: dict[str, deque[int]],
    names: Names,
    report: StoreReport,
    label: str,
) -> None:
    keywords = unique_keywords(parsed.keywords)
    values = article_values(parsed)
    values["source_document_id"] = document.pk
    first_line = parsed.source_lines[0][0] if parsed.source_lines else 0
    problem = check_lengths(values, parsed.publication or "", keywords)
    if problem:
        where = f"第 {first_line} 行起的" if first_line else ""
        raise ImportFailed(f"{label}: {where}文章“{parsed.title[:30]}”{problem}")
    source_lines = "\n".join(f"{number}\t{text}" for number, text in parsed.source_lines)

    queue = existing.get(_title_author_key(parsed.title, values["author"]))
    match = Article.objects.get(pk=queue.popleft()) if queue else None
    if match is None or match.fingerprint != fingerprint:
        if fingerprint in elsewhere:
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
        link_keywords(article, keyword_ids)
        report.created.append(parsed.title)
        return
    moved = match.source_lines != source_lines
    match.source_lines = source_lines  # written by the save, if there is one
    if update_article(match, values, keyword_ids):
        report.updated.append(parsed.title)
        return
    if moved:
        # Only the article's place in the file moved (lines added or removed above it):
        # record the new line numbers without counting the article as updated.
        Article.objects.filter(pk=match.pk).update(source_lines=source_lines)
    report.unchanged.append(parsed.title)
