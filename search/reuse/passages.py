"""Where a passage comes from: every maximal run it shares with an archive article."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from archive.models import Article
from search.reuse.fingerprints import GUARANTEE, K, selected
from search.reuse.spans import Match, covered, maximal_matches
from search.reuse.streams import Stream
from search.reuse.table import read_streams, shared_fingerprints
from search.reuse.texts import ArticleText

MIN_LENGTH = 13
LOWEST_MIN_LENGTH = K
HIGHEST_MIN_LENGTH = 200
MAX_PASSAGE = 20_000
# Articles listed in a report, most shared first (the totals count them all).
LISTED_ARTICLES = 100
# Articles read per statement.
_READ_BATCH = 200


@dataclass(frozen=True)
class SharedSpan:
    """A maximal run of at least the minimum length, equal after folding: passage[start:end]
    and the article's searchable text [article_start:article_end], both from the first to
    just after the last matched character. `length`: its folded word characters."""

    start: int
    end: int
    article_start: int
    article_end: int
    length: int
    text: str
    article_text: str
    paragraph: int | None  # the article page's paragraph (#pN) where it starts; None: not body


@dataclass
class ArticleReuse:
    """An article sharing text with the passage: its spans in passage order, and how many of
    the passage's characters they cover."""

    article: Article
    text: ArticleText
    matched_chars: int
    spans: list[SharedSpan]
    share: float = 0.0  # of the passage


@dataclass
class ReuseReport:
    """A passage checked against the archive: `length` folded word characters (punctuation
    and whitespace are not counted), `matched_chars` of them in some article, their `share`;
    `articles` the LISTED_ARTICLES most shared, of `article_count`."""

    text: str
    min_length: int
    length: int
    matched_chars: int
    article_count: int
    articles: list[ArticleReuse] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.matched_chars / self.length if self.length else 0.0


def find_reuse(*, text: str, min_length: int = MIN_LENGTH) -> ReuseReport:
    """Every maximal run of at least `min_length` (LOWEST_MIN_LENGTH–HIGHEST_MIN_LENGTH)
    characters that `text` shares with an article, equal after folding, punctuation and
    whitespace left out (they neither count nor break a run).

    From GUARANTEE characters on, the articles to compare are those sharing a fingerprint
    with the passage; below it, every article's stream is read (much slower on a large
    archive)."""
    if not LOWEST_MIN_LENGTH <= min_length <= HIGHEST_MIN_LENGTH:
        raise ValueError(f"min_length must be {LOWEST_MIN_LENGTH}–{HIGHEST_MIN_LENGTH}")
    passage = Stream.of(text)
    found = dict(_matching_streams(passage.chars, min_length))
    report = ReuseReport(
        text=text,
        min_length=min_length,
        length=len(passage),
        matched_chars=covered((m.start, m.end) for _, ms in found.values() for m in ms),
        article_count=len(found),
    )
    ranked = sorted(
        ((covered((m.start, m.end) for m in ms), pk) for pk, (_, ms) in found.items()),
        key=lambda item: (-item[0], item[1]),
    )[:LISTED_ARTICLES]
    texts = {t.article.pk: t for t in read_articles(pk for _, pk in ranked)}
    for matched, pk in ranked:
        article_text = texts.get(pk)
        if article_text is None:  # deleted meanwhile
            continue
        compared, matches = found[pk]
        if article_text.stream.chars != compared:
            # Changed since its stream was stored (its update not applied yet): compared again.
            matches = matches_between(
                passage.chars, article_text.stream.chars, min_length=min_length
            )
            matched = covered((m.start, m.end) for m in matches)
            if not matches:
                continue
        report.articles.append(
            ArticleReuse(
                article=article_text.article,
                text=article_text,
                matched_chars=matched,
                spans=[shared_span(passage, article_text, match) for match in matches],
                share=matched / report.length if report.length else 0.0,
            )
        )
    return report


def shared_span(passage: Stream, article_text: ArticleText, match: Match) -> SharedSpan:
    start, end = passage.text_span(match.start, match.end)
    article_start, article_end = article_text.stream.text_span(match.other_start, match.other_end)
    return SharedSpan(
        start=start,
        end=end,
        article_start=article_start,
        article_end=article_end,
        length=match.length,
        text=passage.text[start:end],
        article_text=article_text.text[article_start:article_end],
        paragraph=article_text.paragraph_at(article_start),
    )


def _matching_streams(chars: str, min_length: int) -> Iterator[tuple[int, tuple[str, list[Match]]]]:
    """(article id, (its stored stream, its maximal runs shared with `chars`)) for every
    article sharing any."""
    if len(chars) < min_length:
        return
    if min_length >= GUARANTEE:
        positions: dict[int, list[int]] = defaultdict(list)
        for position, value in selected(chars):
            positions[value].append(position)
        shared = shared_fingerprints(positions)
        for pk, other in read_streams(shared):
            anchors = ((i, chars[i : i + K]) for value in shared[pk] for i in positions[value])
            matches = maximal_matches(chars, other, anchors, min_length=min_length)
            if matches:
                yield pk, (other, matches)
    else:
        grams = _gram_positions(chars)
        for pk, other in read_streams():
            matches = _matches_by_grams(chars, grams, other, min_length)
            if matches:
                yield pk, (other, matches)


def _gram_positions(chars: str) -> dict[str, list[int]]:
    grams: dict[str, list[int]] = defaultdict(list)
    for i in range(len(chars) - K + 1):
        grams[chars[i : i + K]].append(i)
    return grams


def _matches_by_grams(
    chars: str, grams: dict[str, list[int]], other: str, min_length: int
) -> list[Match]:
    # Every run of K or more characters holds a whole k-gram: the common k-grams anchor all.
    common = grams.keys() & {other[j : j + K] for j in range(len(other) - K + 1)}
    anchors = ((i, gram) for gram in common for i in grams[gram])
    return maximal_matches(chars, other, anchors, min_length=min_length)


def matches_between(chars: str, other: str, *, min_length: int) -> list[Match]:
    """Every maximal run of at least `min_length` (K or more) characters two streams share."""
    return _matches_by_grams(chars, _gram_positions(chars), other, min_length)


def read_articles(article_ids: Iterable[int]) -> Iterator[ArticleText]:
    """The articles of these ids that still exist, with their searchable text, a batch at a
    time."""
    from search.indexing import indexed_articles

    ids = sorted(article_ids)
    for start in range(0, len(ids), _READ_BATCH):
        batch = indexed_articles().filter(pk__in=ids[start : start + _READ_BATCH]).order_by("pk")
        for article in batch:
            yield ArticleText.of(article)
