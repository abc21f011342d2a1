"""The webhook's locks under concurrency: a report holding its building's lock and a message from the
same building both commit, whatever order their statements interleave in (PostgreSQL)."""

from __future__ import annotations

import asyncio

import pytest
from sqlmodel import select

from alerts.models import Alert, AlertSource, Severity
from alerts.raising import raise_alert
from alerts.sms.flows import receive_and_commit
from alerts.sms.models import InboundSms, InboundState
from centrale.db import Database
from centrale.events.service import commit
from centrale.organisations.models import OrgKind
from tests import factories as f

SENTINEL = "+393330000151"


@pytest.mark.postgres_only
async def test_a_report_holding_the_building_lock_and_a_check_in_of_the_building_both_commit(pg_database: Database):
    async with pg_database.sessionmaker() as session:
        cond = await f.condominio(session)
        who = await f.person(session, await f.org(session, OrgKind.MUNICIPIO))
        await f.assisted(session, cond, who, alias="A1")
        await f.sentinel(session, cond, phone=SENTINEL)
        cond_id, person_id = cond.id, who.id

    async with pg_database.sessionmaker() as report:
        # a report takes the person's and the building's locks, writes its alert, and has not committed yet
        await raise_alert(
            report,
            source=AlertSource.SEGNALAZIONE_SENTINELLA,
            severity=Severity.ALTA,
            summary="Segnalazione",
            person_id=person_id,
            condominio_id=cond_id,
        )
        # meanwhile the building's sentinel answers "tutto bene": its transaction runs as far as it can
        answer = asyncio.create_task(
            receive_and_commit(
                pg_database.sessionmaker, params={"MessageSid": "SM" + "e" * 32, "From": SENTINEL, "Body": "tutto bene"}
            )
        )
        await asyncio.sleep(0.5)
        await asyncio.wait_for(commit(report), timeout=10)  # a deadlock would abort one of the two here
    message = await asyncio.wait_for(answer, timeout=10)
    assert message.state == InboundState.SMISTATO
    async with pg_database.sessionmaker() as session:
        assert len((await session.exec(select(Alert))).all()) == 1
        stored = (await session.exec(select(InboundSms))).one()
        assert (stored.state, stored.condominio_id) == (InboundState.SMISTATO, cond_id)


@pytest.mark.postgres_only
async def test_two_batches_reporting_on_two_people_of_one_building_in_opposite_orders_both_commit(
    pg_database: Database,
):
    """Raisers take the building's lock before the person's, so batches of one building queue, never cross."""
    async with pg_database.sessionmaker() as session:
        cond = await f.condominio(session)
        org = await f.org(session, OrgKind.MUNICIPIO)
        first, second = await f.person(session, org), await f.person(session, org)
        cond_id, people = cond.id, (first.id, second.id)
        await commit(session)

    async def report(session: object, person_id: int) -> None:
        await raise_alert(
            session,  # type: ignore[arg-type]
            source=AlertSource.SEGNALAZIONE_SENTINELLA,
            severity=Severity.ALTA,
            summary="Segnalazione",
            person_id=person_id,
            condominio_id=cond_id,
        )

    async def other_batch() -> None:
        async with pg_database.sessionmaker() as session:
            await report(session, people[1])
            await report(session, people[0])
            await commit(session)

    async with pg_database.sessionmaker() as batch:
        await report(batch, people[0])
        crossing = asyncio.create_task(other_batch())
        await asyncio.sleep(0.5)  # the other batch runs as far as the locks let it
        await report(batch, people[1])
        await asyncio.wait_for(commit(batch), timeout=10)  # a deadlock would abort one of the two
    await asyncio.wait_for(crossing, timeout=10)
    async with pg_database.sessionmaker() as session:
        alerts = (await session.exec(select(Alert))).all()
    assert sorted(a.person_id for a in alerts if a.person_id is not None) == sorted(people)
    assert all(a.report_count == 2 for a in alerts if a.person_id is not None)
