"""Reminders once and only for open tasks; overdue tasks raise an alert that escalates; plan alerts once."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import time_machine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.escalation.engine import tick
from alerts.escalation.service import seed_default_policies
from alerts.models import Alert, AlertSource, AlertState, Channel, Notification, Severity
from alerts.monitoring import (
    PlanDates,
    monitoring_tick,
    raise_plan_alerts,
    record_due_reminders,
    send_pending_reminder_sms,
)
from alerts.tasks.flows import close_task as close_flow
from centrale.auth.actor import actor_of
from centrale.clock import ROME
from centrale.db import Database
from centrale.events.models import Event
from centrale.events.service import commit
from centrale.tasks.models import (
    ClosedVia,
    ReminderChannel,
    ReminderState,
    Task,
    TaskCreate,
    TaskReminder,
    TaskState,
    TaskType,
)
from centrale.tasks.service import close_task, create_task
from centrale.uow import Tx
from integrations.console_sms import ConsoleSmsSender
from tests.centrale.tasks.helpers import Team, team

DAY = datetime(2027, 5, 4, 0, 0, tzinfo=ROME)  # a Tuesday
TEN = DAY.replace(hour=10)
LEAD = timedelta(minutes=60)


async def _visit(session: AsyncSession, t: Team) -> int:
    task = await create_task(
        session,
        data=TaskCreate(
            person_id=t.person.id or 0,
            type=TaskType.VISITA_DOMICILIARE,
            assignee_id=t.tutor.id or 0,
            due_start=TEN,
            due_end=TEN + timedelta(hours=2),
        ),
        created_by_id=t.coordinatore.id,
    )
    await commit(session)
    assert task.id is not None
    return task.id


async def _prefer_sms(session: AsyncSession, t: Team) -> None:
    t.tutor.prefers_sms = True
    session.add(t.tutor)
    await commit(session)


async def _reminders(database: Database) -> list[TaskReminder]:
    async with database.sessionmaker() as s:
        return list((await s.exec(select(TaskReminder).order_by(col(TaskReminder.id)))).all())


async def _reminder_events(database: Database) -> list[Event]:
    async with database.sessionmaker() as s:
        return list((await s.exec(select(Event).where(col(Event.kind) == "task.reminder"))).all())


async def test_a_reminder_is_sent_exactly_once(database: Database, session: AsyncSession):
    t = await team(session)
    await _prefer_sms(session, t)
    await _visit(session, t)
    sms = ConsoleSmsSender()
    with time_machine.travel(TEN - LEAD - timedelta(seconds=1), tick=False) as clock:
        assert (await monitoring_tick(database, sender=sms, reminder_lead=LEAD)).reminders == 0
        clock.move_to(TEN - LEAD)
        assert (await monitoring_tick(database, sender=sms, reminder_lead=LEAD)).reminders == 1
        for minutes in (1, 20, 59):
            clock.move_to(TEN - LEAD + timedelta(minutes=minutes))
            assert (await monitoring_tick(database, sender=sms, reminder_lead=LEAD)).reminders == 0
    assert [m.to for m in sms.sent] == [t.tutor.phone]
    assert "FATTO" in sms.sent[0].body and "Bianchi" not in sms.sent[0].body
    reminders = await _reminders(database)
    assert [(r.channel, r.state) for r in reminders] == [
        (ReminderChannel.PERSONALE, ReminderState.INVIATA),
        (ReminderChannel.SMS, ReminderState.INVIATA),
    ]
    events = await _reminder_events(database)
    assert [e.recipient_operator_id for e in events] == [t.tutor.id]


async def test_a_task_closed_before_its_reminder_time_sends_none(database: Database, session: AsyncSession):
    t = await team(session)
    await _prefer_sms(session, t)
    task_id = await _visit(session, t)
    sms = ConsoleSmsSender()
    with time_machine.travel(TEN - timedelta(hours=2), tick=False) as clock:
        await close_task(session, task_id=task_id, operator_id=t.tutor.id or 0, note="anticipata")
        await commit(session)
        for moment in (TEN - LEAD, TEN, TEN + timedelta(hours=3)):
            clock.move_to(moment)
            result = await monitoring_tick(database, sender=sms, reminder_lead=LEAD)
            assert result.reminders == 0 and result.overdue_alerts == []
    assert sms.sent == []
    assert await _reminders(database) == []
    assert await _reminder_events(database) == []


async def test_a_reminder_recorded_but_not_yet_sent_is_dropped_when_the_task_is_closed(
    database: Database, session: AsyncSession
):
    t = await team(session)
    await _prefer_sms(session, t)
    task_id = await _visit(session, t)
    sms = ConsoleSmsSender()
    with time_machine.travel(TEN - LEAD, tick=False):
        assert await record_due_reminders(database, lead=LEAD) == 1
        await close_task(session, task_id=task_id, operator_id=t.tutor.id or 0)
        await commit(session)
        await send_pending_reminder_sms(database, sender=sms)
    assert sms.sent == []
    sms_rows = [r for r in await _reminders(database) if r.channel == ReminderChannel.SMS]
    assert [r.state for r in sms_rows] == [ReminderState.ANNULLATA]


async def _notified(database: Database, alert_id: int) -> list[tuple[int, Channel, int | None]]:
    async with database.sessionmaker() as s:
        rows = await s.exec(
            select(Notification).where(col(Notification.alert_id) == alert_id).order_by(col(Notification.id))
        )
        return [(n.step_index, n.channel, n.recipient_operator_id) for n in rows.all()]


async def test_overdue_task_raises_an_alert_at_the_end_of_its_window_and_escalates(
    database: Database, session: AsyncSession
):
    t = await team(session)
    await seed_default_policies(session)
    task_id = await _visit(session, t)
    sms = ConsoleSmsSender()
    end = TEN + timedelta(hours=2)
    with time_machine.travel(end - timedelta(seconds=1), tick=False) as clock:
        assert (await monitoring_tick(database, sender=sms, reminder_lead=LEAD)).overdue_alerts == []
        clock.move_to(end)
        raised = (await monitoring_tick(database, sender=sms, reminder_lead=LEAD)).overdue_alerts
        assert len(raised) == 1
        alert_id = raised[0]
        assert (await monitoring_tick(database, sender=sms, reminder_lead=LEAD)).overdue_alerts == []
        # the escalation engine takes it from here: tutor, then case manager, then coordinatore
        assert (await tick(database, sender=sms, instance="t")).steps_run == 1
        clock.move_to(end + timedelta(minutes=59))
        assert (await tick(database, sender=sms, instance="t")).steps_run == 0
        clock.move_to(end + timedelta(minutes=60))
        assert (await tick(database, sender=sms, instance="t")).steps_run == 1
        clock.move_to(end + timedelta(minutes=300))
        assert (await tick(database, sender=sms, instance="t")).steps_run == 1
        # recorded late at last: the alert is resolved with it, nothing more to chase, no tick needed
        clock.move_to(end + timedelta(minutes=320))
        tutor = await actor_of(session, t.tutor.id or 0)
        async with Tx.open(database, actor=tutor) as tx:
            await close_flow(tx, task_id=task_id, note="svolta in ritardo", via=ClosedVia.PAGINA)
            await tx.commit()
        clock.move_to(end + timedelta(minutes=600))
        assert (await tick(database, sender=sms, instance="t")).steps_run == 0
    async with database.sessionmaker() as s:
        alert = await s.get(Alert, alert_id)
        task = await s.get(Task, task_id)
    assert alert is not None and task is not None
    assert (alert.source, alert.severity, alert.person_id) == (
        AlertSource.ATTIVITA_SCADUTA,
        Severity.BASSA,
        t.person.id,
    )
    assert alert.opened_at == end
    assert alert.state == AlertState.RISOLTA
    assert task.overdue_alert_id == alert_id and task.state == TaskState.SVOLTA
    # both tutors follow a building where the person is assisted: both are the "tutor" step
    assert sorted(await _notified(database, alert_id), key=str) == sorted(
        [
            (0, Channel.BACHECA, None),
            (0, Channel.PERSONALE, t.tutor.id),
            (0, Channel.PERSONALE, t.substitute.id),
            (1, Channel.PERSONALE, t.case_manager.id),
            (2, Channel.PERSONALE, t.coordinatore.id),
        ],
        key=str,
    )


async def test_plan_alerts_are_raised_once_each(database: Database, session: AsyncSession):
    t = await team(session)
    await seed_default_policies(session)
    plan = PlanDates(
        plan_id=7, person_id=t.person.id or 0, case_id=None, review_due=date(2027, 5, 10), planned_end=date(2027, 5, 20)
    )
    with time_machine.travel(datetime(2027, 5, 9, 9, 0, tzinfo=ROME), tick=False) as clock:
        assert await raise_plan_alerts(database, plans=[plan]) == []
        clock.move_to(datetime(2027, 5, 10, 9, 0, tzinfo=ROME))
        review = await raise_plan_alerts(database, plans=[plan])
        assert len(review) == 1
        assert await raise_plan_alerts(database, plans=[plan]) == []
        clock.move_to(datetime(2027, 5, 13, 9, 0, tzinfo=ROME))  # 7 days before the end
        soon = await raise_plan_alerts(database, plans=[plan])
        assert len(soon) == 1
        clock.move_to(datetime(2027, 5, 14, 9, 0, tzinfo=ROME))
        assert await raise_plan_alerts(database, plans=[plan]) == []
        clock.move_to(datetime(2027, 5, 21, 9, 0, tzinfo=ROME))
        passed = await raise_plan_alerts(database, plans=[plan])
        assert len(passed) == 1
        assert await raise_plan_alerts(database, plans=[plan]) == []
    async with database.sessionmaker() as s:
        alerts = (await s.exec(select(Alert).order_by(col(Alert.id)))).all()
    assert [a.source for a in alerts] == [AlertSource.REVISIONE_PIANO] * 3
    assert ["monitoraggio degli obiettivi" in alerts[0].summary, "7 giorni" in alerts[1].summary] == [True, True]
    assert "superata" in alerts[2].summary
