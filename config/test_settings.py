"""Test settings: the real stack, with data in a throwaway directory and plain static files."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("WENCUI_DATA_DIR", tempfile.mkdtemp(prefix="wencui-test-"))

from config.settings import *  # noqa: E402,F403
from config.settings import DATA_DIR  # noqa: E402

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
HAYSTACK_CONNECTIONS = {
    "default": {
        "ENGINE": "search.backends.ArchiveWhooshEngine",
        "PATH": str(Path(DATA_DIR) / "index"),
    },
}

# Static files straight from static/ (no collectstatic in tests); the live server
# used by the browser tests serves them through WhiteNoise like production does.
STATIC_ROOT = Path(DATA_DIR) / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
