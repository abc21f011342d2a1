"""`centrale serve` records the client's address that the trusted proxy forwards, and only that proxy's.

The real server runs as `docker-compose.yml` runs it, with CENTRALE_FORWARDED_ALLOW_IPS naming the proxy;
the "proxy" and the "stranger" are two loopback addresses of this machine.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from web import migrate

PROXY, STRANGER = "127.0.0.2", "127.0.0.3"
CLIENT = "203.0.113.7"  # the operator's address, as the proxy saw it


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    db = tmp_path / "centrale.sqlite3"
    url = f"sqlite+aiosqlite:///{db}"
    migrate.upgrade(url)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CENTRALE_", "TWILIO_"))}
    env |= {
        "CENTRALE_DATABASE_URL": url,
        "CENTRALE_SCHEDULER_ENABLED": "false",
        "CENTRALE_FORWARDED_ALLOW_IPS": PROXY,
        "CENTRALE_PUBLIC_URL": f"http://127.0.0.1:{port}",
    }
    centrale = Path(sys.executable).with_name("centrale")
    server = subprocess.Popen(
        [str(centrale), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, server.stderr.read().decode() if server.stderr else "server exited"
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        yield base, db
    finally:
        server.terminate()
        server.wait(timeout=30)


def _failed_login_from(base: str, source: str, forwarded_for: str) -> int:
    transport = httpx.HTTPTransport(local_address=source)
    with httpx.Client(transport=transport, base_url=base, timeout=10) as client:
        answer = client.post(
            "/api/v1/auth/login",
            json={"username": "nessuno", "password": "sbagliata"},
            headers={"X-Forwarded-For": forwarded_for},
        )
    return answer.status_code


def test_the_audit_log_records_the_address_the_trusted_proxy_forwards(served: tuple[str, Path]) -> None:
    base, db = served
    assert _failed_login_from(base, PROXY, CLIENT) == 401
    assert _failed_login_from(base, STRANGER, "198.51.100.9") == 401  # a client claiming another address
    with sqlite3.connect(db) as conn:
        audited = [
            row[0]
            for row in conn.execute("SELECT source_address FROM audit_event WHERE subtype = 'auth.login' ORDER BY id")
        ]
        attempts = [row[0] for row in conn.execute("SELECT source_address FROM login_attempt ORDER BY id")]
    assert audited == [CLIENT, STRANGER]
    assert attempts == [CLIENT, STRANGER]
