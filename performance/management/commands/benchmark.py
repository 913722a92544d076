"""manage.py benchmark: the archive's search against peer systems, on a synthetic corpus."""

from __future__ import annotations

import signal
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from performance.commands import progress_log, write_report
from performance.corpus import DEFAULT_SEED
from performance.report import render_table, summarise
from performance.runner import SYSTEMS, BenchmarkError, Options, run


def _systems(value: str) -> tuple[str, ...]:
    names = tuple(name.strip() for name in value.split(",") if name.strip())
    unknown = [name for name in names if name not in SYSTEMS]
    if unknown or not names:
        raise ValueError(value)
    return names


def _interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


class Command(BaseCommand):
    help = (
        "Benchmark search: import, index build and search latency of wencui against SQLite "
        "FTS5 (trigram), haystack's stock jieba setup and a plain scan, on a deterministic "
        "synthetic corpus, in a throwaway data directory (your database is never used). "
        "Prints a Markdown table; --json writes the same figures as JSON."
    )
    # Nothing here touches the database: the measured work runs in child processes.
    requires_system_checks: list = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--articles",
            type=int,
            default=10_000,
            help="number of synthetic articles (default 10000)",
        )
        parser.add_argument(
            "--json", type=Path, metavar="FILE", help="also write the figures to FILE as JSON"
        )
        parser.add_argument(
            "--queries-repeat",
            type=int,
            default=3,
            help="timed passes over the query mix, after one warm-up pass (default 3)",
        )
        parser.add_argument(
            "--skip-http",
            action="store_true",
            help="do not measure wencui over HTTP against gunicorn",
        )
        parser.add_argument(
            "--systems",
            type=_systems,
            default=SYSTEMS,
            help=f"comma-separated systems to run (default: {','.join(SYSTEMS)})",
        )
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="corpus seed (same seed, same corpus)"
        )
        parser.add_argument(
            "--quick",
            action="store_true",
            help="for smoke tests: each base query once (26 instead of 104), no warm-up pass",
        )
        parser.add_argument(
            "--keep",
            action="store_true",
            help="keep the benchmark directory (corpus, databases, indexes) for inspection",
        )

    def handle(self, *args, **options) -> None:
        if options["articles"] < 20:
            raise CommandError("--articles must be at least 20")
        if options["queries_repeat"] < 1:
            raise CommandError("--queries-repeat must be at least 1")
        settings = Options(
            articles=options["articles"],
            repeat=options["queries_repeat"],
            systems=options["systems"],
            http=not options["skip_http"],
            seed=options["seed"],
            keep=options["keep"],
            quick=options["quick"],
        )
        # Stopped with SIGTERM (a timeout, say): the throwaway cluster and directory are
        # still removed, as on Ctrl-C.
        if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
            signal.signal(signal.SIGTERM, _interrupt)
        try:
            data = run(settings, progress_log(self, options["verbosity"]))
        except BenchmarkError as error:
            raise CommandError(str(error)) from error
        document = summarise(data)
        write_report(
            self, table=render_table(document), document=document, json_path=options["json"]
        )
