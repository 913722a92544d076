"""The engine's terms: characters and bigrams of term characters, never across punctuation
or segments, made by the database for articles and here for phrases, by the same rule; what
finds a phrase, and when the terms alone decide; LIKE patterns."""

from __future__ import annotations

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.engines.postgres.schema import TERMS_FUNCTION
from search.engines.postgres.terms import (
    LONG_MARKER,
    LONG_TEXT_BYTES,
    like_pattern,
    phrase_terms,
)
from tests.databases import on_postgres

# Chinese (both planes), Latin with and without accents, Greek, kana, Hangul, digits, and
# what separates terms: punctuation, spaces, the segment break, letters of other scripts.
ALPHABET = "党组织战斗堡垒𠀀𠀁aé9αあ한，。 \n_%-ـא"


@pytest.fixture
def article_terms(db):
    if not on_postgres():
        pytest.skip("the terms of articles are made by PostgreSQL")

    def terms(text: str) -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT tsvector_to_array({TERMS_FUNCTION}(%s))", [text])
            return set(cursor.fetchone()[0])

    return terms


def test_article_terms_are_its_characters_and_adjacent_pairs(article_terms):
    assert article_terms("组织ab") == {"组", "织", "a", "b", "组织", "织a", "ab"}


def test_no_bigram_bridges_punctuation_spaces_or_segment_breaks(article_terms):
    terms = article_terms("组织，战斗 堡垒\n作用")
    assert not {"织，", "织战", "斗堡", "垒作"} & terms
    assert {"组织", "战斗", "堡垒", "作用"} <= terms


def test_punctuation_and_underscores_make_no_terms(article_terms):
    assert article_terms("，。_%！") == set()


def test_a_long_article_keeps_its_characters_and_the_marker(article_terms):
    text = "组织战斗" * (LONG_TEXT_BYTES // 12 + 1)
    assert article_terms(text) == {"组", "织", "战", "斗", LONG_MARKER}


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(alphabet=ALPHABET, min_size=1, max_size=30))
def test_an_article_has_every_term_of_every_phrase_it_contains(article_terms, text):
    # The engine's exactness rests on this: a phrase's terms are made here, an article's in
    # the database, and a containing article must have them all.
    terms = article_terms(text)
    for start in range(len(text)):
        for end in range(start + 1, min(len(text), start + 6) + 1):
            phrase = phrase_terms(text[start:end])
            assert set(phrase.terms) <= terms, text[start:end]
            assert set(phrase.characters) <= terms, text[start:end]


def test_one_or_two_letters_are_decided_by_their_term():
    assert phrase_terms("党").exact
    assert phrase_terms("组织").exact
    assert phrase_terms("组织").terms == ("组织",)


def test_longer_phrases_and_phrases_with_punctuation_are_checked_in_the_text():
    three = phrase_terms("党组织")
    assert three.terms == ("党组", "组织") and not three.exact
    spaced = phrase_terms("a b")
    assert spaced.terms == ("a", "b") and not spaced.exact
    assert phrase_terms("组，").terms == ("组",) and not phrase_terms("组，").exact


def test_tsquery_finds_long_articles_by_their_characters():
    assert phrase_terms("党组织").tsquery == "('党组' & '组织') | ('党' & '组' & '织' & '-')"
    # Single characters: long articles have them as every other article does.
    assert phrase_terms("a b").tsquery == "'a' & 'b'"


def test_like_pattern_takes_percent_underscore_and_backslash_literally():
    assert like_pattern("5%_a\\b") == "%5\\%\\_a\\\\b%"
