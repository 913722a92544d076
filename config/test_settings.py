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

from config.settings import *  # noqa: E402,F403
from config.settings import DATA_DIR  # noqa: E402

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
