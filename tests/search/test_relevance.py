"""Relevance and related articles, whatever the engine: titles weigh more, and an article's
related articles are others, at most as many as asked."""

from __future__ import annotations

from archive.models import Article
from search import related_articles, search_articles


def test_title_matches_rank_before_body_matches(corpus_search):
    outcome = search_articles(query="机关")
    titles = [hit.article.title for hit in outcome.hits]
    in_title = [t for t in titles if "机关" in t]
    assert in_title and titles[: len(in_title)] == in_title
    assert len(titles) > len(in_title)
    assert Article.objects.filter(title__contains="机关").count() == len(in_title)


def test_related_articles_are_other_articles_at_most_as_many_as_asked(corpus_search):
    found = 0
    for article in Article.objects.all():
        related = related_articles(article, limit=3)
        assert len(related) <= 3
        assert article not in related
        assert len(set(related)) == len(related)
        found += bool(related)
    assert found >= Article.objects.count() * 3 // 4
