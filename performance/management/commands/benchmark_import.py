"""manage.py benchmark_import: importing a newspaper folder and a compilation, timed."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from performance.commands import progress_log, write_report
from performance.corpus import DEFAULT_SEED
from performance.imports import TARGET_COMPILATION_MB, TARGET_FILES, Options, render_table, run
from performance.runner import BenchmarkError


class Command(BaseCommand):
    help = (
        "Benchmark the importer: a folder of one-article newspaper files in dated subfolders "
        "and one large compilation, generated from the synthetic corpus, each imported in a "
        "process of its own in a throwaway data directory (your database is never used), "
        "then the folder again unchanged. Prints a Markdown table and whether the targets "
        "are met; --json writes the same figures as JSON."
    )
    # Nothing here touches the database: the measured work runs in child processes.
    requires_system_checks: list = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--files",
            type=int,
            default=TARGET_FILES,
            help=f"one-article files in the folder (default {TARGET_FILES})",
        )
        parser.add_argument(
            "--compilation-mb",
            type=float,
            default=TARGET_COMPILATION_MB,
            help=f"size of the compilation in MB (default {TARGET_COMPILATION_MB})",
        )
        parser.add_argument(
            "--json", type=Path, metavar="FILE", help="also write the figures to FILE as JSON"
        )
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="corpus seed (same seed, same files)"
        )
        parser.add_argument(
            "--keep",
            action="store_true",
            help="keep the benchmark directory (files, databases) for inspection",
        )

    def handle(self, *args, **options) -> None:
        if options["files"] < 1:
            raise CommandError("--files must be at least 1")
        if options["compilation_mb"] <= 0:
            raise CommandError("--compilation-mb must be above 0")
        settings = Options(
            files=options["files"],
            compilation_mb=options["compilation_mb"],
            seed=options["seed"],
            keep=options["keep"],
        )
        try:
            document = run(settings, progress_log(self, options["verbosity"]))
        except BenchmarkError as error:
            raise CommandError(str(error)) from error
        write_report(
            self, table=render_table(document), document=document, json_path=options["json"]
        )
