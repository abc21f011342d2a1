"""Monitoring jobs: reminders before a task is due, alerts for overdue tasks and for plans' dates.

Every instance runs ``monitoring_tick`` (beside the escalation tick; tests call it with a travelled
clock). Each piece of work is claimed with ``FOR UPDATE SKIP LOCKED`` and marked on the claimed row
in the same transaction, so several instances do it once; unique keys (reminder per task and
channel, plan alert per plan, kind and date) are the last guard.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from alerts.models import AlertSource, Severity
from alerts.raising import raise_alert
from centrale.clock import to_rome, utcnow
from centrale.db import Database
from centrale.events.service import commit
from centrale.flows import flow
from centrale.operators.models import Operator
from centrale.ports import OutgoingSms, SmsSender
from centrale.tasks.models import (
    PlanAlertKind,
    PlanAlertMark,
    ReminderChannel,
    ReminderState,
    Task,
    TaskReminder,
    TaskState,
    TaskType,
)
from centrale.tasks.plans import PlanDates, active_plan_dates, generate_for_active_plans
from centrale.tasks.service import personal_event, task_event

log = logging.getLogger(__name__)

TYPE_WORDS = {
    TaskType.VISITA_DOMICILIARE: "visita domiciliare",
    TaskType.TELEFONATA: "telefonata",
    TaskType.ACCOMPAGNAMENTO: "accompagnamento",
    TaskType.CONSEGNA_FARMACI: "consegna",  # no health words in an SMS
    TaskType.CONTROLLO_CONDOMINIO: "controllo condominio",
    TaskType.VERIFICA_SEGNALAZIONE: "verifica segnalazione",
    TaskType.ALTRO: "attività",
}


def reminder_text(task: Task) -> str:
    """GSM-7, codes and words only: no name, no health data."""
    local = to_rome(task.due_start)
    return (
        f"Centrale Operativa: promemoria {TYPE_WORDS[task.type]} {local:%d/%m} ore {local:%H:%M}, "
        f"codice {task.code}. Quando svolta rispondi FATTO {task.code}"
    )


async def record_due_reminders(database: Database, *, lead: timedelta, batch: int = 200) -> int:
    """Record (once) the reminders of open tasks whose reminder time has come; the personal one goes at once."""
    async with database.sessionmaker() as session:
        now = utcnow()
        tasks = (
            await session.exec(
                select(Task)
                .where(
                    col(Task.state) == TaskState.APERTA,
                    col(Task.reminded_at).is_(None),
                    col(Task.due_start) <= now + lead,
                    col(Task.due_end) > now,  # past the window the overdue alert takes over
                )
                .order_by(col(Task.due_start))
                .limit(batch)
                .with_for_update(skip_locked=True)
            )
        ).all()
        for task in tasks:
            assignee = await session.get(Operator, task.assignee_id)
            assert task.id is not None and assignee is not None and assignee.id is not None
            task.reminded_at = now
            session.add(task)
            text = reminder_text(task)
            session.add(
                TaskReminder(
                    task_id=task.id,
                    channel=ReminderChannel.PERSONALE,
                    operator_id=assignee.id,
                    body=text,
                    state=ReminderState.INVIATA,
                    sent_at=now,
                )
            )
            personal_event(
                session,
                operator_id=assignee.id,
                kind="task.reminder",
                payload={"task_id": task.id, "code": task.code, "text": text},
            )
            if assignee.prefers_sms:
                missing = None if assignee.phone else "nessun telefono / no phone"
                session.add(
                    TaskReminder(
                        task_id=task.id,
                        channel=ReminderChannel.SMS,
                        operator_id=assignee.id,
                        to_phone=assignee.phone,
                        body=text,
                        error=missing,
                        state=ReminderState.FALLITA if missing else ReminderState.IN_ATTESA,
                    )
                )
        await commit(session)
        return len(tasks)


async def _claim_sms(database: Database, reminder_id: int) -> TaskReminder | None:
    """IN_ATTESA -> IN_INVIO, unless the task was closed meanwhile (then the reminder is dropped)."""
    async with database.sessionmaker() as session:
        reminder = (
            await session.exec(
                select(TaskReminder)
                .where(col(TaskReminder.id) == reminder_id, col(TaskReminder.state) == ReminderState.IN_ATTESA)
                .with_for_update(skip_locked=True)
            )
        ).first()
        if reminder is None:
            return None
        task = await session.get(Task, reminder.task_id)
        if task is None or task.state != TaskState.APERTA:
            reminder.state = ReminderState.ANNULLATA
            session.add(reminder)
            await commit(session)
            return None
        reminder.state, reminder.sent_at = ReminderState.IN_INVIO, utcnow()
        session.add(reminder)
        await commit(session)
        return reminder


async def send_pending_reminder_sms(database: Database, *, sender: SmsSender, batch: int = 200) -> dict[str, int]:
    """Send the recorded reminder SMS (no network call inside a transaction)."""
    counts: Counter[str] = Counter()
    async with database.sessionmaker() as session:
        ids = (
            await session.exec(
                select(col(TaskReminder.id))
                .where(
                    col(TaskReminder.channel) == ReminderChannel.SMS,
                    col(TaskReminder.state) == ReminderState.IN_ATTESA,
                )
                .order_by(col(TaskReminder.id))
                .limit(batch)
            )
        ).all()
    for reminder_id in ids:
        reminder = await _claim_sms(database, int(reminder_id or 0))
        if reminder is None:
            counts["skipped"] += 1
            continue
        assert reminder.to_phone is not None
        error: str | None
        try:
            result = await sender.send(
                OutgoingSms(to=reminder.to_phone, body=reminder.body, key=f"task-reminder.{reminder.task_id}")
            )
            ok = result.error is None and result.status not in {"failed", "undelivered"}
            provider_id, error = result.provider_id, result.error
        except Exception as exc:  # never re-sent blindly: a reminder is not worth a duplicate
            log.warning("SMS transport error for task reminder %s: %s", reminder.id, type(exc).__name__)
            ok, provider_id, error = False, None, type(exc).__name__
        async with database.sessionmaker() as session:
            row = await session.get(TaskReminder, reminder.id)
            assert row is not None
            row.state = ReminderState.INVIATA if ok else ReminderState.FALLITA
            row.provider_id, row.error = provider_id, error[:300] if error else None
            session.add(row)
            await commit(session)
        counts["sent" if ok else "failed"] += 1
    return dict(counts)


async def raise_overdue_alerts(database: Database, *, batch: int = 100) -> list[int]:
    """An open task past the end of its window raises one low-urgency alert (escalated by the engine)."""
    async with database.sessionmaker() as session:
        now = utcnow()
        tasks = (
            await session.exec(
                select(Task)
                .where(
                    col(Task.state) == TaskState.APERTA,
                    col(Task.due_end) <= now,
                    col(Task.overdue_alert_id).is_(None),
                )
                .order_by(col(Task.due_end))
                .limit(batch)
                .with_for_update(skip_locked=True)
            )
        ).all()
        raised: list[int] = []
        for task in tasks:
            local = to_rome(task.due_end)
            summary = f"Attività {task.code} non registrata entro le {local:%H:%M} del {local:%d/%m}"
            alert = (
                await raise_alert(
                    session,
                    source=AlertSource.ATTIVITA_SCADUTA,
                    severity=Severity.BASSA,
                    summary=summary,
                    person_id=task.person_id,
                    case_id=task.case_id,
                    dedupe_key=f"task:{task.id}",
                    report={"task_id": task.id, "code": task.code},
                    now=now,
                )
            ).alert
            assert alert.id is not None
            task.overdue_alert_id = alert.id
            task.updated_at = now
            session.add(task)
            task_event(session, task, "task.overdue", alert_id=alert.id)
            raised.append(alert.id)
        await commit(session)
        return raised


PLAN_WORDS = {
    PlanAlertKind.REVISIONE_DOVUTA: "monitoraggio degli obiettivi necessario",
    PlanAlertKind.FINE_SUPERATA: "data di fine prevista superata",
    PlanAlertKind.FINE_TRA_7_GIORNI: "fine prevista tra 7 giorni",
}


def plan_alerts_due(plan: PlanDates, *, today: date, warning_days: int = 7) -> list[tuple[PlanAlertKind, date]]:
    """Which plan alerts apply today, each with the date that keys it (so each is raised once)."""
    due: list[tuple[PlanAlertKind, date]] = []
    if plan.review_due is not None and plan.review_due <= today:
        due.append((PlanAlertKind.REVISIONE_DOVUTA, plan.review_due))
    if plan.planned_end is not None:
        if plan.planned_end < today:
            due.append((PlanAlertKind.FINE_SUPERATA, plan.planned_end))
        elif plan.planned_end - timedelta(days=warning_days) <= today:
            due.append((PlanAlertKind.FINE_TRA_7_GIORNI, plan.planned_end))
    return due


async def raise_plan_alerts(database: Database, *, plans: Iterable[PlanDates], warning_days: int = 7) -> list[int]:
    """Review due, planned end passed, planned end within the warning days: one alert each, once."""
    raised: list[int] = []
    now = utcnow()
    today = to_rome(now).date()
    for plan in plans:
        for kind, on_date in plan_alerts_due(plan, today=today, warning_days=warning_days):
            async with database.sessionmaker() as session:
                mark = (
                    await session.exec(
                        select(PlanAlertMark).where(
                            col(PlanAlertMark.plan_id) == plan.plan_id,
                            col(PlanAlertMark.kind) == kind,
                            col(PlanAlertMark.on_date) == on_date,
                        )
                    )
                ).first()
                if mark is not None:
                    continue
                alert = (
                    await raise_alert(
                        session,
                        source=AlertSource.REVISIONE_PIANO,
                        severity=Severity.BASSA,
                        summary=f"Piano {plan.plan_id}: {PLAN_WORDS[kind]} ({on_date:%d/%m/%Y})",
                        person_id=plan.person_id,
                        case_id=plan.case_id,
                        dedupe_key=f"plan:{plan.plan_id}:{kind}:{on_date.isoformat()}",
                        now=now,
                    )
                ).alert
                session.add(PlanAlertMark(plan_id=plan.plan_id, kind=kind, on_date=on_date, alert_id=alert.id))
                try:
                    await commit(session)  # the unique key: another instance raced us, theirs stands
                except IntegrityError:
                    await session.rollback()
                    continue
                assert alert.id is not None
                raised.append(alert.id)
    return raised


@dataclass
class MonitoringResult:
    reminders: int = 0
    sms: dict[str, int] = field(default_factory=dict)
    overdue_alerts: list[int] = field(default_factory=list)


@flow("monitoring.tick", guarded=False)
async def monitoring_tick(
    database: Database, *, sender: SmsSender, reminder_lead: timedelta = timedelta(minutes=60)
) -> MonitoringResult:
    """One pass: reminders, their SMS, overdue alerts.

    A late task recorded at last resolves its overdue alert in its own transaction (``task.close``),
    so no pass here looks for closed tasks."""
    result = MonitoringResult()
    result.reminders = await record_due_reminders(database, lead=reminder_lead)
    result.sms = await send_pending_reminder_sms(database, sender=sender)
    result.overdue_alerts = await raise_overdue_alerts(database)
    return result


@flow("plans.generate_tasks", guarded=False)
async def plan_pass(
    database: Database, *, horizon: timedelta = timedelta(days=14), warning_days: int = 7
) -> tuple[int, list[int]]:
    """The slower pass: tasks from active plans over the horizon, then the plans' date alerts."""
    async with database.sessionmaker() as session:
        generated = await generate_for_active_plans(session, horizon=horizon)
        await commit(session)
        plans = await active_plan_dates(session)
    return len(generated.created), await raise_plan_alerts(database, plans=plans, warning_days=warning_days)
