"""The engine's terms: characters and bigrams of letters and digits, never across punctuation
or segments; what finds a phrase, and when the terms alone decide; LIKE patterns."""

from __future__ import annotations

from search.engines.postgres.terms import document_terms, like_pattern, phrase_terms


def test_article_terms_are_its_characters_and_adjacent_pairs():
    assert document_terms("组织ab") == sorted(["组", "织", "a", "b", "组织", "织a", "ab"])


def test_no_bigram_bridges_punctuation_spaces_or_segment_breaks():
    terms = document_terms("组织，战斗 堡垒\n作用")
    assert "织战" not in terms
    assert "斗堡" not in terms
    assert "垒作" not in terms
    assert {"组织", "战斗", "堡垒", "作用"} <= set(terms)


def test_punctuation_and_underscores_make_no_terms():
    assert document_terms("，。_%！") == []


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


def test_tsquery_quotes_every_term():
    assert phrase_terms("党组织").tsquery == "'党组' & '组织'"


def test_like_pattern_takes_percent_underscore_and_backslash_literally():
    assert like_pattern("5%_a\\b") == "%5\\%\\_a\\\\b%"
