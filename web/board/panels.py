"""The board's side panels: overdue tasks, tasks done today, check-ins per condominio, heat-wave level,
opted-out sentinels."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.checkins.models import CheckinRequest, CheckinSchedule, CheckinState
from alerts.checkins.service import heat_level
from centrale.audit.models import AuditAction
from centrale.audit.service import build_event, record
from centrale.auth.deps import Actor
from centrale.authz.policy import visibility_clause
from centrale.clock import to_rome, utcnow
from centrale.condomini.models import AssistedPerson, Condominio, Sentinel
from centrale.operators.models import Operator
from centrale.persons.models import Person
from centrale.tasks.models import Task, TaskState
from centrale.tasks.schedule import rome_day_bounds
from web.board.scope import condominio_clause

CHECKIN_DAY = timedelta(hours=24)


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _task_line(task: Task, person: Person, operator: Operator) -> dict[str, Any]:
    return {
        "id": task.id,
        "type": task.type,
        "title": task.title,
        "due_end": _iso(task.due_end),
        "closed_at": _iso(task.closed_at),
        "person": f"{person.cognome} {person.nome[:1]}.",
        "municipio": person.municipio,
        "assignee": operator.full_name,
    }


def _audit_tasks(session: AsyncSession, actor: Actor, tasks: list[Task], subtype: str) -> None:
    """One audit row per person whose task reached this operator's board panel."""
    seen: set[int] = set()
    for task in tasks:
        if task.person_id in seen:
            continue
        seen.add(task.person_id)
        record(
            session,
            build_event(
                agent=actor.agent(),
                action=AuditAction.READ,
                subtype=subtype,
                entity_type="Task",
                entity_id=task.id,
                person_id=task.person_id,
            ),
        )


def _task_query():  # type: ignore[no-untyped-def]
    return (
        select(Task, Person, Operator)  # type: ignore[call-overload]
        .join(Person, col(Person.id) == col(Task.person_id))
        .join(Operator, col(Operator.id) == col(Task.assignee_id))
    )


async def overdue_tasks(session: AsyncSession, actor: Actor) -> list[dict[str, Any]]:
    """Open tasks past their due time, about people the actor may read."""
    rows = (
        await session.exec(
            _task_query()
            .where(col(Task.state) == TaskState.APERTA, col(Task.due_end) < utcnow(), visibility_clause(actor))
            .order_by(col(Task.due_end))
            .limit(200)
        )
    ).all()
    _audit_tasks(session, actor, [task for task, _, _ in rows], "board-overdue-tasks")
    return [_task_line(*row) for row in rows]


async def done_today(session: AsyncSession, actor: Actor) -> list[dict[str, Any]]:
    """Tasks marked done since midnight in Rome, latest first, about people the actor may read."""
    today = to_rome(utcnow()).date()
    midnight, _ = rome_day_bounds(today, today)
    rows = (
        await session.exec(
            _task_query()
            .where(col(Task.state) == TaskState.SVOLTA, col(Task.closed_at) >= midnight, visibility_clause(actor))
            .order_by(col(Task.closed_at).desc())
            .limit(200)
        )
    ).all()
    _audit_tasks(session, actor, [task for task, _, _ in rows], "board-done-tasks")
    return [_task_line(*row) for row in rows]


async def checkins(session: AsyncSession, actor: Actor) -> list[dict[str, Any]]:
    """Check-ins of the last 24 hours per condominio: answered, missing, waiting."""
    since = utcnow() - CHECKIN_DAY
    by_sentinel = await session.exec(
        select(Condominio, CheckinRequest.state)  # type: ignore[call-overload]
        .join(CheckinSchedule, col(CheckinSchedule.id) == col(CheckinRequest.schedule_id))
        .join(Sentinel, col(Sentinel.id) == col(CheckinSchedule.sentinel_id))
        .join(Condominio, col(Condominio.id) == col(Sentinel.condominio_id))
        .where(col(CheckinRequest.due_at) >= since, condominio_clause(actor))
    )
    by_person = await session.exec(
        select(Condominio, CheckinRequest.state)  # type: ignore[call-overload]
        .join(CheckinSchedule, col(CheckinSchedule.id) == col(CheckinRequest.schedule_id))
        .join(AssistedPerson, col(AssistedPerson.person_id) == col(CheckinSchedule.person_id))
        .join(Condominio, col(Condominio.id) == col(AssistedPerson.condominio_id))
        .where(col(CheckinRequest.due_at) >= since, col(AssistedPerson.active).is_(True), condominio_clause(actor))
    )
    counts: dict[int, dict[str, Any]] = {}
    tally: dict[int, dict[str, int]] = defaultdict(lambda: {s.value: 0 for s in CheckinState})
    for condominio, state in [*by_sentinel.all(), *by_person.all()]:
        assert condominio.id is not None
        counts[condominio.id] = {
            "condominio_id": condominio.id,
            "condominio": condominio.name,
            "municipio": condominio.municipio,
        }
        tally[condominio.id][state] += 1
    return [
        counts[i] | {"answered": tally[i]["RISPOSTO"], "missing": tally[i]["MANCATO"], "waiting": tally[i]["IN_ATTESA"]}
        for i in sorted(counts)
    ]


async def heat(session: AsyncSession, actor: Actor) -> dict[str, Any]:
    """The heat-wave level in force (0 none, 1 pre-alert, 2 risk, 3 heat wave)."""
    row = await heat_level(session)
    return {"level": 0 if row is None else row.level, "set_at": _iso(row.set_at) if row else None}


async def opted_out_sentinels(session: AsyncSession, actor: Actor) -> list[dict[str, Any]]:
    """Sentinels who said STOP, in the buildings the actor sees (no full phone number on the board)."""
    rows = await session.exec(
        select(Sentinel, Condominio)  # type: ignore[call-overload]
        .join(Condominio, col(Condominio.id) == col(Sentinel.condominio_id))
        .where(col(Sentinel.opted_out).is_(True), col(Sentinel.deleted_at).is_(None), condominio_clause(actor))
        .order_by(col(Sentinel.opted_out_at))
    )
    return [
        {
            "id": s.id,
            "name": s.name,
            "phone_end": s.phone[-3:],
            "condominio_id": c.id,
            "condominio": c.name,
            "municipio": c.municipio,
            "opted_out_at": _iso(s.opted_out_at),
        }
        for s, c in rows.all()
    ]
