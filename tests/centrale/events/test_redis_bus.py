"""Redis as the cross-instance wake-up: stopped mid-run, the other instance still gets every event."""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from centrale.db import Database
from centrale.events.bus import OutboxReader
from centrale.events.models import Event
from centrale.events.redis_bus import RedisBus
from centrale.events.service import add_commit_listener, commit, emit, remove_commit_listener
from tests.conftest import service_missing

pytestmark = [pytest.mark.redis, pytest.mark.fault]
TOTAL = 300


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class OwnRedis:
    """A private redis-server on a free port, so stopping it touches nobody else."""

    def __init__(self, workdir: Path) -> None:
        self.port = _free_port()
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    if shutil.which("redis-server") is None:
        service_missing("redis-server", "not installed")
    server = OwnRedis(tmp_path)
    server.start()
    yield server
    server.stop()


async def _wait_for(condition, seconds: float = 10) -> None:  # type: ignore[no-untyped-def]
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not reached")


async def test_redis_stopped_mid_run_second_instance_gets_every_event(pg_database: Database, own_redis: OwnRedis):
    instance_a = pg_database  # the writer's instance
    instance_b = Database(pg_database.url, pool_size=2, max_overflow=2)  # another instance, own engine
    bus_a, bus_b = RedisBus(own_redis.url), RedisBus(own_redis.url)
    await bus_a.start()
    await bus_b.start()
    add_commit_listener(bus_a.committed, engine=instance_a.engine)
    add_commit_listener(bus_b.committed, engine=instance_b.engine)
    seen: list[Event] = []

    async def follow() -> None:
        async for event in OutboxReader(instance_b.sessionmaker, bus_b).subscribe(after=0):
            seen.append(event)
            if len(seen) == TOTAL:
                return

    async def write(start: int, count: int) -> None:
        for n in range(start, start + count):
            async with instance_a.sessionmaker() as session:
                emit(session, kind="test.event", entity_type="Test", entity_id=n)
                await commit(session)
            await asyncio.sleep(0.005)

    try:
        await _wait_for(lambda: bus_a.healthy and bus_b.healthy)
        follower = asyncio.create_task(follow())
        await write(0, 100)
        await _wait_for(lambda: len(seen) == 100)
        assert bus_b.wakeups_from_redis > 0  # B learnt of A's commits through Redis

        own_redis.stop()
        await write(100, 100)  # Redis is down: B reads the outbox
        await _wait_for(lambda: len(seen) == 200)
        assert not bus_b.healthy

        own_redis.start()
        await _wait_for(lambda: bus_a.healthy and bus_b.healthy)
        before = bus_b.wakeups_from_redis
        await write(200, 100)
        await asyncio.wait_for(follower, timeout=20)
        assert bus_b.wakeups_from_redis > before  # Redis wake-ups resumed
    finally:
        remove_commit_listener(bus_a.committed)
        remove_commit_listener(bus_b.committed)
        await bus_a.stop()
        await bus_b.stop()
        await instance_b.dispose()
    assert [e.seq for e in seen] == list(range(1, TOTAL + 1))
    assert [int(e.entity_id) for e in seen] == list(range(TOTAL))
