"""One transaction with 20,000 events (a plan pass over many occurrences) commits, and a board gets them all.

A live board normally reloads a snapshot when it falls this far behind (its queue holds 256 messages);
the reader here is given a queue as long as the transaction, so that it must receive every event.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI
from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.db import Database
from centrale.events.models import Event
from centrale.settings import Settings
from centrale.uow import Tx
from tests.web.board.helpers import board_connect, coordinator_and_person, events_until_quiet, receive, serving
from web.app import create_app

EVENTS = 20_000  # 7 bound values each: 140,000 in all, four times what asyncpg binds in one statement


@pytest.fixture
async def patient_board(settings: Settings, database: Database) -> AsyncIterator[FastAPI]:
    application = create_app(
        settings.model_copy(update={"board_queue_size": EVENTS + 1000, "board_replay_horizon": EVENTS * 2}),
        database=database,
    )
    async with application.router.lifespan_context(application):
        yield application


async def test_twenty_thousand_events_in_one_transaction_reach_a_board_in_order(
    patient_board: FastAPI, database: Database, session: AsyncSession
):
    person_id, token = await coordinator_and_person(session)
    async with serving(patient_board) as address:
        async with board_connect(address, token, max_size=None) as ws:
            snapshot = await receive(ws)
            async with Tx.open(database) as tx:
                for n in range(EVENTS):
                    tx.emit(
                        kind="test.happened", entity_type="Test", entity_id=n, person_id=person_id, payload={"n": n}
                    )
                await tx.commit()
            seen = []  # the hub reads the outbox page by page: on a busy machine a page may take seconds
            while len(seen) < EVENTS:
                message = await receive(ws, 60.0)
                if message["type"] == "event":
                    seen.append(message)
            seen += await events_until_quiet(ws, quiet=0.5)  # and nothing more after them
    assert len(seen) == EVENTS
    assert [e["seq"] for e in seen] == list(range(snapshot["seq"] + 1, snapshot["seq"] + EVENTS + 1))
    assert [e["payload"]["n"] for e in seen] == list(range(EVENTS))
    async with database.sessionmaker() as check:
        assert (await check.exec(select(func.count()).select_from(Event))).one() == EVENTS
