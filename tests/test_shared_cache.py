"""CACHE_URL: result pages in Redis, served to other processes, never past their index version."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from archive.models import Article
from search import get_engine, search_articles

BASE_DIR = Path(__file__).resolve().parent.parent

# Run in another process: what the search service and the results template kept in Redis
# for this version and query, read without computing anything.
OTHER_PROCESS = """
import json, sys
import django
django.setup()
from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key
from search.pages import PageCache
from search.query import parse_query
from search.types import EngineQuery

version, query, path = sys.argv[1:4]

def must_not_compute():
    raise AssertionError("computed again")

page = PageCache().get(version, EngineQuery(query=parse_query(query)), must_not_compute)
fragment = cache.get(make_template_fragment_key("search-results", [version, "zh-hans", path]))
related = PageCache().get(version, ("related", 7, "text", 5), lambda: [3, 1, 2])
json.dump({"total": page.total, "ids": [hit[0] for hit in page.hits],
           "facets": [group.facet.name for group in page.facets],
           "fragment": fragment, "related": related}, sys.stdout)
"""


def other_process(redis_url: str, *args: str) -> dict:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
        "CACHE_URL": redis_url,
    }
    result = subprocess.run(
        [sys.executable, "-c", OTHER_PROCESS, *args],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_a_page_kept_by_one_process_is_served_to_another(
    client, corpus_db, shared_cache, redis_url
):
    from search.pages import PageCache

    response = client.get("/search/", {"q": "战斗堡垒"})
    assert response.status_code == 200
    outcome = search_articles(query="战斗堡垒")
    version = get_engine().version()

    path = response.wsgi_request.get_full_path()
    seen = other_process(redis_url, version, "战斗堡垒", path)
    assert seen["total"] == outcome.total > 0
    assert seen["ids"] == [hit.article.pk for hit in outcome.hits]
    assert seen["facets"] == ["source", "year", "author"]
    assert f'href="/articles/{outcome.hits[0].article.pk}/' in seen["fragment"]

    # And back: what the other process made is served here without computing it.
    def must_not_compute():
        raise AssertionError("computed again")

    assert PageCache().get(version, ("related", 7, "text", 5), must_not_compute) == [3, 1, 2]


@pytest.mark.django_db(transaction=True)
def test_no_page_outlives_its_index_version(
    client, engine, shared_cache, django_capture_on_commit_callbacks
):
    query = {"q": '"稻田养鱼"'}
    assert "共享缓存测试" not in client.get("/search/", query).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        Article.objects.create(title="共享缓存测试", body="第一段讲述稻田养鱼的经验。")
    content = client.get("/search/", query).content.decode()
    assert "共享缓存测试" in content
    assert "找到 1 篇文章" in content


def test_a_stopped_redis_costs_time_never_an_error_page(client, corpus_db, settings):
    from config.settings import cache as cache_settings
    from performance.postgres_cluster import free_port

    settings.CACHE_URL = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    settings.CACHES = {"default": cache_settings(settings.CACHE_URL)}
    response = client.get("/search/", {"q": "战斗堡垒"})
    assert response.status_code == 200
    assert "找到 18 篇文章" in response.content.decode()
