"""Passages shared inside the archive: each article's fingerprints kept current, and the
pairs of articles sharing a passage of at least the overlap minimum."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from hashlib import blake2b

from django.conf import settings
from django.db import transaction

from archive.models import Article
from search.reuse.fingerprints import GUARANTEE, K, may_share_run, selected
from search.reuse.models import ArticleOverlap, ReuseDocument, ReuseFingerprint
from search.reuse.passages import SharedSpan, matches_between, read_articles, shared_span
from search.reuse.spans import Match, covered, maximal_matches
from search.reuse.table import (
    clear_tables,
    delete_fingerprints,
    read_streams,
    shared_fingerprints,
    write_fingerprints,
    write_overlaps,
)
from search.reuse.texts import ArticleText

# A pair is listed when it shares a passage this long (folded word characters); the
# setting WENCUI_REUSE_OVERLAP_MIN changes it (at least GUARANTEE: found by fingerprints).
OVERLAP_MIN = 50
# Articles of which the shorter has this share in the other are versions of one text.
VERSION_SHARE = 0.8
_WRITE_BATCH = 2000
_BATCH = 500

# (stage, done, in all): "fingerprints" then "overlaps".
StageProgress = Callable[[str, int, int], None]


def overlap_min() -> int:
    return max(GUARANTEE, getattr(settings, "WENCUI_REUSE_OVERLAP_MIN", OVERLAP_MIN))


@dataclass
class OverlapSummary:
    articles: int  # read
    changed: int  # fingerprinted anew, their pairs computed again
    removed: int  # gone from the archive, their fingerprints with them
    pairs: int  # pairs of articles found sharing passages, among those computed
    # Rows in the table after a refresh of every article (None after some: counting a large
    # table costs more than refreshing an article).
    fingerprints: int | None


def _digest(chars: str) -> str:
    return blake2b(chars.encode(), digest_size=16).hexdigest()


def refresh_reuse(
    *,
    article_ids: Iterable[int] | None = None,
    force: bool = False,
    progress: StageProgress | None = None,
) -> OverlapSummary:
    """Bring the fingerprints and overlaps of these articles (all: None) in line with their
    text: an article whose folded text is unchanged is left as it is (unless `force`), one
    that is gone is taken out. Grows with the articles and the pairs found, not with all
    pairs: an article is compared only with those sharing a fingerprint with it."""
    with transaction.atomic():
        return _refresh(article_ids, force, progress)


def _refresh(
    article_ids: Iterable[int] | None, force: bool, progress: StageProgress | None
) -> OverlapSummary:
    everything = article_ids is None
    if everything:
        ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
    else:
        ids = sorted(set(article_ids))
    if everything and force:
        # From scratch: emptied at once rather than article by article.
        clear_tables()
    known = dict(
        ReuseDocument.objects.filter(**({} if everything else {"article_id__in": ids}))
        .values_list("article_id", "digest")
        .iterator()
    )
    streams: dict[int, str] = {}
    changed: list[int] = []
    seen: set[int] = set()
    for start in range(0, len(ids), _BATCH):
        batch_changed = {}
        for article_text in read_articles(ids[start : start + _BATCH]):
            pk = article_text.article.pk
            seen.add(pk)
            chars = article_text.stream.chars
            streams[pk] = chars
            digest = _digest(chars)
            if force or known.get(pk) != digest:
                batch_changed[pk] = (chars, digest)
        _forget(set(batch_changed) & set(known))
        _write_fingerprints(batch_changed)
        changed.extend(batch_changed)
        if progress:
            progress("fingerprints", min(start + _BATCH, len(ids)), len(ids))
    gone = (set(known) | set(ids)) - seen
    _remove(gone)
    pairs = _compute_pairs(changed, streams, progress, everything and len(changed) == len(ids))
    return OverlapSummary(
        articles=len(seen),
        changed=len(changed),
        removed=len(gone),
        pairs=pairs,
        fingerprints=ReuseFingerprint.objects.count() if everything else None,
    )


def _forget(article_ids: set[int]) -> None:
    """Take out the fingerprints and documents of these articles, found by the hashes of
    their stored streams (the table has no index by article)."""
    if not article_ids:
        return
    delete_fingerprints(
        (pk, {value for _, value in selected(chars)}) for pk, chars in read_streams(article_ids)
    )
    ReuseDocument.objects.filter(article_id__in=list(article_ids)).delete()


def _write_fingerprints(changed: dict[int, tuple[str, str]]) -> None:
    if not changed:
        return
    write_fingerprints(
        (value, pk)
        for pk, (chars, _) in changed.items()
        for value in {value for _, value in selected(chars)}
    )
    ReuseDocument.objects.bulk_create(
        [
            ReuseDocument(article_id=pk, digest=digest, length=len(chars), chars=chars)
            for pk, (chars, digest) in changed.items()
        ],
        batch_size=_WRITE_BATCH,
    )


def _remove(article_ids: set[int]) -> None:
    if not article_ids:
        return
    _forget(article_ids)
    ids = list(article_ids)
    ArticleOverlap.objects.filter(article_id__in=ids).delete()
    ArticleOverlap.objects.filter(other_id__in=ids).delete()


def _compute_pairs(
    changed: list[int], streams: dict[int, str], progress: StageProgress | None, everything: bool
) -> int:
    """Compare each changed article with the articles sharing a fingerprint with it, once a
    pair (two changed articles: when the first of them is compared)."""
    if not changed:
        return 0
    for start in range(0, len(changed), _BATCH):
        chunk = changed[start : start + _BATCH]
        ArticleOverlap.objects.filter(article_id__in=chunk).delete()
        ArticleOverlap.objects.filter(other_id__in=chunk).delete()
    minimum = overlap_min()
    done: set[int] = set()
    pairs = 0
    rows: list[tuple] = []
    for count, pk in enumerate(changed, 1):
        chars = streams[pk]
        positions: dict[int, list[int]] = defaultdict(list)
        for position, value in selected(chars):
            positions[value].append(position)
        # Every article compared (all of them, in order): only the later ones are left.
        shared = shared_fingerprints(positions, after=pk if everything else None)
        others = sorted(
            other
            for other, values in shared.items()
            if other != pk
            and other not in done
            and may_share_run(sorted(i for value in values for i in positions[value]), minimum)
        )
        missing = [other for other in others if other not in streams]
        streams.update(read_streams(missing))
        for other in others:
            if other not in streams:  # deleted meanwhile
                continue
            anchors = ((i, chars[i : i + K]) for value in shared[other] for i in positions[value])
            matches = maximal_matches(chars, streams[other], anchors, min_length=minimum)
            if matches:
                rows.extend(_pair_rows(pk, len(chars), other, len(streams[other]), matches))
                pairs += 1
        done.add(pk)
        if len(rows) >= _WRITE_BATCH:
            write_overlaps(rows)
            rows = []
        if progress and (count % _BATCH == 0 or count == len(changed)):
            progress("overlaps", count, len(changed))
    write_overlaps(rows)
    return pairs


def _pair_rows(
    pk: int, length: int, other: int, other_length: int, matches: list[Match]
) -> list[tuple]:
    """Both rows of a pair, in table.OVERLAP_COLUMNS order."""
    shared = covered((m.start, m.end) for m in matches)
    other_shared = covered((m.other_start, m.other_end) for m in matches)
    longest = max(m.length for m in matches)
    shorter_share = shared / length if length <= other_length else other_shared / other_length
    is_version = shorter_share >= VERSION_SHARE
    return [
        (pk, other, shared, length, other_shared, other_length, longest, is_version),
        (other, pk, other_shared, other_length, shared, length, longest, is_version),
    ]


def article_overlaps(article: Article) -> list[ArticleOverlap]:
    """The other articles sharing passages with this one: other versions first, then the
    most shared (`other` loaded for its title and link)."""
    return list(
        ArticleOverlap.objects.filter(article=article)
        .select_related("other__publication")
        .defer("other__abstract", "other__body", "other__source_lines")
    )


def compute_overlaps(*, progress: StageProgress | None = None) -> OverlapSummary:
    """Fingerprint every article and find every pair sharing a passage of overlap_min()
    characters, from scratch (what the benchmark times)."""
    return refresh_reuse(force=True, progress=progress)


@dataclass
class Comparison:
    """Two articles side by side: the spans they share (`start`/`end` in the first's
    searchable text, `article_start`/`article_end` in the other's), how many folded
    characters of each the spans cover."""

    text: ArticleText
    other_text: ArticleText
    min_length: int
    spans: list[SharedSpan]
    shared_chars: int
    other_shared_chars: int

    @property
    def share(self) -> float:
        length = len(self.text.stream)
        return self.shared_chars / length if length else 0.0

    @property
    def other_share(self) -> float:
        length = len(self.other_text.stream)
        return self.other_shared_chars / length if length else 0.0


def compare_articles(
    article: Article, other: Article, *, min_length: int | None = None
) -> Comparison:
    """Every maximal run of at least `min_length` (default overlap_min()) characters the two
    articles share, in the first one's order."""
    minimum = min_length or overlap_min()
    texts = {t.article.pk: t for t in read_articles([article.pk, other.pk])}
    text, other_text = texts[article.pk], texts[other.pk]
    matches = matches_between(text.stream.chars, other_text.stream.chars, min_length=minimum)
    return Comparison(
        text=text,
        other_text=other_text,
        min_length=minimum,
        spans=[shared_span(text.stream, other_text, match) for match in matches],
        shared_chars=covered((m.start, m.end) for m in matches),
        other_shared_chars=covered((m.other_start, m.other_end) for m in matches),
    )
