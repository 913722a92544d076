"""The load script runs end to end against a gunicorn of its own, and only on loopback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "performance" / "load_test.py"


def run(*args: str, timeout: float = 240) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.slow
def test_a_short_load_against_the_demo_corpus_has_no_errors(tmp_path):
    result = run(
        "--start-server",
        "--data-dir",
        str(tmp_path / "data"),
        "--clients",
        "4",
        "--warmup",
        "1",
        "--duration",
        "3",
        "--workers",
        "2",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "warming up for 1 s (not counted)" in result.stdout
    total = next(line for line in result.stdout.splitlines() if line.startswith("TOTAL"))
    count, errors = int(total.split()[1]), int(total.split()[-1])
    assert count > 10 and errors == 0
    for kind in ("search words", "search phrase", "article page", "browse", "api search"):
        assert kind in result.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["--url", "https://127.0.0.1:8000"], "only http://<loopback host>:<port>"),
        (["--url", "http://127.0.0.1:9", "--warmup", "-1"], "--warmup must be between"),
        (["--url", "http://127.0.0.1:9", "--clients", "0"], "--clients must be between"),
    ],
)
def test_refuses_what_it_should_not_do(args, message):
    result = run(*args, timeout=60)
    assert result.returncode != 0
    assert message in result.stdout + result.stderr
