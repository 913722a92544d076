"""Settings for Wencui, driven by environment variables (see README, "Configuration")."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Everything the archive generates (database, search index, secret key) lives here,
# outside version control.
DATA_DIR = Path(os.environ.get("WENCUI_DATA_DIR", BASE_DIR / "var")).resolve()

DEBUG = env_bool("DEBUG", False)
PRODUCTION = env_bool("WENCUI_PRODUCTION", False)


def load_secret_key() -> str:
    """Use SECRET_KEY from the environment, else one generated once and kept in DATA_DIR."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when WENCUI_PRODUCTION is on.")
    key_file = DATA_DIR / "secret_key"
    try:
        return key_file.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        # O_EXCL: when two processes start at once, exactly one key wins.
        try:
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return key_file.read_text(encoding="ascii").strip()
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(key)
        return key


SECRET_KEY = load_secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "archive",
    # Before haystack, so that search's rebuild_index replaces haystack's.
    "search",
    "haystack",
    # Benchmarks and the load test (manage.py benchmark, benchmark_import).
    "performance",
]

MIDDLEWARE = [
    # First: it times the whole stack and logs the status actually sent.
    "config.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # After the language is known (its 429 page is translated), before any work is done.
    "config.ratelimit.RateLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # It turns a database that cancelled or could not run a view's query into a 503.
    "config.middleware.DatabaseUnavailableMiddleware",
    # Last: where a request reads (config/replicas.py); a read whose replica failed is run
    # again on the primary before the 503 above would answer it.
    "config.replicas.ReplicaMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"


# On PostgreSQL, the longest a statement may run, in milliseconds (0: no limit). manage.py
# turns it off for its commands (imports, index builds, migrations), which take what they
# need; web workers keep it.
STATEMENT_TIMEOUT_MS = int(os.environ.get("WENCUI_STATEMENT_TIMEOUT_MS") or "5000")


def database(url: str) -> dict:
    """Django's settings for the database at `url` (sqlite:///path or postgres://…)."""
    settings = dj_database_url.parse(
        url,
        # Each worker keeps its connection instead of opening one per request.
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
    if settings["ENGINE"] == "django.db.backends.sqlite3":
        # Readers never block the single writer, and a busy writer is waited for
        # instead of failing at once.
        settings["OPTIONS"] = {
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
        }
    elif settings["ENGINE"] == "django.db.backends.postgresql":
        # Django binds parameters on the client, so psycopg prepares nothing; should
        # server-side binding be turned on, each statement is still planned for its own
        # values (a search pattern's selectivity varies too much for a generic plan).
        settings["OPTIONS"] = {"prepare_threshold": None}
        if STATEMENT_TIMEOUT_MS:
            # No query holds a connection (and a worker) longer than this: one cancelled
            # becomes a 503 page (config/middleware.py), not a stuck worker.
            settings["OPTIONS"]["options"] = f"-c statement_timeout={STATEMENT_TIMEOUT_MS}"
    return settings


DATABASES = {
    "default": database(os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'db.sqlite3'}")
}


def replica(url: str) -> dict:
    """A streaming replica of the primary: read by page requests (config/replicas.py)."""
    settings = database(url)
    # A replica that does not answer is given up on quickly: the primary answers instead.
    settings["OPTIONS"]["connect_timeout"] = 2
    settings["TEST"] = {"MIRROR": "default"}
    return settings


# DATABASE_REPLICA_URLS=postgres://…,postgres://…: PostgreSQL streaming replicas of
# DATABASE_URL, as aliases replica_0, replica_1, …
for number, url in enumerate(env_list("DATABASE_REPLICA_URLS", "")):
    DATABASES[f"replica_{number}"] = replica(url)
WENCUI_REPLICAS = [alias for alias in DATABASES if alias.startswith("replica_")]
DATABASE_ROUTERS = ["config.replicas.ReplicaRouter"]
# After a write a client reads from the primary this long (a cookie), past any replica lag.
WENCUI_REPLICA_PIN_SECONDS = int(os.environ.get("WENCUI_REPLICA_PIN_SECONDS", "10"))
# A replica is checked (SELECT 1) at most this often per worker; one down is skipped as long.
WENCUI_REPLICA_CHECK_SECONDS = float(os.environ.get("WENCUI_REPLICA_CHECK_SECONDS", "5"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Rendered result pages (the search service's pages, search.pages, and the {% cache %}
# fragments of the results page) are keyed by what they were made from (the index version,
# the URL), so a stale one is never served. Without CACHE_URL each worker keeps its own;
# CACHE_URL=redis://host:6379/0 shares them between the workers and machines, along with
# the rate limits' counters (config/ratelimit.py).
CACHE_URL = os.environ.get("CACHE_URL", "")
# Seconds a page stays in the shared cache: a new index version makes it unreachable
# sooner; this only bounds how long it takes up memory.
WENCUI_SHARED_CACHE_SECONDS = int(os.environ.get("WENCUI_SHARED_CACHE_SECONDS", "3600"))


def cache(url: str) -> dict:
    """Django's settings for the default cache: Redis at `url`, else in each process."""
    if not url:
        return {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("WENCUI_CACHE_ENTRIES", "1000"))},
        }
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(f"CACHE_URL must be a redis:// URL, not {url!r}")
    return {
        "BACKEND": "config.cache.RedisCache",
        "LOCATION": url,
        "KEY_PREFIX": "wencui",
        "TIMEOUT": WENCUI_SHARED_CACHE_SECONDS,
        # A Redis that does not answer within a second is treated as down (config/cache.py
        # falls back to no cache), rather than holding every request up.
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }


CACHES = {"default": cache(CACHE_URL)}


# Requests per client (its address; behind the proxy of production mode, the first of
# X-Forwarded-For) in a window of seconds, per kind of page: "requests/seconds", "0" for no
# limit. Counted in the cache above, so with CACHE_URL they hold across workers and machines.
# Generous: a reader paging through results never meets them, a crawler soon does.
def rate_limit(name: str, default: str) -> tuple[int, int]:
    """(requests, seconds) from WENCUI_RATE_LIMIT_<NAME>, e.g. "120/60"; "0": no limit."""
    text = os.environ.get(f"WENCUI_RATE_LIMIT_{name.upper()}") or default
    requests, _, seconds = text.strip().partition("/")
    try:
        limit = (int(requests), int(seconds or 60))
    except ValueError:
        limit = (-1, 0)
    if limit[0] < 0 or limit[1] <= 0:
        raise ImproperlyConfigured(
            f"WENCUI_RATE_LIMIT_{name.upper()} must be requests/seconds (e.g. 120/60), not {text!r}"
        )
    return limit


WENCUI_RATE_LIMITS = {
    name: rate_limit(name, default)
    for name, default in {
        "search": "120/60",  # the search page
        "api": "120/60",  # /api/…
        "heavy": "30/60",  # feeds and citation downloads
        "login": "10/300",  # attempts to sign in to the admin
    }.items()
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
# Chinese is the source language and the default; LocaleMiddleware picks English for a
# browser that asks for it, or for a reader who chose it (the language cookie). URLs carry
# no language prefix: a link to an article is the same whoever shares it.
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "config.storage.StaticFilesStorage"},
}
# Until `manage.py collectstatic` has filled STATIC_ROOT (its manifest is written last),
# pages link to unhashed names and WhiteNoise serves them from the source directories.
WHITENOISE_USE_FINDERS = DEBUG or not (STATIC_ROOT / "staticfiles.json").is_file()

# Search: the engine behind search's contract (search/contract.py), by name: "whoosh", the
# embedded default, keeps its index in WENCUI_INDEX_DIR through haystack's connection.
WENCUI_SEARCH_ENGINE = os.environ.get("WENCUI_SEARCH_ENGINE", "whoosh")
HAYSTACK_CONNECTIONS = {
    "default": {
        "ENGINE": "search.engines.whoosh.backend.ArchiveWhooshEngine",
        "PATH": str(Path(os.environ.get("WENCUI_INDEX_DIR", DATA_DIR / "index")).resolve()),
    },
}
HAYSTACK_SIGNAL_PROCESSOR = "search.signals.QueuedSignalProcessor"
HAYSTACK_SEARCH_RESULTS_PER_PAGE = 20

# Text reuse (search/reuse/): articles sharing a passage this long (folded characters, at
# least 13) are listed on each other's pages; `compute_overlaps` after changing it.
WENCUI_REUSE_OVERLAP_MIN = int(os.environ.get("WENCUI_REUSE_OVERLAP_MIN", "50"))

ARTICLES_PER_PAGE = 20

# Uploads in the admin (archive/uploads.py): what a curator may send at once. Past either
# limit the rest of the request is read and thrown away and the form says why.
WENCUI_UPLOAD_MAX_MB = int(os.environ.get("WENCUI_UPLOAD_MAX_MB", "200"))
WENCUI_UPLOAD_MAX_FILES = int(os.environ.get("WENCUI_UPLOAD_MAX_FILES", "1000"))
FILE_UPLOAD_HANDLERS = [
    "archive.uploads.UploadLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# A file larger than this goes to a temporary file as it arrives, not into memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# The fields of a request apart from its files (those have the limits above).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Django's own guard answers 400; one above ours, so that ours (a form error) comes first.
DATA_UPLOAD_MAX_NUMBER_FILES = WENCUI_UPLOAD_MAX_FILES + 1

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Everything goes to stderr as JSON, one object per line (config/logs.py); each request is
# one line on wencui.request (config/middleware.py). See README, "Operations".
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "config.logs.JsonFormatter"},
    },
    "handlers": {
        "stderr": {"class": "logging.StreamHandler", "formatter": "json"},
    },
    "root": {"handlers": ["stderr"], "level": "WARNING"},
    "loggers": {
        # Through the root handler only: Django's own console handler would repeat records
        # in another format when DEBUG is on.
        "django": {"handlers": [], "level": "INFO"},
        # 4xx responses are in the request log already; server errors stay, with tracebacks.
        "django.request": {"level": "ERROR"},
        "wencui": {
            "handlers": ["stderr"],
            "level": os.environ.get("LOG_LEVEL", "INFO").upper(),
            "propagate": False,
        },
    },
}
