"""The whole benchmark run: corpus, worker processes, gunicorn over HTTP, figures.

All measured work happens in child processes whose environment points WENCUI_DATA_DIR
at a throwaway directory (and drops DATABASE_URL and WENCUI_INDEX_DIR), so that the
user's database and index are never touched and each system's memory is its own.
The calling process only generates the corpus, computes the oracle and starts children.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from performance.corpus import (
    BASE_DIR,
    DEFAULT_SEED,
    VARIANTS,
    QuerySpec,
    generate,
    write_corpus,
    write_queries,
)
from performance.peers import Scan
from performance.postgres_cluster import BENCHMARK_PREFIX, free_port, server_bin_dir
from performance.worker import code_fingerprint

SYSTEMS = ("wencui", "wencui_postgres", "fts5", "stock_jieba", "scan")
# The archive itself, on each of its search engines: imported, built and searched through
# its own code (performance.wencui), each in a data directory of its own.
WENCUI_SYSTEMS = {"wencui": "whoosh", "wencui_postgres": "postgres"}
# Names a server for wencui_postgres (its user may create databases): the run makes a
# database of its own there and drops it afterwards. Without it, a throwaway cluster.
BENCH_DATABASE_ENV = "WENCUI_BENCH_DATABASE_URL"
# The throwaway cluster's settings beyond the test suite's: room for a 100,000-article
# table in shared buffers, and checkpoints spaced for bulk loading.
BENCH_SERVER_SETTINGS = {"shared_buffers": "1GB", "max_wal_size": "8GB"}
Log = Callable[[str], None]
# Environment variables that could point a child at the user's data.
PRIVATE_ENV = (
    "DATABASE_URL",
    "WENCUI_INDEX_DIR",
    "WENCUI_DATA_DIR",
    "STATIC_ROOT",
    "WENCUI_PRODUCTION",
    "ALLOWED_HOSTS",
    "DEBUG",
    "WENCUI_BIND",
)
# jieba announces its dictionary on stderr; not worth relaying.
QUIET_PREFIXES = ("Building prefix dict", "Loading model", "Prefix dict", "Dumping model")
HTTP_START_TIMEOUT = 180.0
HTTP_WORKERS = os.cpu_count() or 2
MB = 1024 * 1024


class BenchmarkError(Exception):
    pass


@dataclass
class Options:
    articles: int = 10_000
    repeat: int = 3
    systems: tuple[str, ...] = SYSTEMS
    http: bool = True
    seed: int = DEFAULT_SEED
    keep: bool = False
    # Smoke tests: a quarter of the queries (every base query once, in one of its
    # filter/sort variants) and no warm-up pass.
    quick: bool = False


@dataclass
class RunData:
    """Raw figures of one run, before summarising (report.summarise)."""

    options: Options
    workdir: Path
    corpus_bytes: int
    queries: list[QuerySpec]
    oracle: dict[str, set[int]]
    corpus_seconds: float
    results: dict[str, dict] = field(default_factory=dict)  # "system/phase" -> worker output
    http: dict | None = None
    load_before: tuple[float, float, float] | None = None
    code: str = ""
    load_after: tuple[float, float, float] | None = None
    database_url: str | None = None  # wencui_postgres's database


def worker_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in PRIVATE_ENV}
    env.update(
        WENCUI_DATA_DIR=str(data_dir),
        DJANGO_SETTINGS_MODULE="config.settings",
        LOG_LEVEL="ERROR",
        PYTHONUNBUFFERED="1",
        # Every query is timed several times: nothing is remembered from one time to the
        # next (the engine's memo, the service's pages), so each is measured as a query the
        # index has not seen.
        WENCUI_SEARCH_MEMO_MB="0",
        WENCUI_SEARCH_MEMO_ANSWERS="0",
        # Every timed request comes from this one address: a public archive's per-client
        # limits would answer most of them with 429.
        WENCUI_RATE_LIMIT_SEARCH="0",
        WENCUI_RATE_LIMIT_API="0",
        WENCUI_RATE_LIMIT_HEAVY="0",
    )
    return env


def system_env(data: RunData, system: str, phase: str) -> dict[str, str]:
    """A worker's environment: the archive on its engine in a data directory of its own
    (wencui_postgres: in the run's PostgreSQL database; its imports and builds without the
    web requests' statement timeout, as manage.py runs them)."""
    if system not in WENCUI_SYSTEMS:
        return worker_env(data.workdir / "data")
    env = worker_env(data.workdir / f"data-{system}")
    env["WENCUI_SEARCH_ENGINE"] = WENCUI_SYSTEMS[system]
    if WENCUI_SYSTEMS[system] == "postgres":
        env["DATABASE_URL"] = data.database_url or ""
        if phase in ("import", "build"):
            env["WENCUI_STATEMENT_TIMEOUT_MS"] = "0"
        if phase == "import":
            # Loaded in bulk as the Whoosh system is: the articles stored and their index
            # updates queued, then one rebuild_index. Written in each article's transaction
            # instead (this engine's way for edits and small imports), each article also
            # refreshes its text reuse there: 2–3 articles a second.
            env["WENCUI_SEARCH_ENGINE"] = "whoosh"
    return env


def run_worker(data: RunData, system: str, phase: str, log: Log) -> dict:
    out = data.workdir / f"{system}-{phase}.json"
    command = [
        sys.executable,
        "-m",
        "performance.worker",
        "--system",
        system,
        "--phase",
        phase,
        "--dir",
        str(data.workdir),
        "--out",
        str(out),
        "--repeat",
        str(data.options.repeat),
        "--warmup",
        "0" if data.options.quick else "1",
    ]
    log(f"[{system}] {phase} …")
    started = time.perf_counter()
    tail: deque[str] = deque(maxlen=40)
    with subprocess.Popen(
        command,
        cwd=BASE_DIR,
        env=system_env(data, system, phase),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        errors="replace",
    ) as process:
        try:
            for line in process.stderr:
                line = line.rstrip()
                tail.append(line)
                if line and not line.startswith(QUIET_PREFIXES):
                    log(f"    {line}")
            code = process.wait()
        except BaseException:
            process.kill()  # interrupted: the worker goes too, before its database does
            raise
    seconds = time.perf_counter() - started
    if code != 0:
        raise BenchmarkError(f"{system} {phase} failed (exit {code}):\n" + "\n".join(tail))
    result = json.loads(out.read_text(encoding="utf-8"))
    if result.get("code") != data.code:
        raise BenchmarkError(
            f"the project's code changed during the run ({system} {phase} ran {result.get('code')}"
            f", the run started with {data.code}): its figures would mix versions; run it again"
        )
    result["process_seconds"] = seconds
    data.results[f"{system}/{phase}"] = result
    log(f"[{system}] {phase} done in {seconds:.1f} s")
    return result


# -- HTTP against gunicorn --------------------------------------------------------------------


def api_url(port: int, spec: QuerySpec) -> str:
    params = {"q": spec.text, "sort": spec.sort}
    if spec.source is not None:
        params["source"] = spec.source
    if spec.years is not None:
        start, end = spec.years
        params["year"] = str(start) if start == end else f"{start}-{end}"
    return f"http://127.0.0.1:{port}/api/search?" + urllib.parse.urlencode(params)


def fetch(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=120) as response:
        return json.loads(response.read().decode("utf-8"))


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text(encoding="ascii")
    except OSError:
        return []
    return [int(p) for p in text.split()]


def _status_mb(pid: int, key: str) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text(encoding="ascii").splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def run_http(data: RunData, totals: dict[str, int], log: Log, system: str = "wencui") -> dict:
    """Serve the benchmark's data with gunicorn as configured, and time /api/search."""
    port = free_port()
    env = system_env(data, system, "search")
    env["WENCUI_BIND"] = f"127.0.0.1:{port}"
    # One worker per core rather than gunicorn.conf.py's 2 × cores: the queries are sent one
    # at a time, and each worker's first search opens the index and reads its columns.
    env["WEB_CONCURRENCY"] = str(HTTP_WORKERS)
    queries = data.queries
    log(f"[{system}] http: gunicorn on 127.0.0.1:{port} …")
    started = time.perf_counter()
    log_file = (data.workdir / f"gunicorn-{system}.log").open("w", encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi"],
        cwd=BASE_DIR,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    try:
        first_ms = None
        deadline = time.monotonic() + HTTP_START_TIMEOUT
        while first_ms is None:
            if process.poll() is not None:
                raise BenchmarkError(f"gunicorn exited ({process.returncode}); see gunicorn.log")
            try:
                fetch(api_url(port, queries[0]))
                first_ms = (time.perf_counter() - started) * 1000
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline:
                    raise BenchmarkError("gunicorn did not answer in time") from None
                time.sleep(0.05)
        log(f"    first answer {first_ms:.0f} ms after start; warming up")
        workers = _children(process.pid)
        if not data.options.quick:
            for spec in queries:
                fetch(api_url(port, spec))
        latencies: dict[str, list[float]] = {spec.label: [] for spec in queries}
        mismatches = []
        for round_ in range(data.options.repeat):
            round_started = time.perf_counter()
            for spec in queries:
                url = api_url(port, spec)
                request_started = time.perf_counter()
                answer = fetch(url)
                latencies[spec.label].append((time.perf_counter() - request_started) * 1000)
                if spec.label in totals and answer["count"] != totals[spec.label]:
                    mismatches.append(spec.label)
            log(
                f"    pass {round_ + 1}/{data.options.repeat} in "
                f"{time.perf_counter() - round_started:.1f} s"
            )
        workers = _children(process.pid) or workers
        worker_peaks = [p for p in (_status_mb(pid, "VmHWM") for pid in workers) if p]
        worker_rss = [p for p in (_status_mb(pid, "VmRSS") for pid in workers) if p]
        master_rss = _status_mb(process.pid, "VmRSS")
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log_file.close()
    log(f"[{system}] http done")
    return {
        "first_search_after_start_ms": first_ms,
        "latencies_ms": latencies,
        "count_mismatches": sorted(set(mismatches)),
        "workers": len(workers),
        "worker_peak_rss_mb": max(worker_peaks) if worker_peaks else None,
        "worker_rss_mb": max(worker_rss) if worker_rss else None,
        "master_rss_mb": master_rss,
    }


# -- the run ------------------------------------------------------------------------------


@contextmanager
def scratch_directory(prefix: str, *, keep: bool, log: Log) -> Iterator[Path]:
    """A throwaway directory for one benchmark run (never the user's data), removed after
    it unless asked to keep it."""
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    log(f"benchmark directory: {workdir}")
    try:
        yield workdir
    finally:
        if keep:
            log(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def run(options: Options, log: Log) -> RunData:
    unknown = set(options.systems) - set(SYSTEMS)
    if unknown:
        raise BenchmarkError(f"unknown systems: {', '.join(sorted(unknown))}")
    with scratch_directory("wencui-bench-", keep=options.keep, log=log) as workdir:
        for folder in ("data", *(f"data-{name}" for name in WENCUI_SYSTEMS)):
            (workdir / folder).mkdir()
        if "wencui_postgres" not in options.systems:
            return _run(options, workdir, log, database_url=None)
        with postgres_database(workdir, keep=options.keep, log=log) as url:
            return _run(options, workdir, log, database_url=url)


@contextmanager
def postgres_database(workdir: Path, *, keep: bool, log: Log) -> Iterator[str]:
    """wencui_postgres's database: a new one on the server WENCUI_BENCH_DATABASE_URL names,
    dropped afterwards; else a throwaway cluster's (loopback, in a temporary folder),
    stopped and removed afterwards. Its URL."""
    given = os.environ.get(BENCH_DATABASE_ENV)
    if given:
        yield from _database_on(given, keep=keep, log=log)
        return
    from performance.postgres_cluster import throwaway_cluster

    bin_dir = server_bin_dir()
    if bin_dir is None:
        raise BenchmarkError(
            "wencui_postgres needs PostgreSQL: install its server (Debian: apt-get install "
            f"postgresql) or name one in {BENCH_DATABASE_ENV}"
        )
    with throwaway_cluster(
        bin_dir, prefix=BENCHMARK_PREFIX, settings=BENCH_SERVER_SETTINGS
    ) as cluster:
        log(f"PostgreSQL: a throwaway cluster on 127.0.0.1:{cluster.port} ({cluster.root})")
        yield f"postgres://{cluster.user}@127.0.0.1:{cluster.port}/postgres"


def _database_on(server_url: str, *, keep: bool, log: Log) -> Iterator[str]:
    import psycopg

    parts = urllib.parse.urlsplit(server_url)
    name = f"wencui_bench_{os.getpid()}_{int(time.time())}"
    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    log(f"PostgreSQL: database {name} on {parts.hostname}:{parts.port or 5432}")
    try:
        yield urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        if keep:
            log(f"kept the database {name}")
        else:
            with psycopg.connect(server_url, autocommit=True) as connection:
                connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _run(options: Options, workdir: Path, log: Log, *, database_url: str | None) -> RunData:
    log(f"generating {options.articles} articles (seed {options.seed}) …")
    started = time.perf_counter()
    records, queries = generate(options.articles, seed=options.seed)
    if options.quick:
        queries = quick_selection(queries)
    corpus_bytes = write_corpus(workdir / "corpus.jsonl", records)
    write_queries(workdir / "queries.json", queries)
    oracle_system = Scan(workdir)
    oracle_system.load(records)
    oracle = {spec.label: oracle_system.matching_ids(spec) for spec in queries if spec.quoted}
    del records, oracle_system
    corpus_seconds = time.perf_counter() - started
    log(
        f"corpus: {corpus_bytes / MB:.1f} MB of text, {len(queries)} queries "
        f"({corpus_seconds:.1f} s)"
    )
    data = RunData(
        options=options,
        workdir=workdir,
        corpus_bytes=corpus_bytes,
        queries=queries,
        oracle=oracle,
        corpus_seconds=corpus_seconds,
        load_before=os.getloadavg(),
        code=code_fingerprint(),
        database_url=database_url,
    )
    selected = [s for s in SYSTEMS if s in options.systems]
    # Builds first, then the searches back to back, so that the latencies compared in
    # the table are measured as close together in time as the run allows.
    for system in selected:
        if system in WENCUI_SYSTEMS:
            run_worker(data, system, "import", log)
    for system in selected:
        if system != "scan":
            run_worker(data, system, "build", log)
    for system in selected:
        run_worker(data, system, "run" if system == "scan" else "search", log)
    if "wencui" in selected and options.http:
        totals = data.results["wencui/search"]["totals"]
        data.http = run_http(data, totals, log)
    data.load_after = os.getloadavg()
    return data


def quick_selection(queries: list[QuerySpec]) -> list[QuerySpec]:
    """One variant of each base query (they come in groups of VARIANTS), rotating."""
    return [
        spec
        for index, spec in enumerate(queries)
        if index % VARIANTS == (index // VARIANTS) % VARIANTS
    ]


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1))]


def latency_summary(latencies: dict[str, list[float]]) -> dict:
    values = [v for samples in latencies.values() for v in samples]
    return {
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "p99": percentile(values, 99),
        "mean": sum(values) / len(values) if values else None,
        "max": max(values) if values else None,
        "samples": len(values),
    }


def exactness(ids: dict[str, list[int]], oracle: dict[str, set[int]], queries) -> dict:
    """Micro-averaged recall and precision of the quoted queries against the oracle."""
    kinds = {spec.label: spec.kind for spec in queries}
    found = relevant = retrieved = 0
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    misses = []
    for label, expected in oracle.items():
        got = set(ids.get(label, []))
        common = len(got & expected)
        found += common
        relevant += len(expected)
        retrieved += len(got)
        by_kind[kinds[label]][0] += common
        by_kind[kinds[label]][1] += len(expected)
        if got != expected:
            misses.append(
                {
                    "query": label,
                    "expected": len(expected),
                    "missing": len(expected - got),
                    "extra": len(got - expected),
                }
            )
    return {
        "recall": found / relevant if relevant else 1.0,
        "precision": found / retrieved if retrieved else 1.0,
        "exact_queries": len(oracle),
        "exact_queries_correct": len(oracle) - len(misses),
        "recall_by_kind": {k: (c / t if t else 1.0) for k, (c, t) in sorted(by_kind.items())},
        "misses": misses,
    }
