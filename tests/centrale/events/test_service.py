"""The outbox under concurrent writers: a reader following seq sees every committed event once, in order."""

from __future__ import annotations

import asyncio
import random

import pytest
from sqlalchemy import text

from centrale.db import Database
from centrale.events.bus import InProcessBus, OutboxReader
from centrale.events.models import Event
from centrale.events.service import add_commit_listener, commit, emit, events_after, remove_commit_listener

WRITERS = 20
PER_WRITER = 250  # 20 x 250 = 5,000 events


async def _writer(database: Database, writer: int, rng: random.Random) -> None:
    written = 0
    while written < PER_WRITER:
        batch = min(rng.randint(1, 6), PER_WRITER - written)
        async with database.sessionmaker() as session:
            for i in range(batch):
                emit(
                    session,
                    kind="test.event",
                    entity_type="Test",
                    entity_id=f"{writer}-{written + i}",
                    payload={"writer": writer, "n": written + i},
                )
            await session.flush()  # the rows exist (with no seq) while other transactions commit
            await asyncio.sleep(rng.random() * 0.004)  # keep transactions overlapping
            await commit(session)
        written += batch


async def test_rolled_back_events_never_appear(database: Database):
    async with database.sessionmaker() as session:
        emit(session, kind="test.lost", entity_type="Test", entity_id=1)
        await session.rollback()
    async with database.sessionmaker() as session:
        emit(session, kind="test.kept", entity_type="Test", entity_id=2)
        await commit(session)
        found, mark = await events_after(session, after=0)
    assert [(e.kind, e.seq) for e in found] == [("test.kept", 1)]
    assert mark == 1


@pytest.mark.postgres_only
async def test_twenty_writers_five_thousand_events_reader_misses_none(pg_database: Database):
    bus = InProcessBus(poll_seconds=0.05)
    add_commit_listener(bus.committed, engine=pg_database.engine)
    reader = OutboxReader(pg_database.sessionmaker, bus, batch=137)
    seen: list[Event] = []

    async def follow() -> None:
        async for event in reader.subscribe(after=0):
            seen.append(event)
            if len(seen) >= WRITERS * PER_WRITER:
                return

    try:
        follower = asyncio.create_task(follow())
        rng = random.Random(4)
        await asyncio.gather(*(_writer(pg_database, w, random.Random(rng.random())) for w in range(WRITERS)))
        await asyncio.wait_for(follower, timeout=60)
    finally:
        remove_commit_listener(bus.committed)
    seqs = [e.seq for e in seen]
    assert seqs == list(range(1, WRITERS * PER_WRITER + 1))
    assert len({e.entity_id for e in seen}) == WRITERS * PER_WRITER
    async with pg_database.engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM event WHERE seq IS NULL"))).scalar_one() == 0
