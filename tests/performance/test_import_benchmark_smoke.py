"""manage.py benchmark_import runs end to end at a small size and reports what it promises."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from performance.imports import CASE_LABELS, FOLDER, Options, generate_files

FILES = 200


def test_generated_files_are_deterministic(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    options = Options(files=30, compilation_mb=0.1, seed=7)
    written = generate_files(first, options, lambda message: None)
    generate_files(second, options, lambda message: None)
    paths = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert paths == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert all((first / p).read_bytes() == (second / p).read_bytes() for p in paths)
    folder, compilation = written
    assert folder.files == 30 and compilation.articles > 10
    # Dated subfolders and page-article names: 报纸/2019/01/01/01-01.txt.
    assert paths[0].as_posix() == f"{FOLDER}/2019/01/01/01-01.txt"
    head = (first / paths[0]).read_text(encoding="utf-8").splitlines()
    assert any(line.startswith("本报记者 ") for line in head[:5])
    assert "作者:" in (first / "汇编.txt").read_text(encoding="utf-8")


@pytest.mark.slow
def test_import_benchmark_command_small(tmp_path):
    out = tmp_path / "bench.json"
    stdout = StringIO()
    call_command(
        "benchmark_import",
        "--files",
        str(FILES),
        "--compilation-mb",
        "1",
        "--json",
        str(out),
        stdout=stdout,
    )
    table = stdout.getvalue()
    assert "| case | files | MB | articles | seconds | files/s | MB/s | peak RSS MB |" in table
    for label in CASE_LABELS.values():
        assert f"| {label} |" in table
    assert "Targets:" in table

    document = json.loads(out.read_text(encoding="utf-8"))
    cases = document["cases"]
    folder, again, compilation = cases["folder"], cases["folder-again"], cases["compilation"]
    # One article a file, every one of them new, none failed.
    assert folder["files"] == FILES
    assert folder["articles"] == folder["created"] == FILES
    assert folder["failed_files"] == 0 and folder["duplicates"] == 0
    assert folder["index_updates_queued"] == FILES
    # The second import finds every file unchanged and changes nothing.
    assert again["unchanged_files"] == FILES and again["articles"] == FILES
    assert again["created"] == again["updated"] == again["deleted"] == 0
    # The compilation is one file of many articles.
    assert compilation["files"] == 1 and compilation["failed_files"] == 0
    assert compilation["articles"] >= 100
    assert compilation["articles"] >= 0.9 * compilation["articles_written"]
    assert 0.9 <= compilation["mb"] <= 1.1
    for figures in cases.values():
        assert figures["seconds"] > 0 and figures["peak_rss_mb"] > 0
    # Smaller than the sizes: the speed and memory targets are not judged.
    verdicts = {target["target"]: target["met"] for target in document["targets"]}
    timed = [name for name in verdicts if "under 60 s" in name]
    assert len(timed) == 2 and all(verdicts[name] is None for name in timed)
    assert all(f"- {name}: " in table for name in verdicts)
