"""The app served by uvicorn in a process of its own, for the tests that drive Chromium against it.

A browser needs a real socket; each test gets its own SQLite database (seeded before) and a free port.
The scheduler is off and Redis unset unless the test passes them in ``env``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def live_app(database_url: str, *, env: Mapping[str, str] | None = None, port: int | None = None) -> Iterator[str]:
    """Start the app on ``database_url``; yields its base URL once /healthz answers; stops it afterwards."""
    port = port or free_port()
    base = f"http://127.0.0.1:{port}"
    environment = os.environ | {
        "CENTRALE_DATABASE_URL": database_url,
        "CENTRALE_ENVIRONMENT": "test",
        "CENTRALE_SCHEDULER_ENABLED": "false",
        "CENTRALE_PUBLIC_URL": base,
    }
    environment.pop("CENTRALE_REDIS_URL", None)
    environment |= dict(env or {})
    command = [sys.executable, "-m", "uvicorn", "web.app:create_app", "--factory", "--port", str(port)]
    proc = subprocess.Popen([*command, "--host", "127.0.0.1", "--log-level", "warning"], env=environment)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the app did not start on {base} (exit code {proc.returncode})")
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)
