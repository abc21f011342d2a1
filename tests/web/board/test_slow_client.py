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

from centrale.db import Database
from centrale.events.service import commit, emit
from tests.web.board.helpers import ORIGIN, board_connect, coordinator_and_person, receive, serving
from web.api.deps import COOKIE_NAME

BOUND_SECONDS = 3.0  # send timeout 1 s (conftest); the heartbeat (6 s) is the other bound


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
            await commit(session)
        while (await receive(ws)).get("kind") != "test.probe":
            pass
        found.append(time.perf_counter() - started)
    return found


async def test_slow_client_is_dropped_and_others_keep_their_latency(
    app: FastAPI, database: Database, session: AsyncSession
):
    person_id, token = await coordinator_and_person(session)
    hub = app.state.hub
    async with serving(app) as address:
        token = token
        async with board_connect(address, token, max_queue=None) as fast:
            assert (await receive(fast))["type"] == "snapshot"
            await _burst(database, person_id)
            await _latencies(fast, database, person_id, 1)  # caught up with the burst
            baseline = statistics.median(await _latencies(fast, database, person_id, 30))

            slow = await _never_reading_client(address, token)
            await asyncio.sleep(0.2)
            assert len(hub.clients) == 2
            started = time.perf_counter()
            await _burst(database, person_id)  # the same burst, which the slow client cannot take
            await _latencies(fast, database, person_id, 1)
            stuck = len(hub.clients) == 2
            during = await _latencies(fast, database, person_id, 30)
            while len(hub.clients) > 1 and time.perf_counter() - started < BOUND_SECONDS + 5:  # noqa: ASYNC110
                await asyncio.sleep(0.05)
            dropped_after = time.perf_counter() - started
            # the baseline is taken on both sides of the slow client's stay, so that the machine's own
            # load at the time (other processes) is in the reference and not blamed on the slow client
            baseline = max(baseline, statistics.median(await _latencies(fast, database, person_id, 30)))
            slow.close()

    assert stuck, "the slow client was dropped before the latency could be measured beside it"
    assert dropped_after <= BOUND_SECONDS, f"the slow client stayed {dropped_after:.1f} s"
    assert set(hub.dropped) & {"send timeout", "no heartbeat"}
    assert statistics.median(during) <= 2 * max(baseline, 0.005), (baseline, during)


async def _burst(database: Database, person_id: int) -> None:
    """More events than a client's queue (64) holds, within the replay horizon (100)."""
    async with database.sessionmaker() as s:
        for n in range(90):
            emit(
                s,
                kind="test.burst",
                entity_type="Test",
                entity_id=n,
                person_id=person_id,
                payload={"pad": "x" * 40_000},
            )
        await commit(s)
