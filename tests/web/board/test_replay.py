"""Replay: a client that reconnects with its last sequence number gets exactly what it missed, in order."""

from __future__ import annotations

import asyncio
import json

import websockets
from fastapi import FastAPI
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.db import Database
from centrale.events.service import commit, emit
from tests.web.board.helpers import (
    board_connect,
    commit_events,
    coordinator_and_person,
    events_until_quiet,
    receive,
    serving,
)


async def test_reconnect_gets_exactly_the_missed_events_in_order(
    app: FastAPI, database: Database, session: AsyncSession
):
    person_id, token = await coordinator_and_person(session)
    async with serving(app) as address:
        async with board_connect(address, token) as ws:
            snapshot = await receive(ws)
            assert snapshot["type"] == "snapshot"
            await commit_events(database.sessionmaker, 1, person_id=person_id)
            seen = await receive(ws)
            assert seen["type"] == "event" and seen["seq"] == snapshot["seq"] + 1
        last = seen["seq"]

        await commit_events(database.sessionmaker, 50, person_id=person_id)

        async with board_connect(address, token, after=last) as ws:
            assert (await receive(ws))["type"] == "replay"
            missed = await events_until_quiet(ws)
        assert [m["seq"] for m in missed] == list(range(last + 1, last + 51))
        assert [m["payload"]["n"] for m in missed] == list(range(50))


async def test_too_old_sequence_is_told_to_resync_and_gets_a_fresh_snapshot(
    app: FastAPI, database: Database, session: AsyncSession
):
    person_id, token = await coordinator_and_person(session)
    await commit_events(database.sessionmaker, 5, person_id=person_id)
    async with serving(app) as address:
        await commit_events(database.sessionmaker, 120, person_id=person_id)  # the horizon is 100
        async with board_connect(address, token, after=5) as ws:
            told = await receive(ws)
            assert told == {"type": "resync", "reason": "too_old", "after": 5}
            snapshot = await receive(ws)
            assert snapshot["type"] == "snapshot" and snapshot["seq"] == 125
            assert await events_until_quiet(ws) == []
        async with board_connect(address, token, after=500) as ws:  # ahead of the outbox: reset database
            assert (await receive(ws))["type"] == "resync"


async def test_socket_refuses_other_origins_and_anonymous_clients(app: FastAPI, session: AsyncSession):
    _, token = await coordinator_and_person(session)
    async with serving(app) as address:
        for token_used, origin in (
            (token, "http://evil.example"),
            (None, "http://testserver"),
            ("not-a-session", "http://testserver"),
        ):
            try:
                async with board_connect(address, token_used, origin=origin) as ws:
                    await receive(ws)
                raise AssertionError(f"connected with {origin} / {token_used}")
            except websockets.InvalidStatus as refused:
                assert refused.response.status_code == 403


async def test_the_events_of_one_commit_reach_a_live_board_in_one_frame_in_order(
    app: FastAPI, database: Database, session: AsyncSession
):
    person_id, token = await coordinator_and_person(session)
    async with serving(app) as address:
        async with board_connect(address, token) as ws:
            snapshot = await receive(ws)
            async with database.sessionmaker() as writer:  # one transaction, three events
                for n in range(3):
                    emit(writer, kind="test.happened", entity_type="Test", entity_id=n, person_id=person_id)
                await commit(writer)
            frame = json.loads(await asyncio.wait_for(ws.recv(), 5.0))
            while frame["type"] == "ping":
                frame = json.loads(await asyncio.wait_for(ws.recv(), 5.0))
    assert frame["type"] == "batch"
    assert [e["seq"] for e in frame["events"]] == [snapshot["seq"] + 1, snapshot["seq"] + 2, snapshot["seq"] + 3]
    assert [e["entity_id"] for e in frame["events"]] == ["0", "1", "2"]


async def test_a_hub_without_clients_reads_no_event_and_the_next_client_misses_none(
    app: FastAPI, database: Database, session: AsyncSession
):
    person_id, token = await coordinator_and_person(session)
    hub = app.state.hub  # type: ignore[attr-defined]
    reads = 0
    read_after = hub.reader.read_after

    async def counting(after: int, **kw: object) -> object:
        nonlocal reads
        reads += 1
        return await read_after(after, **kw)

    hub.reader.read_after = counting
    async with serving(app) as address:
        await commit_events(database.sessionmaker, 30, person_id=person_id)
        await asyncio.sleep(0.3)
        assert reads == 0  # nobody to tell: the outbox is not read
        top = hub.mark
        assert top >= 30  # but its end is followed, so a client does not make the hub read it all
        async with board_connect(address, token) as ws:
            snapshot = await receive(ws)
            assert snapshot["seq"] >= top
            await commit_events(database.sessionmaker, 3, person_id=person_id)
            live = await events_until_quiet(ws)
        assert [m["seq"] for m in live] == [snapshot["seq"] + 1, snapshot["seq"] + 2, snapshot["seq"] + 3]
