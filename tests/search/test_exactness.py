"""A quoted phrase finds every article that contains it, and only those: checked against a
brute-force substring oracle over the whole bundled corpus, through each engine."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.models import Article
from search import (
    QUOTE_CHARACTERS,
    Equals,
    fold,
    query_words,
    search_articles,
    searchable_segments,
)


@pytest.fixture
def corpus(corpus_search) -> dict[int, list[str]]:
    """Article id → its folded searchable segments."""
    articles = Article.objects.select_related("publication").prefetch_related(
        "keyword_links__keyword"
    )
    return {a.pk: [fold(s) for s in searchable_segments(a)] for a in articles}


def oracle(corpus: dict[int, list[str]], phrase: str) -> set[int]:
    needle = fold(phrase)
    return {pk for pk, segments in corpus.items() if any(needle in s for s in segments)}


def found(phrase: str, **filters) -> set[int]:
    outcome = search_articles(query=f'"{phrase}"', per_page=1000, **filters)
    return {hit.article.pk for hit in outcome.hits}


def abstract_phrases() -> list[str]:
    """Every clause and every jieba word of every abstract in the corpus."""
    phrases: set[str] = set()
    for abstract in Article.objects.exclude(abstract="").values_list("abstract", flat=True):
        for clause in re.split(r"[，。、；：！？,.;:!?“”\"（）()\s]+", abstract):
            if 1 <= len(clause) <= 50:
                phrases.add(clause)
                phrases.update(query_words(clause))
    return sorted(phrases)


def test_corpus_is_the_bundled_one(corpus):
    assert len(corpus) == 18


def test_every_clause_and_word_of_the_abstracts_matches_the_oracle(corpus):
    phrases = abstract_phrases()
    assert len(phrases) > 100
    mismatches = {
        p: (len(found(p)), len(oracle(corpus, p))) for p in phrases if found(p) != oracle(corpus, p)
    }
    assert mismatches == {}


@pytest.mark.parametrize(
    "phrase",
    [
        "战斗堡垒",  # the stock jieba setup finds 0 for this
        "基层党组织",
        "层党组织",  # straddles jieba's words 基层|党组织
        "织战斗堡",
        "党",  # single characters
        "村",
        "的",
        "組織",  # traditional spelling of text stored as 组织
        "组织",  # and the reverse: 基层组織 in the text
        "規範",
        "2020",
        "36",
        "1925年",
        "h1ni",  # Latin, folded to lower case
        "H1NI流感",
        "三会一课",
        "“三会一课”",
        "量子计算",  # in no article
        "zzz",
        "堡垒堡垒",
    ],
)
def test_quoted_phrase_finds_exactly_the_articles_containing_it(corpus, phrase):
    assert found(phrase) == oracle(corpus, phrase)


def test_traditional_query_finds_simplified_text(corpus):
    assert found("組織") == found("组织") != set()


def test_phrases_in_no_article_find_nothing(corpus):
    assert found("量子计算") == set()
    assert oracle(corpus, "量子计算") == set()


def test_fifty_character_phrase_is_exact(corpus):
    paragraph = max((s for segments in corpus.values() for s in segments), key=len)
    phrase = paragraph[10:60]
    assert len(phrase) == 50
    assert found(phrase) == oracle(corpus, phrase) != set()


def test_phrase_does_not_straddle_two_paragraphs(corpus):
    article = Article.objects.exclude(body="").first()
    first, second = article.paragraphs[:2]
    straddling = first[-2:] + second[:2]
    assert article.pk not in found(straddling) or any(
        straddling in fold(p) for p in article.paragraphs
    )
    assert found(straddling) == oracle(corpus, straddling)


def test_three_characters_that_end_a_segment_are_found(corpus):
    # Three-character phrases are the start of a four-character gram, or a segment's
    # padded last gram: the ends of titles, paragraphs and keywords.
    checked = 0
    for article in Article.objects.exclude(body="")[:8]:
        for segment in (article.title, article.paragraphs[-1], *article.keyword_names):
            tail = fold(segment)[-3:]
            if len(tail) < 3 or tail != tail.strip() or QUOTE_CHARACTERS & set(tail):
                continue
            assert article.pk in found(tail), tail
            assert found(tail) == oracle(corpus, tail), tail
            checked += 1
    assert checked >= 10


def test_phrase_with_filter_is_the_oracle_intersected_with_the_filter(corpus):
    expected = {
        pk
        for pk in oracle(corpus, "战斗堡垒")
        if Article.objects.filter(pk=pk, publication__name="商情").exists()
    }
    assert found("战斗堡垒", filters={"source": Equals("商情")}) == expected
    assert len(expected) == 2


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_random_substrings_of_the_corpus_match_the_oracle(corpus, data):
    pk = data.draw(st.sampled_from(sorted(corpus)))
    segment = data.draw(st.sampled_from([s for s in corpus[pk] if len(s) >= 2]))
    length = data.draw(st.integers(min_value=2, max_value=min(12, len(segment))))
    start = data.draw(st.integers(min_value=0, max_value=len(segment) - length))
    phrase = segment[start : start + length]
    if phrase != phrase.strip() or QUOTE_CHARACTERS & set(phrase):
        return  # quote marks and edge spaces are query syntax, not text
    assert pk in oracle(corpus, phrase)
    assert found(phrase) == oracle(corpus, phrase)
