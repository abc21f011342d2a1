"""Two app processes on PostgreSQL + Redis: a client on each sees every event committed through either,
with Redis up (woken through Redis) and with Redis stopped for 10 seconds (read from the outbox)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import col, select

from alerts.models import AlertSource, Severity
from alerts.raising import raise_alert
from centrale.db import Database
from centrale.events.models import Event
from centrale.events.service import commit
from centrale.operators.models import Role
from centrale.organisations.models import OrgKind
from tests import factories as f
from tests.conftest import PG_URL, service_missing
from tests.web.board.helpers import ORIGIN, board_connect, free_port
from web.schema import metadata

pytestmark = [pytest.mark.redis, pytest.mark.postgres_only]
MULTI_URL = PG_URL.rsplit("/", 1)[0] + "/" + PG_URL.rsplit("/", 1)[1] + "_instances"


async def _fresh_database() -> Database:
    admin = create_async_engine(PG_URL.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            name = MULTI_URL.rsplit("/", 1)[1]
            exists = (await conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})).first()
            if not exists:
                await conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        service_missing("PostgreSQL", exc)
    finally:
        await admin.dispose()
    db = Database(MULTI_URL)
    async with db.engine.begin() as conn:
        await conn.run_sync(metadata.drop_all)
        await conn.run_sync(metadata.create_all)
    return db


class RedisServer:
    """A redis-server of this test's own on a free port (never the shared one), stopped and started at will."""

    def __init__(self) -> None:
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            service_missing("redis-server", "not installed")
        assert binary is not None
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        time.sleep(0.3)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc = None


@contextlib.contextmanager
def instance(redis_port: int) -> Any:
    port = free_port()
    env = os.environ | {
        "CENTRALE_DATABASE_URL": MULTI_URL,
        "CENTRALE_REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "CENTRALE_ENVIRONMENT": "test",
        "CENTRALE_SCHEDULER_ENABLED": "false",
        "CENTRALE_PUBLIC_URL": ORIGIN,
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "web.app:create_app",
        "--factory",
        "--port",
        str(port),
        "--host",
        "127.0.0.1",
        "--ws-per-message-deflate",
        "false",
        "--log-level",
        "warning",
    ]
    proc = subprocess.Popen(command, env=env)
    try:
        for _ in range(200):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.05)
        yield f"127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=15)


class Watcher:
    """A board client that records when each event arrived (and answers pings)."""

    def __init__(self) -> None:
        self.arrived: dict[int, float] = {}
        self.order: list[int] = []

    async def follow(self, ws: Any) -> None:
        async for raw in ws:
            message = json.loads(raw)
            if message["type"] == "ping":
                await ws.send(json.dumps({"type": "pong"}))
            for event in message["events"] if message["type"] == "batch" else [message]:
                if event["type"] == "event" and event["kind"] == "alert.commented":
                    self.arrived[event["seq"]] = time.perf_counter()
                    self.order.append(event["seq"])


@contextlib.asynccontextmanager
async def watching(address: str, token: str) -> AsyncIterator[Watcher]:
    watcher = Watcher()
    async with board_connect(address, token) as ws:
        assert json.loads(await ws.recv())["type"] == "snapshot"
        task = asyncio.create_task(watcher.follow(ws))
        try:
            yield watcher
        finally:
            task.cancel()


async def test_two_instances_deliver_every_event_with_and_without_redis():
    db = await _fresh_database()
    async with db.sessionmaker() as session:
        centrale = await f.org(session, OrgKind.CENTRALE)
        who = await f.person(session, centrale)
        coordinator = await f.operator(session, Role.COORDINATORE, centrale)
        token = await f.token_for(session, coordinator)
        raised = await raise_alert(
            session, source=AlertSource.OPERATORE, severity=Severity.MEDIA, summary="Allerta di prova", person_id=who.id
        )
        await commit(session)
        alert_id = raised.alert.id
    redis = RedisServer()
    redis.start()
    posted: dict[str, float] = {}
    try:
        with instance(redis.port) as a, instance(redis.port) as b:
            async with (
                watching(a, token) as on_a,
                watching(b, token) as on_b,
                httpx.AsyncClient(cookies={"centrale_session": token}, headers={"Origin": ORIGIN}) as http,
            ):

                async def comment(address: str, n: int) -> None:
                    posted[f"{n}"] = time.perf_counter()
                    r = await http.post(
                        f"http://{address}/api/v1/alerts/{alert_id}/comments",
                        json={"text": f"n{n}"},
                    )
                    assert r.status_code == 201, r.text

                for n in range(10):  # Redis up: each commit wakes the other instance at once
                    await comment(a if n % 2 else b, n)
                    await asyncio.sleep(0.2)
                await asyncio.sleep(1.0)
                up = await _committed(db)
                assert len(up) == 10
                for watcher in (on_a, on_b):
                    assert watcher.order == up
                    lag = [watcher.arrived[s] - t for s, t in zip(up, [posted[str(n)] for n in range(10)], strict=True)]
                    assert max(lag) < 1.0, lag  # far below the 5 s poll: woken through Redis

                redis.stop()
                stopped = time.perf_counter()
                n = 10
                while time.perf_counter() - stopped < 10.0:
                    await comment(a if n % 2 else b, n)
                    n += 1
                    await asyncio.sleep(0.5)
                redis.start()
                await asyncio.sleep(3.0)
                everything = await _committed(db)
                assert len(everything) == n
                assert on_a.order == everything
                assert on_b.order == everything
    finally:
        redis.stop()
        await db.dispose()


async def _committed(db: Database) -> list[int]:
    async with db.sessionmaker() as session:
        rows = await session.exec(
            select(col(Event.seq)).where(col(Event.kind) == "alert.commented").order_by(col(Event.seq))
        )
        return [int(s or 0) for s in rows.all()]
