"""Load test: N concurrent keep-alive clients against a running Wencui, on loopback only.

    python performance/load_test.py --url http://127.0.0.1:8000 --clients 32 --duration 60
    python performance/load_test.py --start-server --articles 10000 --data-dir /tmp/wencui-load

The request mix is built from the live archive (article ids, publications and years from
/api/search): searches with and without filters, quoted phrases, result pages, the JSON
API, article pages and browse pages. Bounded by --duration and --max-requests, after
--warmup seconds that are not counted (0 by default: a server started cold). Prints
requests/s, latency percentiles and errors per kind of request, and exits 1 on any error.

--start-server sets up a data directory (the demo corpus, or --articles N synthetic
articles from performance/corpus.py, imported), starts gunicorn on a free
loopback port, runs the load and stops the server. With --data-dir, a directory that was
set up before is reused as it is.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import ipaddress
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
if str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))

from performance.corpus import generate_records, write_corpus  # noqa: E402
from search import facet  # noqa: E402

# The search API's value for articles without a publication, which has no browse page.
UNKNOWN_SOURCE = facet("source").unknown_value

DEMO_CORPUS = BASE_DIR / "fixtures" / "grassroots-party-organisations.txt"
WORDS = [
    "党",
    "党建",
    "基层",
    "党支部",
    "战斗堡垒",
    "基层党组织",
    "先锋模范",
    "组织生活",
    "群众",
    "疫情防控",
    "教育",
    "作风建设",
    "三会一课",
    "乡村振兴",
    "国有企业",
    "干部",
    "制度",
    "学习",
]


def out(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


# -- loopback only ----------------------------------------------------------------------------


def loopback_target(url: str) -> tuple[str, int]:
    """(host, port) of an http:// URL whose host resolves only to loopback addresses."""
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        raise SystemExit(f"refusing {url!r}: only http://<loopback host>:<port> is allowed")
    port = parts.port or 80
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, port)}
    except socket.gaierror as error:
        raise SystemExit(f"cannot resolve {parts.hostname!r}: {error}") from None
    if not addresses or not all(ipaddress.ip_address(a).is_loopback for a in addresses):
        raise SystemExit(
            f"refusing {url!r}: {parts.hostname} resolves to {sorted(addresses)}, "
            "and this load test only ever targets loopback"
        )
    return parts.hostname, port


# -- the request mix --------------------------------------------------------------------------


@dataclass
class Archive:
    ids: list[int]
    sources: list[str]
    years: list[str]
    titles: list[str]
    total: int
    paged_words: list[str]  # words whose results run to a second page


def get_json(host: str, port: int, path: str) -> dict:
    connection = http.client.HTTPConnection(host, port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise SystemExit(f"GET {path}: {response.status} {body[:200]!r}")
        return json.loads(body)
    finally:
        connection.close()


def discover(host: str, port: int, rng: random.Random) -> Archive:
    """Article ids, publications, years and titles, from the archive's own API."""
    first = get_json(host, port, "/api/search?" + urlencode({"q": "", "sort": "newest"}))
    # The first and last pages, and a sample of the others.
    pages = {1, first["num_pages"]}
    pages |= set(rng.sample(range(1, first["num_pages"] + 1), min(8, first["num_pages"])))
    results = list(first["results"])
    for page in sorted(pages - {1}):
        query = urlencode({"q": "", "sort": "newest", "page": page})
        results += get_json(host, port, f"/api/search?{query}")["results"]
    facets = first["facets"]
    paged_words = [
        word
        for word in WORDS[:8]
        if get_json(host, port, "/api/search?" + urlencode({"q": word}))["num_pages"] > 1
    ]
    archive = Archive(
        ids=sorted({r["id"] for r in results}),
        sources=[f["value"] for f in facets["source"]],
        years=[f["value"] for f in facets["year"]],
        titles=[r["title"] for r in results],
        total=first["count"],
        paged_words=paged_words,
    )
    if not archive.ids:
        raise SystemExit("the archive is empty: nothing to load-test")
    return archive


Request = tuple[str, str]  # (kind, path)


def request_mix(archive: Archive, rng: random.Random) -> list[tuple[float, Callable[[], Request]]]:
    def words() -> str:
        return " ".join(rng.sample(WORDS, rng.choice((1, 1, 2))))

    def phrase() -> str:
        title = rng.choice(archive.titles)
        length = rng.randint(2, min(6, len(title)))
        start = rng.randint(0, len(title) - length)
        return f'"{title[start : start + length]}"'

    def search(params: dict) -> str:
        return "/search/?" + urlencode(params)

    def filters() -> dict:
        params = {"q": words()}
        if rng.random() < 0.6:
            params["source"] = rng.choice(archive.sources)
        if rng.random() < 0.6 or "source" not in params:
            params["year"] = rng.choice(archive.years)
        if rng.random() < 0.3:
            params["sort"] = rng.choice(("newest", "oldest"))
        return params

    def browse() -> str:
        choice = rng.random()
        if choice < 0.25:
            return "/"
        if choice < 0.4:
            return rng.choice(("/sources/", "/years/"))
        if choice < 0.7:
            source = rng.choice(archive.sources)
            if source == UNKNOWN_SOURCE:
                return "/"
            return f"/sources/{quote(source, safe='')}/"
        year = rng.choice(archive.years)
        return f"/years/{year}/" if year.isdigit() else "/years/"

    mix = [
        (20, lambda: ("search words", search({"q": words()}))),
        (15, lambda: ("search phrase", search({"q": phrase()}))),
        (12, lambda: ("search filtered", search(filters()))),
        (12, lambda: ("api search", "/api/search?" + urlencode(rng.choice([filters(), {}])))),
        (18, lambda: ("article page", f"/articles/{rng.choice(archive.ids)}/")),
        (5, lambda: ("api article", f"/api/articles/{rng.choice(archive.ids)}")),
        (13, lambda: ("browse", browse())),
    ]
    if archive.paged_words:
        paged = archive.paged_words
        mix.append((5, lambda: ("search page 2", search({"q": rng.choice(paged), "page": 2}))))
    return mix


# -- running the clients ----------------------------------------------------------------------


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter = field(default_factory=Counter)  # (kind, what) -> count
    statuses: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)
    issued: int = 0

    def record(self, kind: str, seconds: float, status: int | None, error: str | None) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            if status is not None:
                self.statuses[status] += 1
            if error is not None:
                self.errors[(kind, error)] += 1


def client_loop(
    host: str,
    port: int,
    mix: list[tuple[float, Callable[[], Request]]],
    seed: int,
    results: Results,
    deadline: float,
    max_requests: int | None,
    timeout: float,
) -> None:
    rng = random.Random(seed)
    weights = [weight for weight, _ in mix]
    makers = [maker for _, maker in mix]
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        while time.monotonic() < deadline:
            with results.lock:
                if max_requests is not None and results.issued >= max_requests:
                    return
                results.issued += 1
                kind, path = rng.choices(makers, weights)[0]()
            started = time.perf_counter()
            status, error = None, None
            try:
                connection.request("GET", path, headers={"Accept-Encoding": "identity"})
                response = connection.getresponse()
                response.read()
                status = response.status
                if status >= 400:
                    error = f"HTTP {status}"
                if response.will_close:
                    connection.close()  # reopened by the next request
            except (OSError, http.client.HTTPException) as problem:
                error = type(problem).__name__
                connection.close()
            results.record(kind, time.perf_counter() - started, status, error)
    finally:
        connection.close()


def run_load(
    host: str,
    port: int,
    *,
    clients: int,
    duration: float,
    max_requests: int | None,
    timeout: float,
    seed: int,
    warmup: float = 0.0,
) -> tuple[Results, float, Archive]:
    rng = random.Random(seed)
    archive = discover(host, port, rng)
    mix = request_mix(archive, rng)
    out(
        f"target http://{host}:{port}: {archive.total} articles, {len(archive.sources)} "
        f"publications, {len(archive.years)} years; {clients} clients for up to "
        f"{duration:g} s" + (f" or {max_requests} requests" if max_requests else "")
    )
    if warmup:
        # The same mix with other random choices, not counted: what the workers remember
        # of earlier requests then helps as much as in a server that has been running.
        out(f"warming up for {warmup:g} s (not counted)")
        _clients(host, port, mix, clients, warmup, None, timeout, seed=seed + 7919)
    return (*_clients(host, port, mix, clients, duration, max_requests, timeout, seed), archive)


def _clients(host, port, mix, clients, duration, max_requests, timeout, seed):
    results = Results()
    started = time.monotonic()
    deadline = started + duration
    threads = [
        threading.Thread(
            target=client_loop,
            args=(host, port, mix, seed * 1000 + n, results, deadline, max_requests, timeout),
            daemon=True,
        )
        for n in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=duration + timeout + 30)
    return results, time.monotonic() - started


def percentile(ordered: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not ordered:
        return float("nan")
    rank = max(1, int(-(-fraction * len(ordered) // 1)))
    return ordered[min(rank, len(ordered)) - 1]


def report(results: Results, elapsed: float) -> int:
    rows = []
    everything: list[float] = []
    error_counts = Counter()
    for (kind, _), count in results.errors.items():
        error_counts[kind] += count
    for kind in sorted(results.latencies, key=lambda k: -len(results.latencies[k])):
        latencies = sorted(results.latencies[kind])
        everything += latencies
        rows.append((kind, latencies, error_counts[kind]))
    everything.sort()
    rows.append(("TOTAL", everything, sum(error_counts.values())))
    header = f"{'request':<16} {'count':>7} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} "
    header += f"{'p99 ms':>8} {'max ms':>8} {'errors':>7}"
    out(header)
    out("-" * len(header))
    for kind, latencies, errors in rows:
        if kind == "TOTAL":
            out("-" * len(header))
        out(
            f"{kind:<16} {len(latencies):>7} {len(latencies) / elapsed:>7.1f} "
            f"{percentile(latencies, 0.50) * 1000:>8.1f} "
            f"{percentile(latencies, 0.95) * 1000:>8.1f} "
            f"{percentile(latencies, 0.99) * 1000:>8.1f} "
            f"{(latencies[-1] if latencies else float('nan')) * 1000:>8.1f} {errors:>7}"
        )
    out(f"elapsed {elapsed:.1f} s; statuses {dict(sorted(results.statuses.items()))}")
    for (kind, what), count in sorted(results.errors.items()):
        out(f"  error: {kind}: {what} × {count}")
    return 1 if results.errors else 0


# -- --start-server ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_environment(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "WENCUI_INDEX_DIR", "STATIC_ROOT", "WENCUI_PRODUCTION"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        WENCUI_DATA_DIR=str(data_dir),
        STATIC_ROOT=str(data_dir / "static"),
        PYTHONUNBUFFERED="1",
        # Every client is on loopback, one address: the limits would measure themselves.
        WENCUI_RATE_LIMIT_SEARCH="0",
        WENCUI_RATE_LIMIT_API="0",
        WENCUI_RATE_LIMIT_HEAVY="0",
    )
    env.update(extra)
    return env


def manage(data_dir: Path, *args: str) -> None:
    started = time.monotonic()
    out(f"$ manage.py {' '.join(args)}")
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=server_environment(data_dir),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    out(f"  ({time.monotonic() - started:.1f} s)")


def prepare(data_dir: Path, articles: int, seed: int) -> None:
    if (data_dir / "ready").exists():
        out(f"reusing the data directory {data_dir}")
        return
    data_dir.mkdir(parents=True, exist_ok=True)
    manage(data_dir, "migrate", "--noinput", "-v", "0")
    manage(data_dir, "collectstatic", "--noinput", "-v", "0")
    # The index first: each import then indexes what it stored (once).
    manage(data_dir, "rebuild_index", "-v", "0")
    if articles:
        corpus = data_dir / f"synthetic-{articles}.jsonl"
        write_corpus(corpus, generate_records(articles, seed=seed))
        manage(data_dir, "import_articles", str(corpus), "-v", "0")
    else:
        manage(data_dir, "import_articles", str(DEMO_CORPUS), "-v", "0")
    manage(data_dir, "check_index", "--fix")
    (data_dir / "ready").write_text("ok\n", encoding="ascii")


@contextlib.contextmanager
def gunicorn(data_dir: Path, workers: int | None) -> Iterator[tuple[str, int, Path]]:
    port = free_port()
    extra = {"WENCUI_BIND": f"127.0.0.1:{port}"}
    if workers:
        extra["WEB_CONCURRENCY"] = str(workers)
    log_path = data_dir / "gunicorn.log"
    executable = str(Path(sys.executable).parent / "gunicorn")
    with open(log_path, "ab") as log:
        server = subprocess.Popen(
            [executable, "-c", "config/gunicorn.conf.py", "config.wsgi"],
            cwd=BASE_DIR,
            env=server_environment(data_dir, **extra),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise SystemExit(f"gunicorn exited with {server.returncode}: see {log_path}")
            with contextlib.suppress(OSError, SystemExit, ValueError):
                if get_json("127.0.0.1", port, "/healthz").get("ok"):
                    break
            if time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not become healthy: see {log_path}")
            time.sleep(0.2)
        out(f"gunicorn (pid {server.pid}) on 127.0.0.1:{port}, log {log_path}")
        yield "127.0.0.1", port, log_path
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=20)


def server_problems(log_path: Path, offset: int) -> Counter:
    with open(log_path, encoding="utf-8", errors="replace") as log:
        log.seek(offset)
        text = log.read()
    return Counter(
        {
            label: text.count(needle)
            for label, needle in (
                ("tracebacks", "Traceback"),
                ("worker timeouts", "WORKER TIMEOUT"),
                ("workers killed", "was sent SIG"),
            )
            if needle in text
        }
    )


# -- main -------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="a loopback http:// URL")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds (at most 600)")
    parser.add_argument("--max-requests", type=int, default=None)
    parser.add_argument("--timeout", type=float, default=10.0, help="per request, seconds")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--warmup", type=float, default=0.0, help="seconds of uncounted load first (default 0)"
    )
    parser.add_argument("--start-server", action="store_true")
    parser.add_argument("--articles", type=int, default=0, help="0: the demo corpus")
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers")
    options = parser.parse_args(argv)
    if not 1 <= options.clients <= 256:
        parser.error("--clients must be between 1 and 256")
    if not 0 < options.duration <= 600:
        parser.error("--duration must be between 0 and 600 seconds")
    if options.max_requests is not None and options.max_requests < 1:
        parser.error("--max-requests must be positive")
    if not 0 <= options.warmup <= 600:
        parser.error("--warmup must be between 0 and 600 seconds")

    load = dict(
        clients=options.clients,
        duration=options.duration,
        max_requests=options.max_requests,
        timeout=options.timeout,
        seed=options.seed,
        warmup=options.warmup,
    )
    if not options.start_server:
        host, port = loopback_target(options.url)
        results, elapsed, _ = run_load(host, port, **load)
        return report(results, elapsed)

    temporary = options.data_dir is None
    data_dir = (options.data_dir or Path(tempfile.mkdtemp(prefix="wencui-load-"))).resolve()
    try:
        prepare(data_dir, options.articles, options.seed)
        with gunicorn(data_dir, options.workers) as (host, port, log_path):
            offset = log_path.stat().st_size
            results, elapsed, _ = run_load(host, port, **load)
            status = report(results, elapsed)
            problems = server_problems(log_path, offset)
            if problems:
                out(f"server log: {dict(problems)}")
                status = 1
        return status
    finally:
        if temporary:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
