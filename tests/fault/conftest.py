"""Fault drills: the real app in separate processes, with private PostgreSQL / Redis servers to break.

The drills never touch the shared servers: each starts its own PostgreSQL cluster or redis-server on a
free port in a temp dir, and stops or kills only that one.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.common import AUTH_TOKEN, PUBLIC_URL
from bench.procs import PostgresCluster, RedisServer


def app_env(database_url: str, *, redis_url: str | None = None, tick_seconds: float = 2.0) -> dict[str, str]:
    """The environment of one instance under test (production settings, console SMS, signed webhooks)."""
    env = {
        "CENTRALE_ENVIRONMENT": "production",
        "CENTRALE_DATABASE_URL": database_url,
        "CENTRALE_PUBLIC_URL": PUBLIC_URL,
        "CENTRALE_SECRET_KEY": secrets.token_urlsafe(32),
        "CENTRALE_SMS_BACKEND": "console",
        "CENTRALE_TICK_SECONDS": str(tick_seconds),
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
    }
    if redis_url:
        env["CENTRALE_REDIS_URL"] = redis_url
    return env


@pytest.fixture
def private_postgres() -> Iterator[PostgresCluster]:
    """A PostgreSQL cluster of this test's own, which the drill may stop and start."""
    try:
        cluster = PostgresCluster().init().start()
    except (RuntimeError, OSError) as exc:
        pytest.fail(f"cannot start a private PostgreSQL cluster: {exc}", pytrace=False)
    try:
        yield cluster
    finally:
        cluster.cleanup()


@pytest.fixture
def private_redis() -> Iterator[RedisServer]:
    """A redis-server of this test's own, on a free port."""
    server = RedisServer().start()
    try:
        yield server
    finally:
        server.cleanup()


ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts" / "fault"


@pytest.fixture
def logs(request: pytest.FixtureRequest) -> Path:
    """Where the instances of this drill write their logs (kept after the run, not committed)."""
    path = ARTIFACTS / request.node.name
    path.mkdir(parents=True, exist_ok=True)
    for old in path.glob("*.log"):
        old.unlink()
    return path
