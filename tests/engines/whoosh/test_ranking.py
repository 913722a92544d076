"""Relevance and related articles: scores as Whoosh computes them, to the last bit."""

from __future__ import annotations

import pytest
from whoosh import query as wq

from archive.models import Article
from search import get_engine, parse_query, related_text
from search.engines.whoosh.ranking import (
    packed_scores,
    scores_of,
    scoring_terms,
    scoring_words,
    sum_scores,
)

QUERIES = ["战斗堡垒", "基层党组织 作用", "疫情防控", "党建 -疫情", "发挥党员先锋模范作用"]


@pytest.mark.parametrize("text", QUERIES)
def test_summed_term_scores_equal_whooshs_scores(corpus_db, text):
    terms = scoring_terms(scoring_words(parse_query(text)))
    with get_engine().backend.searcher() as searcher:
        hits = searcher.search(wq.Or([wq.Term(*term) for term in terms]), limit=None)
        expected = {hit.docnum: round(hit.score, 9) for hit in hits}
        assert len(expected) >= 3
        exact = {hit.docnum: hit.score for hit in hits}
        tables = [packed_scores(searcher, term) for term in terms]
        # Exactly the documents with one of the words, each scored as Whoosh does, to
        # the last bit (ties are then broken the same way).
        assert sum_scores(tables) == exact
        # A selection's scores, looked up in each term's table, are the same sums.
        chosen = sorted(exact)[::2] + [d for d in range(searcher.doc_count_all()) if d not in exact]
        assert scores_of(tables, chosen) == {d: exact.get(d, 0.0) for d in chosen}


def test_related_articles_are_whooshs_more_like_this(corpus_db):
    engine = get_engine()
    backend = engine.backend
    found = 0
    for article in Article.objects.all():
        text = related_text(article)
        with backend.searcher() as searcher:
            docnum = searcher.document_number(django_id=str(article.pk))
            expected = searcher.more_like(docnum, "text", text=text, top=5)
            ids = searcher.reader().column_reader("article_id")
            expected = [ids[hit.docnum] for hit in expected]
        assert engine.related(article_id=article.pk, text=text, limit=5) == expected
        found += len(expected) == 5
    # Most articles have five (an article whose most distinctive words are its own has none).
    assert found >= Article.objects.count() * 3 // 4
