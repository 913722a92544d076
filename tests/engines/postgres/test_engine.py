"""The PostgreSQL engine's own behaviour: long articles, LIKE's wildcards, the row written in
the article's transaction, its version, and the database it needs."""

from __future__ import annotations

import random

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction

from archive.models import Article
from search import search_articles
from search.engines.postgres import PostgresEngine
from search.engines.postgres.schema import DOCUMENTS, terms_of
from tests.databases import on_postgres


def found(phrase: str) -> set[int]:
    outcome = search_articles(query=f'"{phrase}"', per_page=1000)
    return {hit.article.pk for hit in outcome.hits}


def rows(article_id: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {DOCUMENTS} WHERE article_id = %s", [article_id])
        return cursor.fetchone()[0]


def test_the_engine_refuses_another_database(db):
    if on_postgres():
        pytest.skip("on PostgreSQL the engine is available")
    with pytest.raises(ImproperlyConfigured, match="PostgreSQL"):
        PostgresEngine()


def test_phrase_at_the_end_of_a_long_article_is_found(postgres_engine):
    # tsvector positions stop at 16,383: the terms carry none, so nothing is lost after it.
    filler = "，".join("第" + str(n) + "段文字" for n in range(6000))
    assert len(filler) > 40000
    article = Article.objects.create(title="很长的文章", body=filler + "\n结尾处的独特短语")
    assert found("结尾处的独特短语") == {article.pk}
    assert found("第5999段") == {article.pk}


def test_an_article_of_several_megabytes_is_found_by_its_phrases(postgres_engine):
    # A tsvector holds at most 1 MB, and this text has millions of distinct bigrams: the
    # article keeps its characters, and its text decides.
    rng = random.Random(7)
    characters = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]
    text = "".join(rng.choice(characters) for _ in range(1_200_000))
    assert len(text.encode()) > 3_000_000
    article = Article.objects.create(title="极长的文章", body=text + "。篇末独有的短语")
    other = Article.objects.create(title="短文", body="篇末独有")
    assert found("篇末独有的短语") == {article.pk}
    assert found(text[600_000:600_006]) == {article.pk}
    two = text[900_000:900_002]
    assert article.pk in found(two) and other.pk not in found(two)
    assert found("篇末独有") == {article.pk, other.pk}
    # Not every pair of its characters is in it: a long article is not found by them.
    absent = next(a + b for a in characters[:50] for b in characters[:50] if a + b not in text)
    assert article.pk not in found(absent)


def test_percent_and_underscore_in_a_phrase_are_literal(postgres_engine):
    exact = Article.objects.create(title="比例", body="增长50%_以上")
    Article.objects.create(title="比例", body="增长50个百分点x以上")
    assert found("50%_以上") == {exact.pk}
    assert found("长50%") == {exact.pk}


def test_phrase_is_not_found_across_punctuation(postgres_engine):
    article = Article.objects.create(title="标点", body="巩固组织，战斗力强")
    assert article.pk not in found("组织战斗力")
    assert found("组织，战斗力") == {article.pk}


def test_an_article_saved_and_rolled_back_leaves_no_row(postgres_engine):
    with pytest.raises(RuntimeError), transaction.atomic():
        article = Article.objects.create(title="回滚", body="回滚之前写下的正文")
        assert rows(article.pk) == 1  # written in the article's own transaction
        raise RuntimeError("rolled back")
    assert rows(article.pk) == 0
    assert found("回滚之前写下的正文") == set()


def test_saving_and_deleting_write_the_row_at_once(postgres_engine):
    article = Article.objects.create(title="即时", body="无需等待提交的正文")
    assert found("无需等待提交的正文") == {article.pk}
    article.delete()
    assert found("无需等待提交的正文") == set()


def test_every_write_moves_the_version(postgres_engine):
    before = postgres_engine.version()
    article = Article.objects.create(title="版本", body="版本号")
    after_save = postgres_engine.version()
    article.delete()
    assert len({before, after_save, postgres_engine.version()}) == 3


def test_a_rolled_back_write_never_gives_its_version_to_another_content(postgres_engine):
    with pytest.raises(RuntimeError), transaction.atomic():
        Article.objects.create(title="版本", body="回滚")
        rolled_back = postgres_engine.version()
        raise RuntimeError("rolled back")
    Article.objects.create(title="版本", body="保留")
    assert postgres_engine.version() != rolled_back


def test_search_uses_the_terms_index(postgres_engine):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            f"EXPLAIN SELECT article_id FROM {DOCUMENTS} d WHERE {terms_of('d')} @@ %s::tsquery",
            ["'组织'"],
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert f"{DOCUMENTS}_terms" in plan


@pytest.mark.parametrize(
    "query", ["基层党组织", "战斗堡垒 党支部", '"党支部" -组织', "title:党 组织"]
)
def test_no_row_has_its_terms_made_to_check_it(postgres_engine, query):
    # Only the index holds the terms: made again for a row, they cost its whole text
    # (an unquoted phrase once took 5 s in 10,000 articles that way).
    from search import EngineQuery, parse_query
    from search.engines.postgres.matching import search_statement
    from search.engines.postgres.schema import PLANNER_SETTINGS, TERMS_FUNCTION

    request = EngineQuery(
        query=parse_query(query), filters=(), sort="relevance", offset=0, limit=20
    )
    statement = search_statement(request)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("; ".join(PLANNER_SETTINGS))
        cursor.execute("EXPLAIN " + statement.text, statement.params)
        plan = [row[0] for row in cursor.fetchall()]
    assert any(TERMS_FUNCTION in line for line in plan)  # the index is used
    assert not [line for line in plan if "Filter:" in line and TERMS_FUNCTION in line]
