"""The benchmark's memory figure counts what a build does in child processes (a parallel
Whoosh build sorts its postings there)."""

import json
import subprocess
import sys

from django.conf import settings

# In a fresh process (the test run's own has started many children): its peak, then a
# child holding 300 MB comes and goes, then its peak again.
MEASURE = """
import json, subprocess, sys
from performance.peers import process_peak_rss_mb
before = process_peak_rss_mb()
subprocess.run([sys.executable, "-c", "b = bytearray(300 << 20); b[::4096] = bytes(len(b) >> 12)"],
               check=True)
print(json.dumps([before, process_peak_rss_mb()]))
"""


def test_peak_memory_includes_a_finished_child_process():
    run = subprocess.run(
        [sys.executable, "-c", MEASURE],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    before, after = json.loads(run.stdout)
    assert before < 100
    assert after >= 300
