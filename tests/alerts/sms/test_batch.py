"""Group commit of inbound SMS: messages arriving together share a transaction, and none is lost for it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import col, func, select

from alerts.models import Alert
from alerts.sms import batch as batching
from alerts.sms import flows
from alerts.sms.batch import InboundBatcher
from alerts.sms.models import InboundSms, InboundState
from alerts.sms.templates import Template, render
from centrale.db import Database
from centrale.organisations.models import OrgKind
from tests import factories as f
from tests.alerts.sms.test_triage import sms

SENTINEL = "+393330000161"


async def _building(database: Database) -> list[int]:
    """A condominio with two persons followed (A1, B2) and its sentinel; the persons' ids."""
    async with database.sessionmaker() as session:
        cond = await f.condominio(session)
        ids = []
        for alias in ("A1", "B2"):
            who = await f.person(session, await f.org(session, OrgKind.MUNICIPIO))
            await f.assisted(session, cond, who, alias=alias)
            assert who.id is not None
            ids.append(who.id)
        await f.sentinel(session, cond, phone=SENTINEL)
        return ids


@contextmanager
def commits(database: Database) -> Iterator[list[int]]:
    """How many transactions committed on ``database`` while inside."""
    seen: list[int] = []

    def count(_connection: Any) -> None:
        seen.append(1)

    event.listen(database.engine.sync_engine, "commit", count)
    try:
        yield seen
    finally:
        event.remove(database.engine.sync_engine, "commit", count)


async def stored(database: Database) -> list[InboundSms]:
    async with database.sessionmaker() as session:
        return list((await session.exec(select(InboundSms).order_by(col(InboundSms.id)))).all())


async def test_messages_arriving_together_share_a_transaction_and_each_gets_its_own_answer(database: Database):
    a1, b2 = await _building(database)
    batcher = InboundBatcher(database.sessionmaker, max_batch=32)
    # the last of each four names no one: it continues the sentinel's thread, B2's report just before it
    bodies = ["A1 non risponde al citofono", "tutto bene", "B2 caduta in casa", "ancora non apre"] * 5
    params = [sms(body, SENTINEL) for body in bodies]
    with commits(database) as seen:
        answers = await asyncio.gather(*(batcher.receive(params=p) for p in params))
    assert len(seen) == 1  # twenty messages, one COMMIT
    assert [a.message_sid for a in answers] == [p["MessageSid"] for p in params]
    rows = await stored(database)
    assert [r.message_sid for r in rows] == [p["MessageSid"] for p in params]
    assert all(r.state == InboundState.SMISTATO for r in rows)
    for answer, row in zip(answers, rows, strict=True):
        assert answer.reply == row.reply
        if row.alert_id is not None:
            assert row.reply == render(Template.RICEVUTA, code=row.receipt_code)
    async with database.sessionmaker() as session:
        alerts = (await session.exec(select(Alert))).all()
    # one alert per person, joined by the later reports of the same batch, as one by one
    assert {a.person_id: a.report_count for a in alerts if not a.building_level} == {a1: 5, b2: 10}
    assert [r.person_id for r in rows if r.alert_id is not None] == [a1, b2, b2] * 5


async def test_a_message_triage_cannot_handle_costs_the_others_nothing(database: Database, monkeypatch):
    await _building(database)
    real = flows.triage

    async def fragile(session: Any, message: InboundSms, sender: Any = None) -> str:
        if "rompe" in message.body:
            raise RuntimeError("a bug in triage")
        return await real(session, message, sender)

    monkeypatch.setattr(flows, "triage", fragile)
    batcher = InboundBatcher(database.sessionmaker, max_batch=32)
    params = [sms("A1 non risponde", SENTINEL), sms("questo rompe tutto", SENTINEL), sms("B2 non apre", SENTINEL)]
    answers = await asyncio.gather(*(batcher.receive(params=p) for p in params))
    rows = await stored(database)
    assert [r.message_sid for r in rows] == [p["MessageSid"] for p in params]  # each stored once
    assert [r.state for r in rows] == [InboundState.SMISTATO, InboundState.QUARANTENA, InboundState.SMISTATO]
    assert all(a.reply == render(Template.RICEVUTA, code=a.receipt_code) for a in answers)
    assert [a.receipt_code for a in answers] == [r.receipt_code for r in rows]


async def test_twilio_twins_in_one_batch_are_stored_once_and_answered_alike(database: Database):
    await _building(database)
    batcher = InboundBatcher(database.sessionmaker, max_batch=32)
    report, fine = sms("A1 non risponde", SENTINEL), sms("tutto bene", SENTINEL)
    batch = (report, fine, dict(report), sms("B2 non apre", SENTINEL), dict(fine))
    answers = await asyncio.gather(*(batcher.receive(params=p) for p in batch))
    rows = await stored(database)
    assert [r.message_sid for r in rows] == [p["MessageSid"] for p in (*batch[:2], batch[3])]
    for first, twin, row in ((0, 2, rows[0]), (1, 4, rows[1])):
        assert answers[first].receipt_code == answers[twin].receipt_code == row.receipt_code
        assert answers[first].reply == answers[twin].reply == row.reply is not None


async def test_a_request_that_goes_away_leaves_its_message_stored(database: Database):
    await _building(database)
    batcher = InboundBatcher(database.sessionmaker, max_batch=32)
    params = [sms("A1 non risponde", SENTINEL), sms("B2 non apre", SENTINEL)]
    kept = asyncio.ensure_future(batcher.receive(params=params[0]))
    gone = asyncio.ensure_future(batcher.receive(params=params[1]))
    await asyncio.sleep(0)
    gone.cancel()
    await kept
    with pytest.raises(asyncio.CancelledError):
        await gone
    for _ in range(100):  # the batch runs on; its commit comes without the cancelled waiter
        if len(await stored(database)) == 2:
            break
        await asyncio.sleep(0.05)
    assert [r.message_sid for r in await stored(database)] == [p["MessageSid"] for p in params]


async def test_a_database_that_refuses_reaches_every_waiter(database: Database, monkeypatch):
    await _building(database)

    async def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise OSError("connection refused")

    monkeypatch.setattr(flows, "store_inbound", refuse)
    monkeypatch.setattr(flows, "store_many", refuse)
    batcher = InboundBatcher(database.sessionmaker, max_batch=32)
    outcomes = await asyncio.gather(
        *(batcher.receive(params=sms("A1 non risponde", SENTINEL)) for _ in range(3)), return_exceptions=True
    )
    assert all(isinstance(o, OSError) for o in outcomes)  # the webhook answers 5xx and Twilio retries
    async with database.sessionmaker() as session:
        assert (await session.exec(select(func.count()).select_from(InboundSms))).one() == 0


async def _until(condition: Any) -> bool:
    """Whether ``condition()`` holds within 5 s."""
    for _ in range(250):
        if condition():
            return True
        await asyncio.sleep(0.02)
    return condition()


@pytest.mark.postgres_only
async def test_the_next_batch_runs_while_the_previous_one_waits_for_its_commit(pg_database: Database, monkeypatch):
    await _building(pg_database)
    disk = asyncio.Event()
    committing: list[int] = []
    real = batching.commit

    async def slow_disk(session: Any) -> None:
        committing.append(len(committing))
        if len(committing) == 1:
            await disk.wait()  # the first batch's COMMIT waits for a slow disk
        await real(session)

    monkeypatch.setattr(batching, "commit", slow_disk)
    batcher = InboundBatcher(pg_database.sessionmaker, max_batch=32)
    first = [asyncio.ensure_future(batcher.receive(params=sms(b, SENTINEL))) for b in ("A1 non risponde", "tutto bene")]
    assert await _until(lambda: len(committing) == 1)
    second = [asyncio.ensure_future(batcher.receive(params=sms("tutto bene", SENTINEL))) for _ in range(2)]
    # the messages that arrived meanwhile are triaged and reach their own commit without waiting for the disk
    assert await _until(lambda: len(committing) == 2)
    assert not any(f.done() for f in first)
    # a report of the same building waits for the first batch's lock on it: after its commit, not forever
    third = asyncio.ensure_future(batcher.receive(params=sms("B2 non apre", SENTINEL)))
    await asyncio.sleep(0.2)
    assert not third.done()
    disk.set()
    answers = await asyncio.wait_for(asyncio.gather(*first, *second, third), timeout=10)
    rows = await stored(pg_database)
    assert sorted(r.message_sid for r in rows) == sorted(a.message_sid for a in answers)
    assert all(r.state == InboundState.SMISTATO and r.reply for r in rows)
