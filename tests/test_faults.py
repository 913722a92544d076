"""Real faults, caused for real: processes killed with SIGKILL, a stale write lock, edits racing
a rebuild, and the index deleted or truncated under a live gunicorn. Each test runs
`manage.py` (and gunicorn) in subprocesses against a data directory of its own, then shows
what survived.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from performance.corpus import generate_records, write_compilation, write_corpus
from tests.conftest import BASE_DIR, CORPUS
from tests.databases import copy_database, database_environment

pytestmark = pytest.mark.slow

PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
DEMO_ARTICLES = 18
SYNTHETIC_ARTICLES = 80  # enough for a rebuild of several seconds on a 2-core machine
INDEX_UNAVAILABLE = "检索索引暂时不可用"
# Variables of the developer's environment that would point a subprocess elsewhere.
FOREIGN_VARIABLES = {
    "DATABASE_URL",
    "WENCUI_INDEX_DIR",
    "WENCUI_PRODUCTION",
    "SECRET_KEY",
    "DEBUG",
    "STATIC_ROOT",
    "WENCUI_BIND",
    "WEB_CONCURRENCY",
}


# -- running manage.py ----------------------------------------------------------------------


def environment(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in FOREIGN_VARIABLES}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        WENCUI_DATA_DIR=str(data_dir),
        STATIC_ROOT=str(data_dir.parent / "static"),
        PYTHONUNBUFFERED="1",
        LOG_LEVEL="WARNING",
    )
    env.update(database_environment(data_dir))
    env.update(extra)
    return env


def manage(data_dir: Path, *args: str, timeout: float = 180, **env: str):
    return subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=BASE_DIR,
        env=environment(data_dir, **env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def spawn(data_dir: Path, *args: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [PYTHON, "manage.py", *args],
        cwd=BASE_DIR,
        env=environment(data_dir, **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def ok(result: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def shell(data_dir: Path, code: str, **env: str):
    """Run `code` in `manage.py shell`; it prints its answer as `RESULT <json>`."""
    result = ok(manage(data_dir, "shell", "-v", "0", "-c", code, **env))
    for line in result.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line.removeprefix("RESULT "))
    raise AssertionError(f"no RESULT line in:\n{result.stdout}\n{result.stderr}")


def kill(process: subprocess.Popen) -> None:
    """SIGKILL a process started by this test (by its pid) and reap it."""
    if process.poll() is None:
        os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def wait_for(condition, *, timeout: float, message: str, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:g} s: {message}")


STATE = """
import json
from archive.models import Article, SourceDocument
from django.db import connection
from search import PendingIndexUpdate, check_index, search_articles
with connection.cursor() as cursor:
    if connection.vendor == "sqlite":
        cursor.execute("PRAGMA integrity_check")
        integrity = cursor.fetchone()[0]
    else:
        # A server keeps no half-written file to check; what a killed client could leave
        # behind is its session, holding its transaction and locks open.
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid() AND xact_start IS NOT NULL"
        )
        integrity = "ok" if cursor.fetchone()[0] == 0 else "a transaction is still open"
everything = search_articles(query="")
try:
    consistent = check_index().consistent
except Exception as error:
    consistent = repr(error)
print("RESULT " + json.dumps({
    "articles": Article.objects.count(),
    "documents": SourceDocument.objects.count(),
    "pending": PendingIndexUpdate.objects.count(),
    "integrity": integrity,
    "searchable": everything.total,
    "unavailable": everything.unavailable,
    "phrase": search_articles(query='"战斗堡垒"').total,
    "consistent": consistent,
}))
"""


def state(data_dir: Path) -> dict:
    return shell(data_dir, STATE)


def generations(data_dir: Path) -> set[str]:
    return {path.name for path in (data_dir / "index").glob("gen-*")}


def live_generation(data_dir: Path) -> str:
    return (data_dir / "index" / "CURRENT").read_text(encoding="ascii").strip()


# -- data directories -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_template(tmp_path_factory) -> Path:
    """A data directory with the demo corpus imported and indexed, and static files."""
    data = tmp_path_factory.mktemp("faults") / "small"
    ok(manage(data, "migrate", "--noinput", "-v", "0"))
    ok(manage(data, "collectstatic", "--noinput", "-v", "0"))
    ok(manage(data, "rebuild_index", "-v", "0"))  # empty: the imports below index themselves
    ok(manage(data, "import_articles", str(CORPUS), "-v", "0"))
    ok(manage(data, "check_index"))
    return data


@pytest.fixture(scope="module")
def big_template(small_template) -> Path:
    """The demo corpus plus SYNTHETIC_ARTICLES synthetic ones, all indexed."""
    data = small_template.parent / "big"
    shutil.copytree(small_template, data)
    copy_database(small_template, data)
    corpus = data.parent / "synthetic.jsonl"  # the exchange format: exactly these articles
    write_corpus(corpus, generate_records(SYNTHETIC_ARTICLES, seed=7))
    ok(manage(data, "import_articles", str(corpus), "-v", "0"))
    ok(manage(data, "check_index"))
    return data


def copy_of(template: Path, tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(template, data)
    copy_database(template, data)
    (tmp_path / "static").symlink_to(template.parent / "static", target_is_directory=True)
    return data


# -- the importer killed --------------------------------------------------------------------


def test_import_killed_midway_leaves_the_database_as_before(small_template, tmp_path):
    data = copy_of(small_template, tmp_path)
    articles = 3000
    corpus = write_compilation(tmp_path / "large-compilation.txt", articles=articles, seed=1)
    importer = spawn(data, "import_articles", str(corpus))
    seen = []
    try:
        for line in importer.stdout:
            seen.append(line.rstrip())
            # "已处理 1000/3000 篇": a third of the articles are written in the open transaction.
            if "已处理" in line and int(line.split("已处理")[1].split("/")[0]) >= articles // 3:
                kill(importer)
                break
    finally:
        kill(importer)
    assert importer.returncode == -signal.SIGKILL
    assert any("已处理" in line for line in seen), "\n".join(seen)
    assert not any("新增" in line for line in seen), "the import finished before the kill"

    after = state(data)
    # The half-written transaction was rolled back: SQLite's file is intact, PostgreSQL ended
    # the killed client's session.
    assert after["integrity"] == "ok"
    assert after["articles"] in (DEMO_ARTICLES, DEMO_ARTICLES + articles)
    assert after["articles"] == DEMO_ARTICLES  # the kill came before the commit
    assert after["documents"] == 1 and after["pending"] == 0
    assert after["searchable"] == DEMO_ARTICLES and not after["unavailable"]
    assert ok(manage(data, "check_index")).returncode == 0


# -- a rebuild killed -----------------------------------------------------------------------


def test_rebuild_killed_midway_keeps_the_previous_index(big_template, tmp_path):
    data = copy_of(big_template, tmp_path)
    total = DEMO_ARTICLES + SYNTHETIC_ARTICLES
    before = live_generation(data)
    rebuild = spawn(data, "rebuild_index")

    def building() -> Path | None:
        # The builder's writer holds the new generation's lock while it analyses and
        # adds the articles: most of a rebuild's time.
        for name in generations(data) - {before}:
            if (data / "index" / name / "MAIN_WRITELOCK").exists():
                return data / "index" / name
        return None

    try:
        half_built = wait_for(building, timeout=60, message="the rebuild never started writing")
        time.sleep(0.3)
        assert rebuild.poll() is None, rebuild.stdout.read()
    finally:
        kill(rebuild)
    assert rebuild.returncode == -signal.SIGKILL
    assert generations(data) == {before, half_built.name}
    assert not list(half_built.glob("_MAIN_[1-9]*.toc")), "the build had committed"
    assert live_generation(data) == before

    after = state(data)  # searches answer from the previous, complete index
    assert not after["unavailable"]
    assert after["searchable"] == after["articles"] == total
    assert after["phrase"] > 0
    assert after["consistent"] is True

    assert "索引重建完成" in ok(manage(data, "rebuild_index", "-v", "0")).stdout
    now = live_generation(data)
    assert now not in (before, half_built.name)
    # The next rebuild removed the half-built generation; it keeps the one it replaced for
    # processes that may still be reading it.
    assert generations(data) == {now, before}
    ok(manage(data, "check_index"))


# -- a stale write lock ---------------------------------------------------------------------

HOLD_WRITER = """
import time
from search import get_engine
with get_engine().backend.writer():  # the Whoosh engine's write lock
    print("LOCKED", flush=True)
    time.sleep(300)
"""

SAVE_ARTICLE = """
import json, time
from archive.models import Article
from search import PendingIndexUpdate, check_index
article = Article.objects.order_by("id").first()
article.body += "\\n锁文件测试追加的一段话"
started = time.perf_counter()
article.save()  # autocommit: the index update runs right after, or stays queued
print("RESULT " + json.dumps({
    "seconds": time.perf_counter() - started,
    "pending": PendingIndexUpdate.objects.count(),
    "consistent": check_index().consistent,
}))
"""

FLUSH_QUEUE = """
import json, time
from search import check_index, flush_index_queue
started = time.perf_counter()
flushed = flush_index_queue()
print("RESULT " + json.dumps({
    "seconds": time.perf_counter() - started,
    "flushed": flushed,
    "consistent": check_index().consistent,
}))
"""


def flock_holders(path: Path) -> set[int]:
    """Pids holding a flock() lock on this file, from /proc/locks."""
    inode = os.stat(path).st_ino
    holders = set()
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if "->" in fields:  # a waiter, not a holder
            continue
        if fields[1] == "FLOCK" and int(fields[5].rsplit(":", 1)[1]) == inode:
            holders.add(int(fields[4]))
    return holders


def test_a_writer_killed_holding_the_lock_leaves_no_stale_lock(small_template, tmp_path):
    data = copy_of(small_template, tmp_path)
    lock_file = data / "index" / live_generation(data) / "MAIN_WRITELOCK"
    holder = spawn(data, "shell", "-v", "0", "-c", HOLD_WRITER)
    try:
        assert holder.stdout.readline().strip() == "LOCKED"
        # Whoosh's FileStorage lock is fcntl.flock() on MAIN_WRITELOCK, held by this process.
        assert flock_holders(lock_file) == {holder.pid}
        while_locked = shell(data, SAVE_ARTICLE, WENCUI_INDEX_LOCK_TIMEOUT="1")
        assert while_locked["pending"] == 1  # postponed, kept in the queue
        assert while_locked["consistent"] is False
    finally:
        kill(holder)
    assert holder.returncode == -signal.SIGKILL
    # The kernel released the lock with the process; the lock file itself stays behind.
    assert lock_file.exists()
    assert flock_holders(lock_file) == set()
    after = shell(data, FLUSH_QUEUE, WENCUI_INDEX_LOCK_TIMEOUT="30")
    assert after["seconds"] < 5, after  # no waiting for the lock timeout
    assert after["flushed"] == 1 and after["consistent"] is True
    ok(manage(data, "check_index"))


# -- edits racing a rebuild -----------------------------------------------------------------

EDIT_DURING_REBUILD = """
import json, time
from pathlib import Path
from django.conf import settings
from archive.models import Article
root = Path(settings.HAYSTACK_CONNECTIONS["default"]["PATH"])
before = (root / "CURRENT").read_text().strip()
generations = lambda: {p.name for p in root.glob("gen-*")}
start = time.monotonic()
while len(generations()) < 2 and time.monotonic() - start < 30:
    time.sleep(0.05)
ids = list(Article.objects.order_by("id").values_list("id", flat=True))
to_edit, to_delete = ids[: len(ids) // 2], ids[len(ids) // 2 :]
edited, deleted, created = [], [], []
switched_at = None
step = 0
# Edit through the ORM, as the admin does, until a while after the rebuild switched over.
while to_edit and to_delete:
    current = (root / "CURRENT").read_text().strip()
    if current != before and switched_at is None:
        switched_at = step
    if switched_at is not None and step - switched_at >= 6:
        break
    kind = step % 3
    if kind == 0:
        article = Article.objects.get(pk=to_edit.pop())
        article.body += f"\\n重建期间修改第{step}次"
        article.save()
        edited.append(article.pk)
    elif kind == 1:
        pk = to_delete.pop()
        Article.objects.get(pk=pk).delete()
        deleted.append(pk)
    else:
        created.append(Article.objects.create(title=f"重建期间新建{step}", body="新建正文").pk)
    step += 1
    time.sleep(0.1)
print("RESULT " + json.dumps({
    "edited": edited, "deleted": deleted, "created": created, "switched_at": switched_at,
}))
"""


def test_edits_made_while_a_rebuild_runs_are_not_lost(big_template, tmp_path):
    data = copy_of(big_template, tmp_path)
    rebuild = spawn(data, "rebuild_index")
    editor = spawn(data, "shell", "-v", "0", "-c", EDIT_DURING_REBUILD)
    try:
        editor_out, _ = editor.communicate(timeout=120)
        rebuild_out, _ = rebuild.communicate(timeout=120)
    finally:
        kill(editor)
        kill(rebuild)
    assert rebuild.returncode == 0, rebuild_out
    assert editor.returncode == 0, editor_out
    line = next(line for line in editor_out.splitlines() if line.startswith("RESULT "))
    edits = json.loads(line.removeprefix("RESULT "))
    assert edits["switched_at"] is not None, "the edits did not overlap the switch"
    assert edits["switched_at"] >= 3, "the edits did not overlap the build"
    assert edits["edited"] and edits["deleted"] and edits["created"]

    check = ok(manage(data, "check_index"))  # exit 0: no article missing, stale or orphaned
    assert "一致" in check.stdout
    after = state(data)
    total = DEMO_ARTICLES + SYNTHETIC_ARTICLES - len(edits["deleted"]) + len(edits["created"])
    assert after["articles"] == after["searchable"] == total
    assert after["pending"] == 0


# -- a live server loses its index ----------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: no proxy


def fetch(url: str) -> tuple[int | None, str]:
    """(status, body), or (None, error) when the connection failed without a response."""
    try:
        with _OPENER.open(url, timeout=20) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except (urllib.error.URLError, ConnectionError, OSError) as error:
        return None, repr(error)


@contextlib.contextmanager
def live_server(data_dir: Path, workers: int = 2, **extra: str):
    port = free_port()
    env = environment(
        data_dir, WENCUI_BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY=str(workers), **extra
    )
    log_path = data_dir.parent / "gunicorn.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            [GUNICORN, "-c", "config/gunicorn.conf.py", "config.wsgi"],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the workers go with it
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(
            lambda: server.poll() is not None or fetch(f"{base}/healthz")[0] is not None,
            timeout=60,
            message="gunicorn did not start",
            interval=0.2,
        )
        assert server.poll() is None, log_path.read_text()
        yield base, log_path
    finally:
        if server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=15)


def request_log(log_path: Path) -> list[dict]:
    """The request log lines (JSON, logger wencui.request) among gunicorn's output."""
    text = log_path.read_text(encoding="utf-8", errors="replace")
    entries = (json.loads(line) for line in text.splitlines() if line[:1] == "{")
    return [entry for entry in entries if entry["logger"] == "wencui.request"]


def server_errors(log_path: Path) -> list[dict]:
    """Requests answered 500. Server errors are logged at ERROR, so at LOG_LEVEL=WARNING too."""
    return [entry for entry in request_log(log_path) if entry["status"] == 500]


SEARCH = "/search/?" + urllib.parse.urlencode({"q": "党"})
API = "/api/search?" + urllib.parse.urlencode({"q": '"战斗堡垒"'})


def assert_search_works(base: str, times: int = 4) -> None:
    for _ in range(times):  # more requests than workers: every worker answers
        assert fetch(base + SEARCH)[0] == 200
        status, body = fetch(base + API)
        assert status == 200 and json.loads(body)["count"] > 0
        assert fetch(base + "/healthz")[0] == 200


def assert_unavailable_but_browsable(base: str, article_url: str, times: int = 4) -> None:
    for _ in range(times):
        assert fetch(base + "/")[0] == 200
        assert fetch(base + article_url)[0] == 200
        assert fetch(base + "/sources/")[0] == 200
        status, body = fetch(base + SEARCH)
        assert status == 503 and INDEX_UNAVAILABLE in body
        status, body = fetch(base + API)
        assert status == 503 and INDEX_UNAVAILABLE in json.loads(body)["error"]
        status, body = fetch(base + "/healthz")
        assert status == 503 and json.loads(body)["checks"]["index"]["ok"] is False


def first_article_url(base: str) -> str:
    status, body = fetch(base + API)
    assert status == 200, body
    return urllib.parse.urlsplit(json.loads(body)["results"][0]["url"]).path


def test_index_deleted_under_a_live_server(small_template, tmp_path):
    data = copy_of(small_template, tmp_path)
    with live_server(data) as (base, log):
        assert_search_works(base)
        article_url = first_article_url(base)
        shutil.rmtree(data / "index")
        assert_unavailable_but_browsable(base, article_url)
        ok(manage(data, "rebuild_index", "-v", "0"))
        assert_search_works(base)
        assert not server_errors(log)


def test_segment_truncated_under_a_live_server(small_template, tmp_path):
    data = copy_of(small_template, tmp_path)
    workers = 2
    with live_server(data, workers=workers) as (base, log):
        assert_search_works(base)
        article_url = first_article_url(base)
        (segment,) = (data / "index" / live_generation(data)).glob("*.seg")
        with open(segment, "r+b") as handle:
            handle.truncate(1000)
        # Every worker notices on its next search, even one that remembers the answer to
        # this very query (its index files changed), and none dies: files are read, not
        # memory-mapped, so a short file is an error to report rather than a SIGBUS.
        outcomes = [fetch(base + SEARCH) for _ in range(3 * workers)]
        assert [status for status, _ in outcomes] == [503] * (3 * workers), outcomes
        assert all(INDEX_UNAVAILABLE in body for _, body in outcomes)
        assert_unavailable_but_browsable(base, article_url)
        ok(manage(data, "rebuild_index", "-v", "0"))
        assert_search_works(base)
        assert not server_errors(log)
