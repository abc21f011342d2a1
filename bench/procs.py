"""Separate processes for a run: app instances (uvicorn), a private Redis, a scratch PostgreSQL database."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
# The same server settings for the app and the baseline, so the ratio compares only the work done.
UVICORN_ARGS = ["--loop", "uvloop", "--http", "httptools", "--no-access-log", "--log-level", "warning"]
UVICORN_ARGS += ["--ws-per-message-deflate", "false", "--timeout-keep-alive", "30"]


def free_port() -> int:
    """A TCP port nobody listens on right now (on 127.0.0.1)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_kib(pid: int) -> int:
    """Resident memory of a process, in KiB (from /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process and its live children (uvicorn's workers) have used so far."""
    family, total = {pid}, 0.0
    stats = {int(d.name): _stat(int(d.name)) for d in Path("/proc").iterdir() if d.name.isdigit()}
    grew = True
    while grew:  # children, grandchildren...
        grew = False
        for child, fields in stats.items():
            if fields is not None and child not in family and int(fields[1]) in family:
                family.add(child)
                grew = True
    for member in family:
        fields = stats.get(member)
        if fields is not None:
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def wait_http(url: str, *, timeout: float = 30.0, proc: subprocess.Popen[bytes] | None = None) -> None:
    """Poll ``url`` until it answers 200 (or the process died, or time ran out)."""
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process for {url} exited with {proc.returncode}")
        try:
            if httpx.get(url, timeout=2.0).status_code == 200:
                return
        except httpx.HTTPError as exc:
            last = exc
        time.sleep(0.1)
    raise TimeoutError(f"{url} not ready after {timeout}s: {last}")


def stop(proc: subprocess.Popen[bytes], *, timeout: float = 10.0) -> None:
    """SIGTERM, then SIGKILL if it does not go."""
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=timeout)


@dataclass
class Server:
    """One uvicorn process serving ``app`` (an import string of a factory) on a free port."""

    app: str
    env: Mapping[str, str]
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None
    ready_path: str = "/healthz"
    log: Path | None = None
    workers: int = 1  # uvicorn worker processes behind the one port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, *, timeout: float = 60.0) -> Server:
        cmd = [PYTHON, "-m", "uvicorn", self.app, "--factory", "--host", "127.0.0.1", "--port", str(self.port)]
        if self.workers > 1:
            cmd += ["--workers", str(self.workers)]
        env = {**os.environ, **self.env}
        out = open(self.log, "ab") if self.log else subprocess.DEVNULL  # kept open for the process's life
        self.proc = subprocess.Popen([*cmd, *UVICORN_ARGS], env=env, cwd=ROOT, stdout=out, stderr=out)
        wait_http(self.url + self.ready_path, timeout=timeout, proc=self.proc)
        return self

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc)

    def kill(self) -> None:
        """SIGKILL: the instance dies mid-work, as in a crash."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid


@contextmanager
def servers(items: list[Server]) -> Iterator[list[Server]]:
    """Start every server; stop them all on the way out, whatever happened."""
    try:
        for item in items:
            item.start()
        yield items
    finally:
        for item in items:
            item.stop()


@dataclass
class RedisServer:
    """A private redis-server on a free port in a temp dir (never the shared one)."""

    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="centrale-redis-")))

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, *, timeout: float = 10.0) -> RedisServer:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
        args = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        args += ["--dir", str(self.workdir), "--protected-mode", "yes"]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                time.sleep(0.05)
        raise TimeoutError("redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc)
            self.proc = None

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)


@dataclass
class ScratchPostgres:
    """A database created for the run on an existing server and dropped afterwards."""

    server_url: str  # postgresql+asyncpg://user@host:port/any
    name: str = "centrale_bench"

    @property
    def url(self) -> str:
        return make_url(self.server_url).set(database=self.name).render_as_string(hide_password=False)

    def _admin(self, sql: str) -> None:
        admin = make_url(self.server_url).set(drivername="postgresql", database="postgres")
        args = [
            "psql",
            "-h",
            admin.host or "127.0.0.1",
            "-p",
            str(admin.port or 5432),
            "-U",
            admin.username or "postgres",
        ]
        subprocess.run([*args, "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-qc", sql], check=True)

    def create(self) -> ScratchPostgres:
        self.drop()
        self._admin(f'CREATE DATABASE "{self.name}"')
        return self

    def drop(self) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def _pg_bin(name: str) -> str:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    if not found:
        raise RuntimeError(f"{name} not found under /usr/lib/postgresql (apt-get install postgresql)")
    return str(found[-1])


@dataclass
class PostgresCluster:
    """A private PostgreSQL cluster in a temp dir on a free port: the one a drill may stop and start.

    As root the server must run as ``postgres``, so the directory is handed to that user and the
    commands go through ``runuser``.
    """

    port: int = field(default_factory=free_port)
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="centrale-pg-")))

    def _as_owner(self, args: list[str]) -> list[str]:
        return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args

    @property
    def datadir(self) -> Path:
        return self.workdir / "data"

    def server_url(self, database: str = "postgres") -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    def init(self) -> PostgresCluster:
        if os.geteuid() == 0:
            shutil.chown(self.workdir, "postgres", "postgres")
        initdb = [_pg_bin("initdb"), "-D", str(self.datadir), "-U", "postgres", "--auth=trust", "-E", "UTF8"]
        subprocess.run(self._as_owner([*initdb, "--no-sync"]), check=True, capture_output=True, timeout=120)
        return self

    def start(self) -> PostgresCluster:
        opts = f"-p {self.port} -k {self.workdir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        ctl = [_pg_bin("pg_ctl"), "-D", str(self.datadir), "-l", str(self.workdir / "log"), "-o", opts, "-w"]
        subprocess.run(self._as_owner([*ctl, "start"]), check=True, capture_output=True, timeout=60)
        return self

    def stop(self, mode: str = "fast") -> None:
        ctl = [_pg_bin("pg_ctl"), "-D", str(self.datadir), "-m", mode, "-w", "stop"]
        subprocess.run(self._as_owner(ctl), check=False, capture_output=True, timeout=60)

    def create_database(self, name: str) -> str:
        """Create ``name`` and return its async URL."""
        args = ["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", "postgres", "-qc"]
        subprocess.run([*args, f'CREATE DATABASE "{name}"'], check=True, capture_output=True, timeout=30)
        return self.server_url(name)

    def cleanup(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.workdir, ignore_errors=True)
