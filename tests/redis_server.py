"""A throwaway Redis server for the tests: on a free loopback port, in a temporary folder."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from performance.postgres_cluster import free_port

MISSING = "redis-server not found (Debian: apt-get install redis-server)"


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@contextlib.contextmanager
def throwaway_redis() -> Iterator[str]:
    """A Redis server that keeps nothing on disk; its URL, and stopped on the way out."""
    program = shutil.which("redis-server")
    if program is None:
        raise RuntimeError(MISSING)
    root = Path(tempfile.mkdtemp(prefix="wencui-test-redis-"))
    port = free_port()
    server = subprocess.Popen(
        [program, "--bind", "127.0.0.1", "--port", str(port), "--dir", str(root)]
        + ["--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while not _answers(port):
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start on port {port}")
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        shutil.rmtree(root, ignore_errors=True)
