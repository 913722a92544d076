"""WSGI entry point for gunicorn."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()

# Load jieba's dictionary before gunicorn forks its workers (preload_app), so each
# worker shares it instead of loading its own copy on the first search.
from archive.text import jieba_module  # noqa: E402

jieba_module()
