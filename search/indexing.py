"""Keeping the search index true to the database: queued updates, rebuilds and checks."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from haystack import connections

from archive.ingest import bulk_import
from archive.models import Article
from search.backends import IndexLocked, IndexUnavailable
from search.models import PendingIndexUpdate
from search.search_indexes import ArticleIndex, index_version

log = logging.getLogger("wencui.search")

BATCH_SIZE = 500
PARALLEL_BUILD_MINIMUM = 2000
# Postings each build process sorts in memory before spilling sorted runs to disk (and
# pickling every posting twice more): a process then peaks near 1 GB resident.
BUILD_MEMORY_MB = 1024
Progress = Callable[[int, int], None]


def search_backend():
    return connections["default"].get_backend()


def article_index() -> ArticleIndex:
    return connections["default"].get_unified_index().get_index(Article)


def queue_index_update(*, article_ids: Iterable[int]) -> None:
    """Record that these articles changed; call inside the transaction that changed them."""
    PendingIndexUpdate.objects.bulk_create(
        [PendingIndexUpdate(article_id=article_id) for article_id in article_ids]
    )
    # An import of many files applies the queue once, when it ends (articles_imported).
    if not bulk_import.get() and not _flush_scheduled():
        transaction.on_commit(flush_index_queue_quietly)


def _flush_scheduled() -> bool:
    """Whether this transaction already flushes the queue when it commits (one flush
    applies every update queued before it)."""
    connection = transaction.get_connection()
    return any(
        len(entry) >= 2 and entry[1] is flush_index_queue_quietly
        for entry in getattr(connection, "run_on_commit", ())
    )


def sync_articles(article_ids: Iterable[int], *, progress: Progress | None = None) -> None:
    """Make the index entries of these articles match the database (update or remove)."""
    backend = search_backend()
    index = article_index()
    article_ids = sorted(set(article_ids))
    done = 0
    for start in range(0, len(article_ids), BATCH_SIZE):
        chunk = article_ids[start : start + BATCH_SIZE]
        existing = list(index.index_queryset().filter(pk__in=chunk))
        gone = set(chunk) - {article.pk for article in existing}
        if existing:
            backend.update(index, existing)
        if gone:
            backend.remove_identifiers(f"archive.article.{pk}" for pk in gone)
        done += len(chunk)
        if progress:
            progress(done, len(article_ids))


def flush_index_queue() -> int:
    """Apply every queued update; returns how many articles were brought up to date.

    Raises IndexLocked when another writer holds the index for too long: the queue
    is kept for the next flush.
    """
    flushed = 0
    while True:
        pending = list(PendingIndexUpdate.objects.order_by("id")[: BATCH_SIZE * 4])
        if not pending:
            return flushed
        article_ids = {task.article_id for task in pending}
        sync_articles(article_ids)
        PendingIndexUpdate.objects.filter(id__in=[task.id for task in pending]).delete()
        flushed += len(article_ids)


def flush_index_queue_quietly() -> None:
    try:
        flush_index_queue()
    except (IndexLocked, IndexUnavailable) as error:
        log.warning("index update postponed, it stays queued: %s", error)


@dataclass
class IndexReport:
    missing: list[int]  # in the database, not in the index
    stale: list[int]  # in both, the index holds an older version
    orphaned: list[int]  # in the index, no longer in the database
    pending: int  # queued updates not yet applied

    @property
    def consistent(self) -> bool:
        return not (self.missing or self.stale or self.orphaned)


def check_index() -> IndexReport:
    indexed = search_backend().indexed_versions()
    missing, stale = [], []
    for article in Article.objects.only("id", "fingerprint", "updated").order_by("id"):
        version = indexed.pop(article.pk, None)
        if version is None:
            missing.append(article.pk)
        elif version != index_version(article):
            stale.append(article.pk)
    return IndexReport(
        missing=missing,
        stale=stale,
        orphaned=sorted(indexed),
        pending=PendingIndexUpdate.objects.count(),
    )


def repair_index(report: IndexReport, *, progress: Progress | None = None) -> None:
    sync_articles([*report.missing, *report.stale, *report.orphaned], progress=progress)
    flush_index_queue()


def rebuild_index(*, progress: Progress | None = None) -> int:
    """Build a complete new index beside the live one, then switch to it.

    Searches keep using the live index until the switch. Changes made while the
    new index was being built are applied to it right after the switch.
    """
    backend = search_backend()
    index = article_index()
    started = timezone.now()
    # Updates queued so far are covered by the build, which reads the database after them.
    covered = PendingIndexUpdate.objects.order_by("-id").values_list("id", flat=True).first() or 0
    generation = backend.new_generation()
    builder = backend._builder_for(generation)
    queryset = index.index_queryset().order_by("pk")
    ids = list(queryset.values_list("pk", flat=True))
    total = len(ids)
    done = 0
    # One writer for the whole build (no merge after every batch), on every core
    # when there is enough to share out.
    processes = min(os.cpu_count() or 1, 4) if total >= PARALLEL_BUILD_MINIMUM else 1
    options = {"limitmb": BUILD_MEMORY_MB}
    if processes > 1:
        options.update(procs=processes, multisegment=True)
    with builder.writer(**options) as writer:
        for start in range(0, total, BATCH_SIZE):
            for article in queryset.filter(pk__in=ids[start : start + BATCH_SIZE]):
                document = builder.prepare_document(index, article)
                if document:
                    writer.add_document(**document)
                done += 1
            if progress:
                progress(done, total)
    backend.switch_to(generation)
    # Catch up on what changed during the build, plus anything still queued.
    PendingIndexUpdate.objects.filter(id__lte=covered).delete()
    changed = set(Article.objects.filter(updated__gte=started).values_list("pk", flat=True))
    changed |= set(PendingIndexUpdate.objects.values_list("article_id", flat=True))
    report = check_index()
    changed |= set(report.orphaned) | set(report.missing)
    if changed:
        sync_articles(changed)
    flush_index_queue()
    log.info("index rebuilt with %d articles in %.1f s", total, time.time() - started.timestamp())
    return total
