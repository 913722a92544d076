"""The import benchmark: a newspaper folder and a compilation, imported in child processes.

The synthetic corpus (corpus.py) is written out as the files people bring: a folder of
one-article plain-text files in a newspaper's layout, spread over dated subfolders
(报纸/2019/10/08/01-02.txt), and one large compilation in the bundled corpus's style
(corpus.Generator.compilation_article). Each is imported with the
archive's importer in a process of its own (import_worker), whose WENCUI_DATA_DIR is a
throwaway directory (runner.worker_env), so that the user's data is never touched and the
peak memory is that one import's. The folder is then imported a second time, unchanged.

The timed part is the import alone: it queues an index update per article, and the
worker does not apply the queue (the index build is the search benchmark's business).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from performance.corpus import BASE_DIR, DEFAULT_SEED, Generator
from performance.runner import MB, BenchmarkError, scratch_directory, worker_env
from performance.worker import code_fingerprint

Log = Callable[[str], None]

# The targets: 10,000 one-article files (about 30 MB) and a 50 MB compilation, each
# imported in under a minute (before indexing), with memory bounded.
TARGET_FILES = 10_000
TARGET_COMPILATION_MB = 50
TARGET_SECONDS = 60.0
# "Memory bounded". Holding text takes about two thirds of its UTF-8 size (most characters
# are Chinese: 3 bytes in the file, 2 in a Python string), before any copies. A folder is
# streamed if the process hardly grows over the second half of its files (the first files
# load what every import loads); one file, if the import grows by less than half its size.
STREAMED_SHARE = 0.1
MEMORY_SHARE = 0.5
# Progress lines come every 2 s (as import_articles prints them); a file that takes long
# leaves a longer silence, up to this much.
SILENCE_SECONDS = 5.0

FOLDER = "报纸"
COMPILATION = "汇编.txt"
NEWSPAPER = "文萃日报"
FIRST_DAY = dt.date(2019, 1, 1)
# A day's paper: this many pages with articles, and articles per page.
PAGES = (3, 5)
ARTICLES_PER_PAGE = (2, 4)
KICKER_SHARE = 0.25
DECK_SHARE = 0.25
CORRESPONDENT_SHARE = 0.3
WEEKDAY_SHARE = 0.5
WEEKDAYS = "一二三四五六日"
INDENT = "\u3000\u3000"
# The layout rules take a line of 20 characters or more that does not end a sentence for a
# broken one and join the next line to it: 引题 and 副题 are kept shorter, and long headlines
# go without a 副题 (a headline above a byline is never joined).
HEAD_LINE_CHARS = 19
# Seeds of the two parts, apart from the corpus seed, so that the compilation does not
# depend on the number of files.
FOLDER_SEED_OFFSET = 1
COMPILATION_SEED_OFFSET = 2
CASES = ("folder", "folder-again", "compilation")
CASE_LABELS = {
    "folder": "folder, first import",
    "folder-again": "folder, again (unchanged)",
    "compilation": "compilation",
}


@dataclass
class Options:
    files: int = TARGET_FILES
    compilation_mb: float = TARGET_COMPILATION_MB
    seed: int = DEFAULT_SEED
    keep: bool = False


@dataclass
class Written:
    """What was generated: how many files, articles and bytes."""

    path: Path
    files: int
    articles: int
    bytes: int


# -- the files ----------------------------------------------------------------------------


def _reporters(generator: Generator) -> list[str]:
    # The generator's personal names (surname and one or two given characters), not the
    # collective authors a byline never names.
    return [name for name in generator.authors if 2 <= len(name) <= 3 and " " not in name]


def _headline_line(generator: Generator, longer_than: int) -> str:
    """A 引题 or 副题: a clause of generated text, without the mark that ends it."""
    sentence = generator.sentence()[:-1]
    clause = sentence.split("；")[0][:HEAD_LINE_CHARS].rstrip("，、")
    return clause if len(clause) > longer_than else ""


def newspaper_article(generator: Generator, record: dict, day: dt.date, names: list[str]) -> str:
    """One article as a newspaper's site or a scan gives it: 引题, headline, 副题, byline,
    date line, indented paragraphs."""
    rng = generator.rng
    title = record["title"]
    lines = []
    if rng.random() < KICKER_SHARE:
        # The headline is the shortest line of the head: a 引题 is longer.
        kicker = _headline_line(generator, len(title) + 2)
        if kicker:
            lines.append(kicker)
    lines.append(title)
    if rng.random() < DECK_SHARE and len(title) <= HEAD_LINE_CHARS:
        deck = _headline_line(generator, 4)
        if deck:
            lines.append("——" + deck)
    byline = "本报记者 " + "、".join(rng.sample(names, rng.choice((1, 1, 2))))
    if rng.random() < CORRESPONDENT_SHARE:
        byline += " 通讯员 " + rng.choice(names)
    lines.append(byline)
    date_line = f"{day.year}年{day.month:02d}月{day.day:02d}日"
    if rng.random() < WEEKDAY_SHARE:
        date_line += f" 星期{WEEKDAYS[day.weekday()]}"
    lines += [date_line, ""]
    lines += [INDENT + paragraph for paragraph in record["paragraphs"]]
    return "\n".join(lines) + "\n"


def write_folder(root: Path, count: int, generator: Generator) -> Written:
    """count one-article files under root/报纸/YYYY/MM/DD/PP-NN.txt, a day's paper at a time."""
    folder = root / FOLDER
    names = _reporters(generator)
    rng = generator.rng
    written = size = 0
    day = FIRST_DAY
    while written < count:
        directory = folder / f"{day.year}" / f"{day.month:02d}" / f"{day.day:02d}"
        directory.mkdir(parents=True, exist_ok=True)
        for page in range(1, rng.randint(*PAGES) + 1):
            for number in range(1, rng.randint(*ARTICLES_PER_PAGE) + 1):
                if written == count:
                    break
                written += 1
                record = generator.article(written)
                data = newspaper_article(generator, record, day, names).encode("utf-8")
                (directory / f"{page:02d}-{number:02d}.txt").write_bytes(data)
                size += len(data)
        day += dt.timedelta(days=1)
    return Written(folder, written, written, size)


def write_compilation(path: Path, megabytes: float, generator: Generator) -> Written:
    """One text file of at least `megabytes` MB of articles, written as it is generated."""
    target = int(megabytes * MB)
    articles = size = 0
    with path.open("wb") as handle:
        while size < target:
            articles += 1
            data = generator.compilation_article(generator.article(articles)).encode("utf-8")
            handle.write(data)
            size += len(data)
    return Written(path, 1, articles, size)


def generate_files(workdir: Path, options: Options, log: Log) -> tuple[Written, Written]:
    generator = Generator(options.seed)
    started = time.perf_counter()
    generator.rng.seed(options.seed + FOLDER_SEED_OFFSET)
    folder = write_folder(workdir, options.files, generator)
    log(
        f"folder: {folder.files:,} files, {folder.bytes / MB:.1f} MB "
        f"({time.perf_counter() - started:.1f} s)"
    )
    started = time.perf_counter()
    generator.rng.seed(options.seed + COMPILATION_SEED_OFFSET)
    compilation = write_compilation(workdir / COMPILATION, options.compilation_mb, generator)
    log(
        f"compilation: {compilation.articles:,} articles, {compilation.bytes / MB:.1f} MB "
        f"({time.perf_counter() - started:.1f} s)"
    )
    return folder, compilation


# -- the imports --------------------------------------------------------------------------


def run_child(arguments: list[str], data_dir: Path, out: Path, log: Log) -> dict:
    """Run import_worker with these arguments in the benchmark's environment; its figures."""
    command = [sys.executable, "-m", "performance.import_worker", *arguments]
    command += ["--out", str(out)]
    tail: deque[str] = deque(maxlen=40)
    with subprocess.Popen(
        command,
        cwd=BASE_DIR,
        env=worker_env(data_dir),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        errors="replace",
    ) as process:
        for line in process.stderr:
            line = line.rstrip()
            tail.append(line)
            if line:
                log(f"    {line}")
        code = process.wait()
    if code != 0:
        raise BenchmarkError(f"{' '.join(arguments)} failed (exit {code}):\n" + "\n".join(tail))
    return json.loads(out.read_text(encoding="utf-8"))


def import_case(case: str, path: Path, data_dir: Path, workdir: Path, log: Log) -> dict:
    log(f"[{case}] importing {path.name} …")
    arguments = ["--phase", "import", "--path", str(path), "--publication", NEWSPAPER]
    if case == "compilation":
        # A compilation names each article's source itself.
        arguments = arguments[:-2]
    result = run_child(arguments, data_dir, workdir / f"{case}.json", log)
    log(f"[{case}] {result['seconds']:.1f} s")
    return result


def run(options: Options, log: Log) -> dict:
    """Generate the files, import them case by case; the figures as one JSON document."""
    if options.files < 1 or options.compilation_mb <= 0:
        raise BenchmarkError("the benchmark needs at least one file and a compilation")
    with scratch_directory("wencui-bench-import-", keep=options.keep, log=log) as workdir:
        return _run(options, workdir, log)


def _run(options: Options, workdir: Path, log: Log) -> dict:
    code = code_fingerprint()
    load_before = os.getloadavg()
    log(f"generating {options.files:,} files and a {options.compilation_mb:g} MB compilation …")
    folder, compilation = generate_files(workdir, options, log)
    results: dict[str, dict] = {}
    # The folder's two imports share an archive; the compilation gets one of its own, so
    # that its figures do not depend on what the folder left in the database.
    for name in ("folder", "compilation"):
        data_dir = workdir / f"data-{name}"
        data_dir.mkdir()
        run_child(["--phase", "migrate"], data_dir, workdir / f"migrate-{name}.json", log)
    results["folder"] = import_case("folder", folder.path, workdir / "data-folder", workdir, log)
    results["folder-again"] = import_case(
        "folder-again", folder.path, workdir / "data-folder", workdir, log
    )
    results["compilation"] = import_case(
        "compilation", compilation.path, workdir / "data-compilation", workdir, log
    )
    return document(options, folder, compilation, results, code, load_before)


# -- figures ------------------------------------------------------------------------------


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def case_figures(result: dict, written: Written) -> dict:
    seconds = result["seconds"]
    mb = written.bytes / MB
    growth = result["peak_rss_mb"] - result["rss_before_mb"]
    return {
        "files": result["files"],
        "mb": _round(mb, 2),
        "articles": result["articles_in_archive"],
        "articles_written": written.articles,
        "seconds": _round(seconds, 2),
        "cpu_seconds": _round(result["cpu_seconds"], 2),
        "files_per_s": _round(result["files"] / seconds, 0),
        "mb_per_s": _round(mb / seconds, 2),
        "peak_rss_mb": _round(result["peak_rss_mb"]),
        "rss_before_mb": _round(result["rss_before_mb"]),
        "rss_growth_mb": _round(growth),
        "created": result["created"],
        "updated": result["updated"],
        "unchanged": result["unchanged"],
        "deleted": result["deleted"],
        "duplicates": result["duplicates"],
        "dropped_lines": result["dropped_lines"],
        "unchanged_files": result["unchanged_files"],
        "failed_files": result["failed_files"],
        "failures": result["failures"],
        "index_updates_queued": result["index_updates_queued"],
        "progress_lines": result["progress_lines"],
        "longest_silence_seconds": _round(result["longest_silence_seconds"]),
        "rss_samples": result["rss_samples"],
        "code": result["code"],
    }


def _streamed(case: dict) -> tuple[bool, str]:
    """Whether the process stayed flat over the second half of the files, and the figures."""
    files = case["files"]
    half = next((sample for sample in case["rss_samples"] if sample[1] >= files / 2), None)
    if half is None or half[2] is None:
        return case["rss_growth_mb"] < MEMORY_SHARE * case["mb"], (
            f"+{case['rss_growth_mb']} MB for {case['mb']} MB (too short to sample halfway)"
        )
    share = (files - half[1]) / files
    growth = case["peak_rss_mb"] - half[2]
    detail = (
        f"{case['rss_before_mb']} MB before, {half[2]:.1f} MB after {half[1]:,} files, peak "
        f"{case['peak_rss_mb']} MB: +{growth:.1f} MB for the last {share * case['mb']:.1f} MB"
    )
    return growth < STREAMED_SHARE * share * case["mb"], detail


def _verdict(met: bool | None) -> str:
    return {True: "met", False: "NOT met", None: "not judged"}[met]


def targets(options: Options, cases: dict[str, dict]) -> list[dict]:
    """Each target of the issue, met or not, with what was measured."""
    folder, again, compilation = (cases[name] for name in CASES)
    full_folder = options.files >= TARGET_FILES
    full_compilation = options.compilation_mb >= TARGET_COMPILATION_MB
    smaller = " (a smaller run than the target's: not judged)"
    found: list[dict] = []

    def add(name: str, met: bool | None, detail: str, full: bool) -> None:
        judged = met if full else None
        found.append({"target": name, "met": judged, "detail": detail + ("" if full else smaller)})

    add(
        f"{TARGET_FILES:,} one-article files imported in under {TARGET_SECONDS:.0f} s",
        folder["seconds"] < TARGET_SECONDS and folder["failed_files"] == 0,
        f"{folder['files']:,} files, {folder['mb']} MB in {folder['seconds']} s "
        f"({folder['failed_files']} failed)",
        full_folder,
    )
    add(
        f"a {TARGET_COMPILATION_MB} MB compilation imported in under {TARGET_SECONDS:.0f} s",
        compilation["seconds"] < TARGET_SECONDS and compilation["failed_files"] == 0,
        f"{compilation['mb']} MB, {compilation['articles']:,} articles in "
        f"{compilation['seconds']} s",
        full_compilation,
    )
    add(
        f"memory bounded (folder): files streamed, the process growing by under "
        f"{STREAMED_SHARE:.0%} of the text of the second half of the files",
        *_streamed(folder),
        full_folder,
    )
    add(
        f"memory bounded (compilation): the process growing by under {MEMORY_SHARE:.0%} of "
        "the file's size",
        compilation["rss_growth_mb"] < MEMORY_SHARE * compilation["mb"],
        f"{compilation['rss_before_mb']} MB before, peak {compilation['peak_rss_mb']} MB: "
        f"+{compilation['rss_growth_mb']} MB for {compilation['mb']} MB",
        full_compilation,
    )
    for label, case in (("folder", folder), ("compilation", compilation)):
        add(
            f"progress on the terminal ({label}): never {SILENCE_SECONDS:.0f} s without a line",
            case["longest_silence_seconds"] < SILENCE_SECONDS,
            f"{case['progress_lines']} lines in {case['seconds']} s, the longest silence "
            f"{case['longest_silence_seconds']} s",
            True,
        )
    changed = again["created"] + again["updated"] + again["deleted"]
    add(
        "importing the unchanged folder again changes nothing",
        changed == 0 and again["unchanged_files"] == again["files"],
        f"{again['unchanged_files']:,} of {again['files']:,} files seen unchanged, "
        f"{changed} articles changed, in {again['seconds']} s",
        True,
    )
    return found


def document(
    options: Options,
    folder: Written,
    compilation: Written,
    results: dict[str, dict],
    code: str,
    load_before: tuple[float, float, float],
) -> dict:
    from performance.report import git_head, machine_info

    written = {"folder": folder, "folder-again": folder, "compilation": compilation}
    cases = {name: case_figures(results[name], written[name]) for name in CASES}
    machine = machine_info()
    machine["load_average_before"] = list(load_before)
    machine["load_average_after"] = list(os.getloadavg())
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine,
        "benchmark": {
            "files": options.files,
            "compilation_mb": options.compilation_mb,
            "seed": options.seed,
            "git_head": git_head(),
            "code_fingerprint": code,
            "code_changed_during_run": any(c["code"] != code for c in cases.values()),
            "publication_option": NEWSPAPER,
        },
        "cases": cases,
        "targets": targets(options, cases),
    }


def _cell(value: float | int | None, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, int) or digits == 0:
        return f"{value:,.0f}"
    return f"{value:,.{digits}f}"


def render_table(document: dict) -> str:
    machine, bench = document["machine"], document["benchmark"]
    lines = [
        f"## Wencui import benchmark — {document['date']}",
        "",
        f"{machine['cpu']}, {machine['cores']} cores, {machine['memory_mb']} MB; "
        f"Python {machine['python']}, SQLite {machine['sqlite']}; "
        f"load {machine['load_average_before'][0]:.2f} → {machine['load_average_after'][0]:.2f}",
        "",
        f"Code: commit {bench['git_head']} (working tree {bench['code_fingerprint']})"
        + ("; the code changed during the run." if bench["code_changed_during_run"] else "."),
        "",
        "Seconds are the import alone (manage.py import_articles's work, each file in its own "
        "transaction): every article's index update is queued, not applied, so indexing is "
        "not included. Peak RSS is the importing process's own (VmHWM), Django included.",
        "",
        "| case | files | MB | articles | seconds | files/s | MB/s | peak RSS MB |",
        "|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for name in CASES:
        case = document["cases"][name]
        lines.append(
            f"| {CASE_LABELS[name]} | {_cell(case['files'])} | {_cell(case['mb'])} "
            f"| {_cell(case['articles'])} | {_cell(case['seconds'])} "
            f"| {_cell(case['files_per_s'], 0)} | {_cell(case['mb_per_s'], 2)} "
            f"| {_cell(case['peak_rss_mb'], 0)} |"
        )
    folder, compilation = document["cases"]["folder"], document["cases"]["compilation"]
    lines += [
        "",
        f"Articles are those in the archive after the import. The folder holds one article a "
        f"file ({folder['created']:,} created, {folder['duplicates']} duplicates); the "
        f"compilation was written as {compilation['articles_written']:,} articles and read "
        f"as {compilation['articles']:,} ({compilation['duplicates']} duplicates, "
        f"{compilation['dropped_lines']:,} lines dropped). Index updates queued: "
        f"{folder['index_updates_queued']:,} (folder), "
        f"{compilation['index_updates_queued']:,} (compilation).",
        "",
        "Targets:",
        "",
    ]
    for target in document["targets"]:
        lines.append(f"- {target['target']}: {_verdict(target['met'])} — {target['detail']}")
    return "\n".join(lines)
