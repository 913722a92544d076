"""Per-client rate limits through real requests: 429 pages and JSON with Retry-After, in the
reader's language, per client and per kind of page, counted in the shared cache too."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.usefixtures("corpus_db")

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def limits(settings):
    settings.WENCUI_RATE_LIMITS = {
        "search": (3, 60),
        "api": (2, 60),
        "heavy": (2, 60),
        "login": (2, 300),
    }
    return settings.WENCUI_RATE_LIMITS


def test_search_past_its_limit_gets_a_429_page_with_retry_after(client, limits):
    for _ in range(3):
        assert client.get("/search/", {"q": "党支部"}).status_code == 200
    response = client.get("/search/", {"q": "党支部"})
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 61
    content = response.content.decode()
    assert "请求太频繁" in content and f"请 {response['Retry-After']} 秒后再试" in content
    assert 'class="error-page"' in content  # the site's own page, its header and styles


def test_the_429_page_is_in_the_readers_language(client, limits):
    for _ in range(3):
        client.get("/search/", {"q": "党支部"}, **ENGLISH)
    content = client.get("/search/", {"q": "党支部"}, **ENGLISH).content.decode()
    assert "Too many requests" in content and "请求太频繁" not in content


def test_the_api_answers_json_429(client, limits):
    for _ in range(2):
        assert client.get("/api/search", {"q": "党支部"}).status_code == 200
    response = client.get("/api/search", {"q": "党支部"})
    assert response.status_code == 429
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["retry_after"] == int(response["Retry-After"])
    assert response.json()["error"]


def test_feeds_and_citation_downloads_share_the_heavy_limit(client, limits):
    assert client.get("/feeds/latest/").status_code == 200
    assert client.get("/articles/1/cite.bib").status_code in {200, 404}
    assert client.get("/articles/1/cite.ris").status_code == 429


def test_admin_login_attempts_are_limited_but_the_form_is_not(client, limits):
    for _ in range(2):
        response = client.post("/admin/login/", {"username": "x", "password": "wrong"})
        assert response.status_code == 200  # the form again, with its error
    assert client.post("/admin/login/", {"username": "x", "password": "y"}).status_code == 429
    assert client.get("/admin/login/").status_code == 200


def test_each_kind_of_page_and_each_client_counts_apart(client, limits):
    for _ in range(3):
        client.get("/search/", {"q": "党支部"})
    assert client.get("/search/", {"q": "党支部"}).status_code == 429
    assert client.get("/api/search", {"q": "党支部"}).status_code == 200
    assert client.get("/").status_code == 200  # browse pages are not limited
    other = {"REMOTE_ADDR": "192.0.2.7"}
    assert client.get("/search/", {"q": "党支部"}, **other).status_code == 200


def test_forwarded_for_names_the_client_only_behind_the_trusted_proxy(client, limits, settings):
    # Without production mode the header is anyone's to write: a client cannot escape its
    # limit by changing it.
    for number in range(4):
        response = client.get(
            "/search/", {"q": "党支部"}, HTTP_X_FORWARDED_FOR=f"198.51.100.{number}"
        )
    assert response.status_code == 429

    settings.PRODUCTION = True
    settings.SECURE_SSL_REDIRECT = False
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for _ in range(3):
        response = client.get(
            "/search/", {"q": "党支部"}, HTTP_X_FORWARDED_FOR="203.0.113.5, 10.0.0.1", **proxy
        )
        assert response.status_code == 200
    blocked = client.get("/search/", {"q": "党支部"}, HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy)
    assert blocked.status_code == 429
    other = client.get("/search/", {"q": "党支部"}, HTTP_X_FORWARDED_FOR="203.0.113.6", **proxy)
    assert other.status_code == 200


def test_limits_are_counted_in_the_shared_cache_that_every_worker_reads(
    client, limits, shared_cache, redis_url
):
    import redis

    for _ in range(3):
        assert client.get("/search/", {"q": "党支部"}).status_code == 200
    # Counted in Redis itself, where another worker or machine reads the same number.
    server = redis.Redis.from_url(redis_url)
    (key,) = server.keys("*ratelimit:search:127.0.0.1:*")
    assert int(server.get(key)) == 3
    assert client.get("/search/", {"q": "党支部"}).status_code == 429
    server.delete(key)  # as when the window ends
    assert client.get("/search/", {"q": "党支部"}).status_code == 200


def test_a_cache_that_does_not_answer_lets_readers_through(client, limits, settings):
    from config.settings import cache as cache_settings
    from performance.postgres_cluster import free_port

    settings.CACHE_URL = f"redis://127.0.0.1:{free_port()}/0"
    settings.CACHES = {"default": cache_settings(settings.CACHE_URL)}
    for _ in range(5):
        assert client.get("/search/", {"q": "党支部"}).status_code == 200
