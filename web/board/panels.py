"""The board's side panels: overdue tasks, tasks done today, check-ins per condominio, heat-wave level,
opted-out sentinels, the operator's personal notifications, the SMS quarantine. Each reads the columns it
shows (Core statements, no ORM entity)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.checkins.models import CheckinRequest, CheckinSchedule, CheckinState
from alerts.checkins.service import heat_level
from alerts.models import Channel, Notification
from alerts.sms.models import InboundSms, InboundState
from alerts.sms.review import REVIEWERS
from centrale.audit.models import AuditAction
from centrale.audit.service import build_event, record
from centrale.auth.actor import Actor
from centrale.authz.policy import visibility_clause
from centrale.clock import to_rome, utcnow
from centrale.condomini.models import AssistedPerson, Condominio, Sentinel
from centrale.operators.models import Operator
from centrale.persons.models import Person
from centrale.tasks.models import Task, TaskState
from centrale.tasks.schedule import rome_day_bounds
from web.board.scope import condominio_clause
from web.board.shown import Shown

CHECKIN_DAY = timedelta(hours=24)
PERSONAL_SHOWN = 20
QUARANTINE_SHOWN = 50


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _task_line(row: Sequence[Any]) -> dict[str, Any]:
    task_id, task_type, title, due_end, closed_at, _person_id, cognome, nome, municipio, assignee = row
    return {
        "id": task_id,
        "type": task_type,
        "title": title,
        "due_end": _iso(due_end),
        "closed_at": _iso(closed_at),
        "person": f"{cognome} {nome[:1]}.",
        "municipio": municipio,
        "assignee": assignee,
    }


def _task_query() -> Select[*tuple[Any, ...]]:
    return (
        select(
            col(Task.id),
            col(Task.type),
            col(Task.title),
            col(Task.due_end),
            col(Task.closed_at),
            col(Task.person_id),
            col(Person.cognome),
            col(Person.nome),
            col(Person.municipio),
            col(Operator.full_name),
        )
        .join(Person, col(Person.id) == col(Task.person_id))
        .join(Operator, col(Operator.id) == col(Task.assignee_id))
    )


async def _tasks(session: AsyncSession, query: Select[*tuple[Any, ...]]) -> Sequence[Any]:
    return (await (await session.connection()).execute(query.limit(200))).all()


async def overdue_tasks(session: AsyncSession, actor: Actor, shown: Shown) -> list[dict[str, Any]]:
    """Open tasks past their due time, about people the actor may read (each a read of their data)."""
    rows = await _tasks(
        session,
        _task_query()
        .where(col(Task.state) == TaskState.APERTA, col(Task.due_end) < utcnow(), visibility_clause(actor))
        .order_by(col(Task.due_end)),
    )
    shown.add("overdue_tasks", (row[5] for row in rows))
    return [_task_line(row) for row in rows]


async def done_today(session: AsyncSession, actor: Actor, shown: Shown) -> list[dict[str, Any]]:
    """Tasks marked done since midnight in Rome, latest first, about people the actor may read."""
    today = to_rome(utcnow()).date()
    midnight, _ = rome_day_bounds(today, today)
    rows = await _tasks(
        session,
        _task_query()
        .where(col(Task.state) == TaskState.SVOLTA, col(Task.closed_at) >= midnight, visibility_clause(actor))
        .order_by(col(Task.closed_at).desc()),
    )
    shown.add("done_today", (row[5] for row in rows))
    return [_task_line(row) for row in rows]


_BUILDING = (col(Condominio.id), col(Condominio.name), col(Condominio.municipio), col(CheckinRequest.state))


async def checkins(session: AsyncSession, actor: Actor, shown: Shown) -> list[dict[str, Any]]:
    """Check-ins of the last 24 hours per condominio: answered, missing, waiting."""
    since = utcnow() - CHECKIN_DAY
    by_sentinel = (
        select(*_BUILDING, func.count())
        .join(CheckinSchedule, col(CheckinSchedule.id) == col(CheckinRequest.schedule_id))
        .join(Sentinel, col(Sentinel.id) == col(CheckinSchedule.sentinel_id))
        .join(Condominio, col(Condominio.id) == col(Sentinel.condominio_id))
        .where(col(CheckinRequest.due_at) >= since, condominio_clause(actor))
        .group_by(*_BUILDING)
    )
    by_person = (
        select(*_BUILDING, func.count())
        .join(CheckinSchedule, col(CheckinSchedule.id) == col(CheckinRequest.schedule_id))
        .join(AssistedPerson, col(AssistedPerson.person_id) == col(CheckinSchedule.person_id))
        .join(Condominio, col(Condominio.id) == col(AssistedPerson.condominio_id))
        .where(col(CheckinRequest.due_at) >= since, col(AssistedPerson.active).is_(True), condominio_clause(actor))
        .group_by(*_BUILDING)
    )
    connection = await session.connection()
    counts: dict[int, dict[str, Any]] = {}
    tally: dict[int, dict[str, int]] = defaultdict(lambda: {s.value: 0 for s in CheckinState})
    for query in (by_sentinel, by_person):
        for condominio_id, name, municipio, state, n in (await connection.execute(query)).all():
            key = int(condominio_id or 0)
            counts[key] = {"condominio_id": key, "condominio": name, "municipio": municipio}
            tally[key][state] += n
    return [
        counts[i] | {"answered": tally[i]["RISPOSTO"], "missing": tally[i]["MANCATO"], "waiting": tally[i]["IN_ATTESA"]}
        for i in sorted(counts)
    ]


async def heat(session: AsyncSession, actor: Actor, shown: Shown) -> dict[str, Any]:
    """The heat-wave level in force (0 none, 1 pre-alert, 2 risk, 3 heat wave)."""
    row = await heat_level(session)
    return {"level": 0 if row is None else row.level, "set_at": _iso(row.set_at) if row else None}


async def opted_out_sentinels(session: AsyncSession, actor: Actor, shown: Shown) -> list[dict[str, Any]]:
    """Sentinels who said STOP, in the buildings the actor sees (no full phone number on the board)."""
    query = (
        select(
            col(Sentinel.id),
            col(Sentinel.name),
            col(Sentinel.phone),
            col(Condominio.id),
            col(Condominio.name),
            col(Condominio.municipio),
            col(Sentinel.opted_out_at),
        )
        .join(Condominio, col(Condominio.id) == col(Sentinel.condominio_id))
        .where(col(Sentinel.opted_out).is_(True), col(Sentinel.deleted_at).is_(None), condominio_clause(actor))
        .order_by(col(Sentinel.opted_out_at))
    )
    rows = (await (await session.connection()).execute(query)).all()
    return [
        {
            "id": sentinel_id,
            "name": name,
            "phone_end": phone[-3:],
            "condominio_id": condominio_id,
            "condominio": condominio,
            "municipio": municipio,
            "opted_out_at": _iso(opted_out_at),
        }
        for sentinel_id, name, phone, condominio_id, condominio, municipio, opted_out_at in rows
    ]


async def personal_notifications(session: AsyncSession, actor: Actor, shown: Shown) -> list[dict[str, Any]]:
    """The last notifications the escalation sent to this operator's own channel (so they survive a reload)."""
    query = (
        select(col(Notification.id), col(Notification.alert_id), col(Notification.body), col(Notification.created_at))
        .where(
            col(Notification.recipient_operator_id) == actor.operator_id,
            col(Notification.channel) == Channel.PERSONALE,
        )
        .order_by(col(Notification.id).desc())
        .limit(PERSONAL_SHOWN)
    )
    rows = (await (await session.connection()).execute(query)).all()
    return [{"id": n_id, "alert_id": alert_id, "text": body, "at": _iso(at)} for n_id, alert_id, body, at in rows]


async def quarantine(session: AsyncSession, actor: Actor, shown: Shown) -> dict[str, Any] | None:
    """Messages from unknown numbers waiting for an operator's decision (for those who review them):
    how many, and the newest; every showing is audited like the quarantine's list."""
    if actor.role not in REVIEWERS:
        return None
    waiting = col(InboundSms.state) == InboundState.QUARANTENA
    connection = await session.connection()
    count = (await connection.execute(select(func.count()).select_from(InboundSms).where(waiting))).scalar_one()
    rows = (
        await connection.execute(
            select(
                col(InboundSms.id),
                col(InboundSms.sender_phone),
                col(InboundSms.from_number),
                col(InboundSms.body),
                col(InboundSms.received_at),
                col(InboundSms.alert_id),
            )
            .where(waiting)
            .order_by(col(InboundSms.id).desc())
            .limit(QUARANTINE_SHOWN)
        )
    ).all()
    if rows:
        record(
            session,
            build_event(
                agent=actor.agent(),
                action=AuditAction.READ,
                subtype="sms.quarantine.list",
                entity_type="InboundSms",
                entity_id="quarantena",
                person_id=None,
            ),
        )
    return {
        "count": int(count),
        "items": [
            {"id": i, "phone": phone or raw, "text": body, "at": _iso(at), "alert_id": alert_id}
            for i, phone, raw, body, at, alert_id in rows
        ],
    }
