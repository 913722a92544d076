"""One measured phase of one system, in a process of its own:

    python -m performance.worker --system fts5 --phase build --dir TMP --out result.json

Run by performance.runner with the benchmark's environment (WENCUI_DATA_DIR in the
throwaway directory). Progress goes to stderr, one line at a time; figures go to --out
as JSON. The process's peak RSS (VmHWM) is read before the exactness check, which is
not part of the measured work.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import sys
import time
from pathlib import Path

from performance.corpus import BASE_DIR, QuerySpec, read_queries
from performance.peers import PEERS, System, process_peak_rss_mb

PHASES = ("import", "build", "search", "run")
# The code whose speed is measured: a run whose workers saw different versions of it (the
# project edited mid-run) would, e.g., search an index built by other code.
MEASURED_CODE = ("archive", "search", "config", "templates/search")


def code_fingerprint() -> str:
    digest = hashlib.sha256()
    for folder in MEASURED_CODE:
        for path in sorted((BASE_DIR / folder).rglob("*")):
            if path.is_file() and path.suffix in (".py", ".txt"):
                digest.update(str(path.relative_to(BASE_DIR)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def progress(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def make_system(name: str, workdir: Path) -> System:
    if name in ("wencui", "wencui_postgres"):
        from performance.wencui import Wencui, setup_django

        setup_django()
        system = Wencui(workdir)
        system.name = name
        return system
    return PEERS[name](workdir)


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (user + system): unlike wall time,
    hardly affected by other work on a shared machine."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def run_build(system: System, corpus: Path) -> dict:
    started = time.perf_counter()
    cpu_started = cpu_seconds()
    stats = system.build(corpus, progress)
    seconds = time.perf_counter() - started
    cpu = cpu_seconds() - cpu_started
    size = system.index_size()
    return {
        **stats,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "index_bytes": size,
        "peak_rss_mb": process_peak_rss_mb(),
    }


def run_search(system: System, queries: list[QuerySpec], repeat: int, warmup: int = 1) -> dict:
    started = time.perf_counter()
    system.open()
    open_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    system.search(queries[0])
    first_ms = (time.perf_counter() - started) * 1000
    progress(f"{system.name}: first search {first_ms:.0f} ms")
    for _ in range(warmup):  # not counted
        for spec in queries:
            system.search(spec)
    latencies: dict[str, list[float]] = {spec.label: [] for spec in queries}
    cpu_ms: dict[str, list[float]] = {spec.label: [] for spec in queries}
    totals: dict[str, int] = {}
    for round_ in range(repeat):
        round_started = time.perf_counter()
        for spec in queries:
            started = time.perf_counter()
            cpu_started = time.process_time()
            page = system.search(spec)
            cpu_ms[spec.label].append((time.process_time() - cpu_started) * 1000)
            latencies[spec.label].append((time.perf_counter() - started) * 1000)
            totals[spec.label] = page.total
        progress(
            f"{system.name}: pass {round_ + 1}/{repeat} of {len(queries)} queries in "
            f"{time.perf_counter() - round_started:.1f} s"
        )
    peak = process_peak_rss_mb()
    ids = {}
    for spec in queries:
        if spec.quoted:
            ids[spec.label] = sorted(system.matching_ids(spec))
    return {
        "open_ms": open_ms,
        "first_search_ms": first_ms,
        "latencies_ms": latencies,
        "cpu_ms": cpu_ms,
        "totals": totals,
        "ids": ids,
        "peak_rss_mb": peak,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--system", required=True, choices=["wencui", "wencui_postgres", *PEERS])
    parser.add_argument("--phase", required=True, choices=PHASES)
    parser.add_argument("--dir", required=True, type=Path, help="the benchmark's directory")
    parser.add_argument("--out", required=True, type=Path, help="where to write the figures")
    parser.add_argument("--repeat", type=int, default=3, help="timed passes over the queries")
    parser.add_argument("--warmup", type=int, default=1, help="passes before the timed ones")
    args = parser.parse_args(argv)

    fingerprint = code_fingerprint()
    corpus = args.dir / "corpus.jsonl"
    queries = read_queries(args.dir / "queries.json")
    system = make_system(args.system, args.dir)
    if args.phase == "import":
        result = system.import_corpus(corpus, progress)
        result["peak_rss_mb"] = process_peak_rss_mb()
    elif args.phase == "build":
        result = run_build(system, corpus)
    elif args.phase == "search":
        result = run_search(system, queries, args.repeat, args.warmup)
        if hasattr(system, "research"):
            # After the peak memory of searching was read: not part of that figure.
            result["research"] = system.research(corpus)
    else:  # run: build and search in this process (the scan keeps its "index" in memory)
        build = run_build(system, corpus)
        result = {"build": build, "search": run_search(system, queries, args.repeat, args.warmup)}
    result["code"] = fingerprint
    args.out.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
