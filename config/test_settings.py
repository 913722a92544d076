"""Test settings: the real stack, with data in a throwaway directory and plain static files."""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

if "WENCUI_DATA_DIR" not in os.environ:
    # Processes the tests start inherit the variable, and with it this directory; only
    # the process that made it removes it.
    os.environ["WENCUI_DATA_DIR"] = tempfile.mkdtemp(prefix="wencui-test-")
    atexit.register(shutil.rmtree, os.environ["WENCUI_DATA_DIR"], ignore_errors=True)

from django.core.exceptions import ImproperlyConfigured  # noqa: E402

from config.settings import *  # noqa: E402,F403
from config.settings import DATA_DIR, database  # noqa: E402

# The suite runs on each database the archive supports: WENCUI_TEST_DATABASE=sqlite (the
# default) or postgres. A developer's DATABASE_URL is never used: tests create and drop
# their own databases. On PostgreSQL, WENCUI_TEST_DATABASE_URL names a server to use (its
# user may create databases); without it tests/conftest.py starts a throwaway cluster and
# fills in its address.
TEST_DATABASE = os.environ.get("WENCUI_TEST_DATABASE", "sqlite")
TEST_POSTGRES_URL = os.environ.get("WENCUI_TEST_DATABASE_URL", "")
if TEST_DATABASE == "sqlite":
    DATABASES = {"default": database(f"sqlite:///{Path(DATA_DIR) / 'db.sqlite3'}")}
elif TEST_DATABASE == "postgres":
    DATABASES = {"default": database(TEST_POSTGRES_URL or "postgres://postgres@127.0.0.1/wencui")}
else:
    raise ImproperlyConfigured(
        f"WENCUI_TEST_DATABASE must be sqlite or postgres, not {TEST_DATABASE!r}"
    )

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
HAYSTACK_CONNECTIONS = {
    "default": {
        "ENGINE": "search.engines.whoosh.backend.ArchiveWhooshEngine",
        "PATH": str(Path(DATA_DIR) / "index"),
    },
}

# Static files straight from static/ (no collectstatic in tests); the live server
# used by the browser tests serves them through WhiteNoise like production does.
STATIC_ROOT = Path(DATA_DIR) / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# No limits by default: fuzz and property tests send hundreds of searches a minute. The rate
# limit tests set their own.
WENCUI_RATE_LIMITS = {name: (0, 60) for name in WENCUI_RATE_LIMITS}  # noqa: F405
