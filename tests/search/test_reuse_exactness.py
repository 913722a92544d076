"""A reuse check reports every maximal run of at least `min` characters a passage shares with
an article, and nothing else: checked against a brute-force oracle over every pair of
positions, on passages assembled from pieces of the bundled articles."""

from __future__ import annotations

import itertools
import random

import opencc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.models import Article
from search import searchable_segments
from search.folding import fold_with_offsets, is_word_char
from search.reuse import find_reuse

TO_TRADITIONAL = opencc.OpenCC("s2t")


def folded_stream(text: str) -> list[tuple[str, int]]:
    """(folded character, index in text) of each word character, one character at a time."""
    folded, offsets = fold_with_offsets(text)
    return [(char, offsets[i]) for i, char in enumerate(folded) if is_word_char(char)]


def oracle_runs(a: str, b: str, min_length: int) -> list[tuple[int, int, int]]:
    """(start in a, start in b, length) of every maximal run of equal characters of at
    least min_length: each diagonal compared position by position."""
    runs = []
    for diagonal in range(-len(a) + 1, len(b)):
        i0, j0 = max(0, -diagonal), max(0, diagonal)
        equal = [x == y for x, y in zip(a[i0:], b[j0:], strict=False)]
        offset = 0
        for same, group in itertools.groupby(equal):
            length = len(list(group))
            if same and length >= min_length:
                runs.append((i0 + offset, j0 + offset, length))
            offset += length
    return runs


@pytest.fixture
def article_texts(corpus_db) -> dict[int, str]:
    articles = Article.objects.select_related("publication").prefetch_related(
        "keyword_links__keyword"
    )
    return {a.pk: "\n".join(searchable_segments(a)) for a in articles}


def expected(passage: str, texts: dict[int, str], min_length: int) -> dict:
    """What the report must say, computed by the oracle."""
    stream = folded_stream(passage)
    chars = "".join(c for c, _ in stream)
    articles = {}
    matched: set[int] = set()
    for pk, text in texts.items():
        other = folded_stream(text)
        other_chars = "".join(c for c, _ in other)
        spans = set()
        for i, j, length in oracle_runs(chars, other_chars, min_length):
            spans.add(
                (
                    stream[i][1],
                    stream[i + length - 1][1] + 1,
                    other[j][1],
                    other[j + length - 1][1] + 1,
                )
            )
            matched.update(range(i, i + length))
        if spans:
            articles[pk] = spans
    return {"length": len(chars), "matched": len(matched), "articles": articles}


def reported(passage: str, min_length: int) -> dict:
    report = find_reuse(text=passage, min_length=min_length)
    return {
        "length": report.length,
        "matched": report.matched_chars,
        "articles": {
            item.article.pk: {(s.start, s.end, s.article_start, s.article_end) for s in item.spans}
            for item in report.articles
        },
    }


PUNCTUATION = ["，", "。", "、", " ", "\n", "；", "——", "…", ",", ". ", "“", "”", "（", "）"]
NOISE = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动"
    "同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自"
    "二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日"
    "那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变"
    "条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总"
    "次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指"
    "几九区强放决西被干做必战先回则任取据处府且"
)


@st.composite
def assembled_passages(draw, texts: list[str]):
    """Pieces of several articles' searchable texts (some in traditional characters, some with
    their punctuation changed), between pieces of noise."""
    rng = random.Random(draw(st.integers(0, 2**32)))
    parts = []
    for _ in range(draw(st.integers(1, 5))):
        text = rng.choice(texts)
        length = rng.choice([5, 9, 12, 13, 14, 20, 40, 120, 300])
        start = rng.randrange(max(1, len(text) - length))
        piece = text[start : start + length]
        roll = rng.random()
        if roll < 0.25:
            piece = TO_TRADITIONAL.convert(piece)
        elif roll < 0.5:
            piece = "".join(rng.choice(PUNCTUATION) if not c.isalnum() else c for c in piece)
        elif roll < 0.6:
            # A punctuation mark inside a run does not break it.
            cut = rng.randrange(len(piece) + 1)
            piece = piece[:cut] + rng.choice(PUNCTUATION) + piece[cut:]
        parts.append(piece)
        parts.append("".join(rng.choice(NOISE) for _ in range(rng.randint(0, 12))))
    return "".join(parts)


@pytest.mark.parametrize("min_length", [8, 10, 13, 20, 50])
def test_a_passage_of_many_pieces_gets_exactly_the_oracles_spans(article_texts, min_length):
    rng = random.Random(min_length)
    texts = list(article_texts.values())
    pieces = []
    for _ in range(8):
        text = rng.choice(texts)
        start = rng.randrange(len(text) - 200)
        pieces.append(text[start : start + rng.choice([30, 60, 200])])
    pieces[1] = TO_TRADITIONAL.convert(pieces[1])
    passage = "（噪声）".join(pieces)
    result = reported(passage, min_length)
    assert result["articles"], "the pieces are found"
    assert result == expected(passage, article_texts, min_length)


def test_a_span_straddling_two_paragraphs_is_one_span(article_texts, corpus_db):
    article = next(a for a in Article.objects.all() if len(a.paragraphs) >= 3)
    first, second = article.paragraphs[1], article.paragraphs[2]
    passage = first[-20:] + "\n\n" + second[:20]
    report = find_reuse(text=passage, min_length=13)
    spans = next(item.spans for item in report.articles if item.article.pk == article.pk)
    assert (0, len(passage)) in [(s.start, s.end) for s in spans]
    assert reported(passage, 13) == expected(passage, article_texts, 13)


def test_traditional_characters_and_other_punctuation_match(article_texts, corpus_db):
    article = Article.objects.get(author="杨姿姮")
    paragraph = article.paragraphs[1][:60]
    changed = TO_TRADITIONAL.convert(paragraph).replace("，", ",").replace("。", "．")
    assert changed != paragraph
    report = find_reuse(text=changed)
    item = next(item for item in report.articles if item.article.pk == article.pk)
    assert item.matched_chars == report.length
    assert report.share == 1.0


def test_nothing_shared_is_nothing_found(corpus_db):
    report = find_reuse(text="甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥" * 3)
    assert (report.length, report.matched_chars, report.articles) == (66, 0, [])


def test_a_run_one_short_of_the_minimum_is_not_reported(article_texts, corpus_db):
    text = next(iter(article_texts.values()))
    stream = folded_stream(text)
    # 13 word characters of an article, then the first 12 of them alone.
    end = stream[40 + 12][1] + 1
    piece = text[stream[40][1] : end]
    assert find_reuse(text=piece, min_length=13).matched_chars >= 13
    short = text[stream[40][1] : stream[40 + 11][1] + 1]
    found = find_reuse(text=short, min_length=13)
    assert found.matched_chars == 0
    assert reported(short, 13) == expected(short, article_texts, 13)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data(), min_length=st.sampled_from([8, 12, 13, 14, 25]))
def test_assembled_passages_get_exactly_the_oracles_spans(article_texts, data, min_length):
    passage = data.draw(assembled_passages(list(article_texts.values())))
    assert reported(passage, min_length) == expected(passage, article_texts, min_length)
