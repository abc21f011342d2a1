"""The board's side panels: overdue tasks, check-ins per condominio, heat-wave level, opted-out sentinels."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.checkins.models import CheckinRequest, CheckinSchedule, CheckinState
from alerts.checkins.service import heat_level
from centrale.auth.deps import Actor
from centrale.authz.policy import visibility_clause
from centrale.clock import utcnow
from centrale.condomini.models import AssistedPerson, Condominio, Sentinel
from centrale.operators.models import Operator
from centrale.persons.models import Person
from centrale.tasks.models import Task, TaskState
from web.board.scope import condominio_clause

CHECKIN_DAY = timedelta(hours=24)


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


async def overdue_tasks(session: AsyncSession, actor: Actor) -> list[dict[str, Any]]:
    """Open tasks past their due time, about people the actor may read."""
    rows = await session.exec(
        select(Task, Person, Operator)  # type: ignore[call-overload]
        .join(Person, col(Person.id) == col(Task.person_id))
        .join(Operator, col(Operator.id) == col(Task.assignee_id))
        .where(col(Task.state) == TaskState.APERTA, col(Task.due_end) < utcnow(), visibility_clause(actor))
        .order_by(col(Task.due_end))
        .limit(200)
    )
    return [
        {
            "id": task.id,
            "type": task.type,
            "title": task.title,
            "due_end": _iso(task.due_end),
            "person": f"{person.cognome} {person.nome[:1]}.",
            "municipio": person.municipio,
            "assignee": operator.full_name,
        }
        for task, person, operator in rows.all()
    ]


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
