"""A throwaway PostgreSQL cluster, for the test suite and the benchmark: created from the
server binaries in a temporary folder, on a loopback port, stopped and removed afterwards."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

# Debian installs the server outside PATH, one folder per major version.
SERVER_DIRS = "/usr/lib/postgresql/*/bin"
PREFIX = "wencui-test-postgres-"
BENCHMARK_PREFIX = "wencui-bench-postgres-"
OWNER_FILE = "owner.pid"
MISSING = (
    "PostgreSQL server binaries (initdb, pg_ctl) not found, and WENCUI_TEST_DATABASE=postgres "
    "asks for them: install them (Debian: apt-get install postgresql), put their folder on "
    "PATH, or set WENCUI_TEST_DATABASE_URL to a server whose user may create databases."
)
# Durability is of no use for data thrown away at the end, and costs every commit a flush.
SERVER_SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
}


class ClusterUnavailable(RuntimeError):
    """The cluster could not be created or started; the message says why."""


def server_bin_dir() -> Path | None:
    """The folder holding initdb and pg_ctl: on PATH, else Debian's newest; None if none."""
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(on_path).resolve().parent
    candidates = [
        folder
        for folder in Path("/").glob(SERVER_DIRS.lstrip("/"))
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file()
    ]
    if not candidates:
        return None
    return max(candidates, key=lambda folder: int(folder.parent.name.split(".")[0]))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Cluster:
    """A running cluster in `root` (data, socket and log), reachable on 127.0.0.1:`port`."""

    root: Path
    port: int
    bin_dir: Path
    run_as: str | None  # the server refuses to run as root: then as this user
    # More server settings (-c name=value) on top of SERVER_SETTINGS.
    settings: dict = field(default_factory=dict)

    user = "postgres"  # the superuser initdb creates (-U), trusted on loopback

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def log(self) -> Path:
        return self.root / "server.log"

    def command(self, program: str, *args: str) -> list[str]:
        line = [str(self.bin_dir / program), *args]
        return ["runuser", "-u", self.run_as, "--", *line] if self.run_as else line

    def run(self, program: str, *args: str, timeout: float = 120) -> None:
        result = subprocess.run(
            self.command(program, *args), capture_output=True, text=True, timeout=timeout
        )
        if result.returncode != 0:
            raise ClusterUnavailable(
                f"{program} failed ({result.returncode}):\n{result.stdout}{result.stderr}"
                + self.log_tail()
            )

    def log_tail(self) -> str:
        try:
            return "\nserver log:\n" + self.log.read_text(errors="replace")[-3000:]
        except OSError:
            return ""

    def start(self) -> None:
        options = " ".join(
            f"-c {name}={value}"
            for name, value in {
                **SERVER_SETTINGS,
                **self.settings,
                "port": self.port,
                "unix_socket_directories": self.root,
            }.items()
        )
        self.run("pg_ctl", "start", "-D", str(self.data), "-l", str(self.log), "-w", "-o", options)

    def stop(self) -> None:
        """Stop the server (at once: nothing in it is worth keeping) and remove everything."""
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(ClusterUnavailable, subprocess.TimeoutExpired):
                self.run("pg_ctl", "stop", "-D", str(self.data), "-m", "immediate", "-w")
        shutil.rmtree(self.root, ignore_errors=True)


def _server_user() -> str | None:
    """Who runs the server: ourselves, or `postgres` when we are root (initdb refuses root)."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        raise ClusterUnavailable(
            "running as root, and there is no `postgres` user to run the server as "
            "(PostgreSQL refuses to run as root): create one, or run the tests as another user"
        ) from None
    return "postgres"


def remove_abandoned_clusters(prefix: str = PREFIX) -> None:
    """Stop and remove clusters whose run was killed before it could remove them."""
    for root in Path(tempfile.gettempdir()).glob(prefix + "*"):
        try:
            owner = int((root / OWNER_FILE).read_text())
        except (OSError, ValueError):
            continue
        if _alive(owner):
            continue
        postmaster = root / "data" / "postmaster.pid"
        with contextlib.suppress(OSError, ValueError, ProcessLookupError, PermissionError):
            os.kill(int(postmaster.read_text().split()[0]), signal.SIGQUIT)
        shutil.rmtree(root, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def throwaway_cluster(
    bin_dir: Path, *, prefix: str = PREFIX, settings: dict | None = None
) -> Iterator[Cluster]:
    """initdb in a temporary folder, the server on a free loopback port; stopped and removed
    on the way out, whatever happened inside."""
    run_as = _server_user()
    remove_abandoned_clusters(prefix)
    root = Path(tempfile.mkdtemp(prefix=prefix))
    (root / OWNER_FILE).write_text(str(os.getpid()))
    cluster = Cluster(
        root=root, port=free_port(), bin_dir=bin_dir, run_as=run_as, settings=settings or {}
    )
    try:
        if run_as:
            shutil.chown(root, user=run_as)
        cluster.run(
            "initdb",
            "-D",
            str(cluster.data),
            "-U",
            cluster.user,
            "--auth=trust",
            "--locale=C.UTF-8",
            "--encoding=UTF8",
            "--no-sync",
        )
        for attempt in range(3):
            try:
                cluster.start()
                break
            except ClusterUnavailable:
                # Another process may have taken the free port in between: try another.
                if attempt == 2:
                    raise
                cluster.port = free_port()
                time.sleep(0.5)
        yield cluster
    finally:
        cluster.stop()
