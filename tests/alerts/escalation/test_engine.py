"""Escalation in time: steps at the policy's times, acknowledgement stops them, timeouts re-trigger."""

from __future__ import annotations

from datetime import datetime, timedelta

import time_machine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.escalation.engine import claim_due_steps, run_step, tick
from alerts.models import Alert, AlertSource, AlertState, Channel, DeliveryState, Notification, Severity
from alerts.raising import raise_alert
from alerts.service import acknowledge
from centrale.clock import ROME
from centrale.db import Database
from centrale.events.service import commit
from integrations.console_sms import ConsoleSmsSender
from tests.alerts.escalation.helpers import District, district, three_step_policy

T0 = datetime(2025, 3, 4, 10, 0, tzinfo=ROME)  # a Tuesday


async def _raise(session: AsyncSession, d: District) -> int:
    raised = await raise_alert(
        session,
        source=AlertSource.SEGNALAZIONE_SENTINELLA,
        severity=Severity.ALTA,
        summary="Non risponde",
        person_id=d.person.id,
    )
    await commit(session)
    assert raised.alert.id is not None
    return raised.alert.id


async def _notifications(database: Database, alert_id: int) -> list[Notification]:
    async with database.sessionmaker() as s:
        rows = await s.exec(
            select(Notification).where(col(Notification.alert_id) == alert_id).order_by(col(Notification.id))
        )
        return list(rows.all())


async def _tick(database: Database, sms: ConsoleSmsSender) -> int:
    return (await tick(database, sender=sms, instance="test")).steps_run


async def test_steps_one_two_three_at_the_policy_times(database: Database, session: AsyncSession):
    d = await district(session)
    await three_step_policy(session)
    sms = ConsoleSmsSender()
    with time_machine.travel(T0, tick=False) as clock:
        alert_id = await _raise(session, d)
        assert await _tick(database, sms) == 1
        assert [m.to for m in sms.sent] == [d.tutor.phone]
        clock.move_to(T0 + timedelta(minutes=4, seconds=59))
        assert await _tick(database, sms) == 0
        clock.move_to(T0 + timedelta(minutes=5))
        assert await _tick(database, sms) == 1
        assert [m.to for m in sms.sent] == [d.tutor.phone, d.coordinatore.phone]
        clock.move_to(T0 + timedelta(minutes=14, seconds=59))
        assert await _tick(database, sms) == 0
        clock.move_to(T0 + timedelta(minutes=15))
        assert await _tick(database, sms) == 1
        clock.move_to(T0 + timedelta(hours=3))
        assert await _tick(database, sms) == 0
    assert [m.to for m in sms.sent] == [d.tutor.phone, d.coordinatore.phone, d.pua.phone]
    sent = await _notifications(database, alert_id)
    assert [(n.step_index, n.channel, n.recipient_operator_id) for n in sent] == [
        (0, Channel.PERSONALE, d.tutor.id),
        (0, Channel.SMS, d.tutor.id),
        (1, Channel.BACHECA, None),
        (1, Channel.SMS, d.coordinatore.id),
        (2, Channel.SMS, d.pua.id),
    ]
    assert all(n.state == DeliveryState.INVIATA for n in sent)
    assert "Rispondi OK" in sms.sent[0].body and "Non risponde" not in sms.sent[0].body


async def test_acknowledgement_cancels_what_remains(database: Database, session: AsyncSession):
    d = await district(session)
    await three_step_policy(session)
    sms = ConsoleSmsSender()
    with time_machine.travel(T0, tick=False) as clock:
        alert_id = await _raise(session, d)
        # the step is recorded but its SMS not yet sent when the acknowledgement commits
        assert await claim_due_steps(database, instance="test", lease=timedelta(seconds=30)) == [alert_id]
        assert await run_step(database, alert_id=alert_id, instance="test")
        clock.move_to(T0 + timedelta(minutes=1))
        await acknowledge(session, alert_id=alert_id, operator_id=d.tutor.id)
        await commit(session)
        for minutes in (2, 5, 15, 29):
            clock.move_to(T0 + timedelta(minutes=minutes))
            assert await _tick(database, sms) == 0
    assert sms.sent == []
    states = {(n.channel, n.state) for n in await _notifications(database, alert_id)}
    assert states == {(Channel.PERSONALE, DeliveryState.INVIATA), (Channel.SMS, DeliveryState.ANNULLATA)}


async def test_acknowledgement_without_resolution_retriggers(database: Database, session: AsyncSession):
    d = await district(session)
    await three_step_policy(session, ack_minutes=30)
    sms = ConsoleSmsSender()
    with time_machine.travel(T0, tick=False) as clock:
        alert_id = await _raise(session, d)
        await _tick(database, sms)
        clock.move_to(T0 + timedelta(minutes=2))
        await acknowledge(session, alert_id=alert_id, operator_id=d.tutor.id)
        await commit(session)
        clock.move_to(T0 + timedelta(minutes=31, seconds=59))
        assert await _tick(database, sms) == 0
        clock.move_to(T0 + timedelta(minutes=32))
        result = await tick(database, sender=sms, instance="test")
        assert result.retriggered == 1 and result.steps_run == 1
    async with database.sessionmaker() as s:
        alert = await s.get(Alert, alert_id)
        assert alert is not None
        assert alert.state == AlertState.NUOVA and alert.escalation_round == 2
    assert [m.to for m in sms.sent] == [d.tutor.phone, d.tutor.phone]
    assert [
        (n.escalation_round, n.step_index) for n in await _notifications(database, alert_id) if n.channel == Channel.SMS
    ] == [(1, 0), (2, 0)]


async def _office_case(database: Database, session: AsyncSession, opened: datetime, opens: datetime) -> None:
    d = await district(session)
    await three_step_policy(session, office_first=True)
    sms = ConsoleSmsSender()
    with time_machine.travel(opened, tick=False) as clock:
        alert_id = await _raise(session, d)
        assert await _tick(database, sms) == 0
        clock.move_to(opens - timedelta(seconds=1))
        assert await _tick(database, sms) == 0
        clock.move_to(opens)
        assert await _tick(database, sms) == 1
    async with database.sessionmaker() as s:
        alert = await s.get(Alert, alert_id)
        assert alert is not None and alert.next_step_index == 1
    assert [m.to for m in sms.sent] == [d.tutor.phone]


async def test_office_hours_step_waits_from_saturday_to_monday_eight(database: Database, session: AsyncSession):
    await _office_case(
        database, session, datetime(2025, 3, 8, 10, 0, tzinfo=ROME), datetime(2025, 3, 10, 8, 0, tzinfo=ROME)
    )


async def test_office_hours_step_skips_rome_patron_saints_day(database: Database, session: AsyncSession):
    # 29 June 2026 is a Monday, closed in Rome (Santi Pietro e Paolo)
    await _office_case(
        database, session, datetime(2026, 6, 29, 10, 0, tzinfo=ROME), datetime(2026, 6, 30, 8, 0, tzinfo=ROME)
    )


async def test_definite_sms_failure_moves_on_to_the_next_step(database: Database, session: AsyncSession):
    d = await district(session)
    await three_step_policy(session)
    assert d.tutor.phone is not None
    sms = ConsoleSmsSender(fail_numbers={d.tutor.phone})
    with time_machine.travel(T0, tick=False):
        alert_id = await _raise(session, d)
        assert await _tick(database, sms) == 1  # step 1; its SMS fails
        assert await _tick(database, sms) == 1  # step 2 at once, not after 5 minutes
    assert [m.to for m in sms.sent] == [d.coordinatore.phone]
    failed = [n for n in await _notifications(database, alert_id) if n.state == DeliveryState.FALLITA]
    assert [(n.step_index, n.recipient_operator_id) for n in failed] == [(0, d.tutor.id)]


async def test_escalation_sms_expire_after_ten_minutes(database: Database, session: AsyncSession):
    d = await district(session)
    await three_step_policy(session)
    sms = ConsoleSmsSender()
    await _raise(session, d)
    assert await _tick(database, sms) == 1
    assert [(m.to, m.validity_seconds) for m in sms.sent] == [(d.tutor.phone, 600)]
