"""Heartbeats: an idle board is pinged every ``board_ping_seconds`` (2 s here) and kept while it answers;
one that stops answering is dropped after three intervals."""

from __future__ import annotations

import asyncio
import json
import time
from itertools import pairwise

import websockets
from fastapi import FastAPI
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.db import Database
from tests.web.board.helpers import board_connect, commit_events, coordinator_and_person, receive, serving


async def test_idle_board_is_pinged_kept_while_it_answers_and_dropped_when_it_stops(
    app: FastAPI, database: Database, session: AsyncSession
):
    person_id, token = await coordinator_and_person(session)
    hub = app.state.hub
    async with serving(app) as address:
        async with board_connect(address, token) as ws:
            snapshot = await receive(ws)
            assert snapshot["type"] == "snapshot"
            pings, times = [], []
            while len(pings) < 3:  # idle, answering as the board page does
                message = await receive(ws, 3.0, skip_pings=False)
                assert message["type"] == "ping"
                pings.append(message)
                times.append(time.monotonic())
            assert all(p["seq"] == snapshot["seq"] for p in pings)
            assert all(1.5 <= later - earlier <= 2.5 for earlier, later in pairwise(times))
            await commit_events(database.sessionmaker, 1, person_id=person_id)  # an event still arrives at once
            assert (await receive(ws))["seq"] == snapshot["seq"] + 1
            assert len(hub.clients) == 1

            silent_since = time.monotonic()
            try:
                while True:  # reads everything, answers nothing
                    assert json.loads(await asyncio.wait_for(ws.recv(), 10.0))["type"] == "ping"
            except websockets.ConnectionClosed as closed:
                dropped_after = time.monotonic() - silent_since
                assert closed.rcvd is not None and closed.rcvd.reason == "no heartbeat"
    assert 5.0 <= dropped_after <= 7.5, dropped_after  # three ping intervals after the last answer
    assert hub.dropped["no heartbeat"] == 1
    assert not hub.clients
