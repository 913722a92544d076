"""Keeping the search index true to the database: queued updates, rebuilds and checks."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from archive.ingest import bulk_import
from archive.models import Article, ArticleQuerySet
from search.engines import get_engine
from search.errors import IndexLocked, IndexUnavailable
from search.models import PendingIndexUpdate
from search.reuse.overlaps import refresh_reuse
from search.types import Progress

log = logging.getLogger("wencui.search")

BATCH_SIZE = 500


def indexed_articles() -> ArticleQuerySet:
    """Articles with what an engine reads of them besides their own fields."""
    return Article.objects.select_related("publication").prefetch_related("keyword_links__keyword")


def queue_index_update(*, article_ids: Iterable[int]) -> None:
    """Record that these articles changed; call inside the transaction that changed them."""
    PendingIndexUpdate.objects.bulk_create(
        [PendingIndexUpdate(article_id=article_id) for article_id in article_ids]
    )
    # An import of many files applies the queue once, when it ends (articles_imported).
    if not bulk_import.get() and not _flush_scheduled():
        transaction.on_commit(flush_index_queue_quietly)


def index_changed_articles(*, article_ids: Iterable[int]) -> None:
    """Bring the index in line with these changed articles, inside the transaction that
    changed them: written at once when the engine's index lives in the same database
    (committed or rolled back with the articles), queued otherwise."""
    engine = get_engine()
    if _updates_in_transaction(engine):
        article_ids = list(article_ids)
        sync_articles(article_ids, reuse=False)
        # Text reuse compares an article with every article sharing its fingerprints: that
        # waits for the queue (after the commit, or once when an import ends), as it does
        # for every engine, instead of running for each save an import makes.
        queue_index_update(article_ids=article_ids)
    else:
        queue_index_update(article_ids=article_ids)


def _updates_in_transaction(engine) -> bool:
    return getattr(engine, "updates_in_transaction", False)


def _flush_scheduled() -> bool:
    """Whether this transaction already flushes the queue when it commits (one flush
    applies every update queued before it)."""
    connection = transaction.get_connection()
    return any(
        len(entry) >= 2 and entry[1] is flush_index_queue_quietly
        for entry in getattr(connection, "run_on_commit", ())
    )


def sync_articles(
    article_ids: Iterable[int],
    *,
    progress: Progress | None = None,
    index: bool = True,
    reuse: bool = True,
) -> None:
    """Make the index entries of these articles (`index`) and their text reuse data
    (`reuse`) match the database (update or remove)."""
    engine = get_engine()
    article_ids = sorted(set(article_ids))
    done = 0
    for start in range(0, len(article_ids), BATCH_SIZE):
        chunk = article_ids[start : start + BATCH_SIZE]
        if index:
            existing = list(indexed_articles().filter(pk__in=chunk))
            gone = set(chunk) - {article.pk for article in existing}
            if existing:
                engine.update(existing)
            if gone:
                engine.remove(sorted(gone))
        if reuse:
            # Text reuse's fingerprints and overlaps follow the same changes.
            refresh_reuse(article_ids=chunk)
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
        # An engine writing in the articles' transaction has these already: the queue
        # holds their text reuse refresh only.
        sync_articles(article_ids, index=not _updates_in_transaction(get_engine()))
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
    engine = get_engine()
    indexed = engine.indexed_versions()
    missing, stale = [], []
    for article in Article.objects.only("id", "fingerprint", "updated").order_by("id"):
        version = indexed.pop(article.pk, None)
        if version is None:
            missing.append(article.pk)
        elif version != engine.document_version(article):
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
    started = timezone.now()
    # Updates queued so far are covered by the build, which reads the database after them.
    covered = PendingIndexUpdate.objects.order_by("-id").values_list("id", flat=True).first() or 0
    ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
    total = len(ids)
    get_engine().rebuild(_in_batches(ids, progress), total=total)
    # Catch up on what changed during the build, plus anything still queued.
    PendingIndexUpdate.objects.filter(id__lte=covered).delete()
    changed = set(Article.objects.filter(updated__gte=started).values_list("pk", flat=True))
    changed |= set(PendingIndexUpdate.objects.values_list("article_id", flat=True))
    report = check_index()
    changed |= set(report.orphaned) | set(report.missing)
    if changed:
        sync_articles(changed)
    flush_index_queue()
    # Articles that reuse has not seen yet (imported before it existed): fingerprinted.
    refresh_reuse()
    log.info("index rebuilt with %d articles in %.1f s", total, time.time() - started.timestamp())
    return total


def _in_batches(ids: list[int], progress: Progress | None) -> Iterator[Article]:
    """The articles of `ids` (those still there), read BATCH_SIZE at a time; progress after
    each batch, once the engine has taken it."""
    done = 0
    for start in range(0, len(ids), BATCH_SIZE):
        for article in (
            indexed_articles().filter(pk__in=ids[start : start + BATCH_SIZE]).order_by("pk")
        ):
            yield article
            done += 1
        if progress:
            progress(done, len(ids))
