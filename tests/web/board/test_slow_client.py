"""A client that never reads is dropped within the bound, and nobody else slows down meanwhile."""

from __future__ import annotations

import asyncio
import base64
import os
import socket
import statistics
import time

from fastapi import FastAPI
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.auth.deps import COOKIE_NAME
from centrale.db import Database
from centrale.events.service import emit
from centrale.operators.models import Role
from centrale.organisations.models import OrgKind
from tests import factories as f
from tests.web.board.helpers import ORIGIN, board_connect, receive, serving

BOUND_SECONDS = 5.0  # send timeout 1 s, queue of 64, heartbeat answered within 1.5 s (conftest)


async def _never_reading_client(address: str, token: str) -> asyncio.StreamWriter:
    """A websocket handshake on a socket with a tiny receive buffer, then not one byte read."""
    host, port = address.split(":")
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
    sock.setblocking(False)
    await asyncio.get_running_loop().sock_connect(sock, (host, int(port)))
    reader, writer = await asyncio.open_connection(sock=sock)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write(
        (
            f"GET /ws/board HTTP/1.1\r\nHost: {address}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nOrigin: {ORIGIN}\r\n"
            f"Cookie: {COOKIE_NAME}={token}\r\n\r\n"
        ).encode()
    )
    await writer.drain()
    status = await reader.readuntil(b"\r\n\r\n")
    assert status.startswith(b"HTTP/1.1 101"), status
    return writer


async def _latencies(ws, database: Database, person_id: int, n: int) -> list[float]:  # type: ignore[no-untyped-def]
    """Commit-to-delivery latency of ``n`` events, one at a time."""
    found = []
    for i in range(n):
        async with database.sessionmaker() as session:
            emit(session, kind="test.probe", entity_type="Test", entity_id=i, person_id=person_id)
            started = time.perf_counter()
            await session.commit()
        while (await receive(ws)).get("kind") != "test.probe":
            pass
        found.append(time.perf_counter() - started)
    return found


async def test_slow_client_is_dropped_and_others_keep_their_latency(
    app: FastAPI, database: Database, session: AsyncSession
):
    centrale = await f.org(session, OrgKind.CENTRALE)
    who = await f.person(session, centrale)
    watcher = await f.operator(session, Role.COORDINATORE, centrale)
    assert who.id is not None
    hub = app.state.hub
    async with serving(app) as address:
        token = await f.token_for(session, watcher)
        async with board_connect(address, token, max_queue=None) as fast:
            assert (await receive(fast))["type"] == "snapshot"
            await _latencies(fast, database, who.id, 5)  # warm up
            baseline = statistics.median(await _latencies(fast, database, who.id, 20))

            slow = await _never_reading_client(address, await f.token_for(session, watcher))
            await asyncio.sleep(0.2)
            assert len(hub.clients) == 2
            started = time.perf_counter()
            async with database.sessionmaker() as s:  # a burst the slow client cannot take
                for n in range(90):  # more than the queue (64), within the replay horizon (100)
                    emit(
                        s,
                        kind="test.burst",
                        entity_type="Test",
                        entity_id=n,
                        person_id=who.id,
                        payload={"pad": "x" * 8000},
                    )
                await s.commit()
            during = await _latencies(fast, database, who.id, 20)
            while len(hub.clients) > 1 and time.perf_counter() - started < BOUND_SECONDS + 5:
                await asyncio.sleep(0.05)
            dropped_after = time.perf_counter() - started
            after = await _latencies(fast, database, who.id, 20)
            slow.close()

    assert dropped_after <= BOUND_SECONDS, f"the slow client stayed {dropped_after:.1f} s"
    assert set(hub.dropped) & {"send timeout", "no heartbeat"}
    assert statistics.median(during) <= 2 * max(baseline, 0.005), (baseline, during)
    assert statistics.median(after) <= 2 * max(baseline, 0.005), (baseline, after)
