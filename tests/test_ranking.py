"""Relevance: the two ways of ranking the selected articles agree, and titles weigh more."""

from __future__ import annotations

import pytest
from whoosh import query as wq

from archive.models import Article
from search.backends import _scoring_query, score_documents
from search.indexing import search_backend
from search.query import parse_query
from search.services import search_articles

QUERIES = ["战斗堡垒", "基层党组织 作用", "疫情防控", "党建 -疫情", "发挥党员先锋模范作用"]


@pytest.mark.parametrize("text", QUERIES)
def test_scoring_selected_documents_equals_whooshs_scores(corpus_db, text):
    scoring = _scoring_query(parse_query(text))
    terms = [(term.fieldname, term.text) for term in scoring.subqueries]
    with search_backend().searcher() as searcher:
        hits = searcher.search(scoring, limit=None)
        expected = {hit.docnum: round(hit.score, 9) for hit in hits}
        assert len(expected) >= 3
        chosen = sorted(expected)[::2]  # a selection, as filters would make it
        direct = score_documents(searcher, terms, chosen)
        assert {d: round(s, 9) for d, s in direct.items()} == {d: expected[d] for d in chosen}
        # Documents without any of the words score 0 rather than disappearing.
        outside = [d for d in range(searcher.doc_count_all()) if d not in expected]
        assert all(score == 0.0 for score in score_documents(searcher, terms, outside).values())
        assert isinstance(scoring, wq.Or)


def test_title_matches_rank_before_body_matches(corpus_db):
    outcome = search_articles(query="机关")
    titles = [hit.article.title for hit in outcome.hits]
    in_title = [t for t in titles if "机关" in t]
    assert in_title and titles[: len(in_title)] == in_title
    assert len(titles) > len(in_title)
    assert Article.objects.filter(title__contains="机关").count() == len(in_title)
