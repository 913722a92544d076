"""gunicorn settings for Wencui: `gunicorn -c config/gunicorn.conf.py config.wsgi`."""

import multiprocessing
import os

bind = os.environ.get("WENCUI_BIND", "127.0.0.1:8000")
# One worker per core (at least 2, at most 8): searching is CPU work, and each worker keeps
# its own memory of what the index answered (pages, matches, scores), which more workers
# would split.
workers = int(os.environ.get("WEB_CONCURRENCY", max(2, min(multiprocessing.cpu_count(), 8))))
# Load Django and jieba's dictionary once in the master; workers share the pages.
preload_app = True
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 10
keepalive = 5
# A worker is replaced after this many requests (a guard against slow leaks). Not often:
# a new worker starts without what the old one remembered of the index.
max_requests = 20000
max_requests_jitter = 2000
# No access log: Django logs every request it answers, as one JSON line with its duration
# (config/middleware.py, logger wencui.request). Requests gunicorn refuses before Django sees
# them (a request line too long, a malformed one) are in the error log, as
# "Invalid request from ip=…".
accesslog = None
errorlog = "-"
# gunicorn's default limit of 4094 bytes is about 450 Chinese characters percent-encoded (9
# bytes each): longer searches got gunicorn's bare error instead of the app's own message.
# 8190 bytes (gunicorn's largest finite limit, and nginx's default buffer) hold a query one
# character longer than the search form accepts (513 characters: 6156 bytes even at 12 bytes
# each for 4-byte characters) with room for the filters; tests/test_gunicorn.py checks it.
# Longer lines get gunicorn's 414.
limit_request_line = 8190


def post_worker_init(worker):
    """Each worker opens the search index before its first request (not before the fork:
    open files would be shared, and their read positions with them), so the first
    searches after a start or restart do not wait for it."""
    from search import get_engine

    try:
        if not get_engine().warm():
            worker.log.warning("search index unavailable at worker start")
    except Exception:  # a worker that cannot boot serves nothing at all; searches will tell
        worker.log.exception("opening the search index at worker start failed")
