"""One measured import, in a process of its own:

    python -m performance.import_worker --phase import --path FOLDER --out result.json

Run by performance.imports with the benchmark's environment (WENCUI_DATA_DIR in the
throwaway directory). The import is done as manage.py import_articles does it (the files
listed first, then imported one transaction each, reports streamed, not kept), with its
progress on stderr every 2 s. Index updates are queued but not applied: the receiver that
applies them when an import ends is disconnected, so the time is the import's alone.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

from performance.peers import process_peak_rss_mb
from performance.wencui import setup_django
from performance.worker import code_fingerprint, cpu_seconds, progress

PROGRESS_SECONDS = 2.0
# Failures reported in full; beyond these, only counted.
FAILURES_KEPT = 10


def rss_mb() -> float | None:
    """This process's resident set now (VmRSS), in MB."""
    try:
        with open(f"/proc/{os.getpid()}/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def run_import(path: Path, publication: str) -> dict:
    from archive.ingest import ImportOptions, import_items, iter_sources
    from archive.ingest.registry import parsers
    from archive.models import Article
    from archive.signals import articles_imported
    from search import PendingIndexUpdate

    articles_imported.disconnect(dispatch_uid="search-import")
    # The parsers' modules are loaded before the baseline: their size is the program's, not
    # the import's (jieba, loaded only when a keyword run needs it, is not among them).
    parsers()
    totals = dict.fromkeys(("created", "updated", "unchanged", "deleted", "duplicates"), 0)
    failures: list[str] = []
    unchanged_files = failed_files = dropped_lines = progress_lines = 0
    last_progress = longest_silence = 0.0
    files_done = 0
    # (seconds since the start, files done, resident MB) at every progress line.
    rss_samples: list[tuple[float, int, float | None]] = []

    def throttled(message: str) -> None:
        nonlocal last_progress, longest_silence, progress_lines
        now = time.perf_counter()
        if now - last_progress >= PROGRESS_SECONDS:
            longest_silence = max(longest_silence, now - last_progress)
            last_progress = now
            progress_lines += 1
            rss_samples.append((round(now - started, 2), files_done, rss_mb()))
            progress(f"{path.name}: {message}")

    rss_before = rss_mb()
    started, cpu_started = time.perf_counter(), cpu_seconds()
    last_progress = started
    items = list(iter_sources([path]))
    options = ImportOptions(publication=publication)
    for files_done, report in enumerate(import_items(items, options, throttled), 1):
        if report.error:
            failed_files += 1
            if len(failures) < FAILURES_KEPT:
                failures.append(report.error)
        unchanged_files += report.file_unchanged
        dropped_lines += len(report.dropped)
        for name in totals:
            totals[name] += len(getattr(report, name))
        if len(items) > 1:
            throttled(
                f"已处理 {files_done}/{len(items)} 个文件，新增 {totals['created']} 篇，"
                f"每秒 {files_done / (time.perf_counter() - started):.0f} 个文件"
            )
    finished = time.perf_counter()
    seconds = finished - started
    cpu = cpu_seconds() - cpu_started
    longest_silence = max(longest_silence, finished - last_progress)
    peak = process_peak_rss_mb()
    return {
        "files": len(items),
        "seconds": seconds,
        "cpu_seconds": cpu,
        "rss_before_mb": rss_before,
        "peak_rss_mb": peak,
        **totals,
        "unchanged_files": unchanged_files,
        "failed_files": failed_files,
        "failures": failures,
        "dropped_lines": dropped_lines,
        "progress_lines": progress_lines,
        "longest_silence_seconds": longest_silence,
        "rss_samples": rss_samples,
        "articles_in_archive": Article.objects.count(),
        "index_updates_queued": PendingIndexUpdate.objects.count(),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phase", required=True, choices=("migrate", "import"))
    parser.add_argument("--path", type=Path, help="the file or folder to import")
    parser.add_argument("--publication", default="", help="as import_articles --publication")
    parser.add_argument("--out", required=True, type=Path, help="where to write the figures")
    parser.add_argument("--profile", type=Path, help="also write cProfile statistics here")
    args = parser.parse_args(argv)

    fingerprint = code_fingerprint()
    setup_django()
    if args.phase == "migrate":
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
        result: dict = {}
    elif args.profile:
        import cProfile

        with cProfile.Profile() as profile:
            result = run_import(args.path, args.publication)
        profile.dump_stats(args.profile)
    else:
        result = run_import(args.path, args.publication)
    result["code"] = fingerprint
    args.out.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
