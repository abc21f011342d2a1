"""Reading tasks: lists under the caller's visibility (overdue first) and the tutors' workload."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.clock import utcnow
from centrale.operators.models import Operator, Role
from centrale.persons.models import Person
from centrale.tasks.models import Task, TaskState, WorkloadRow
from centrale.tasks.schedule import rome_week


def overdue_clause(now: datetime) -> ColumnElement[bool]:
    return and_(col(Task.state) == TaskState.APERTA, col(Task.due_end) < now)


async def list_tasks(
    session: AsyncSession,
    *,
    visible: ColumnElement[bool],
    now: datetime,
    assignee_id: int | None = None,
    states: Sequence[TaskState] | None = None,
    due_before: datetime | None = None,
    person_id: int | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[tuple[Task, Person]], int]:
    """Tasks of persons the caller may read, overdue first, then by due time."""
    where: list[Any] = [visible, col(Person.deleted_at).is_(None)]
    if assignee_id is not None:
        where.append(col(Task.assignee_id) == assignee_id)
    if states:
        where.append(col(Task.state).in_(states))
    if due_before is not None:
        where.append(col(Task.due_start) < due_before)
    if person_id is not None:
        where.append(col(Task.person_id) == person_id)
    base = select(Task, Person).join(Person, col(Person.id) == col(Task.person_id)).where(*where)
    total = (
        await session.exec(
            select(func.count()).select_from(Task).join(Person, col(Person.id) == col(Task.person_id)).where(*where)
        )
    ).one()
    late_first = case((overdue_clause(now), 0), else_=1)
    rows = await session.exec(base.order_by(late_first, col(Task.due_start), col(Task.id)).offset(offset).limit(limit))
    return [(task, person) for task, person in rows.all()], int(total)


async def workload(session: AsyncSession, *, now: datetime | None = None) -> list[WorkloadRow]:
    """Per tutor (and any operator with tasks): due this week, open this week, overdue, done on/after time."""
    now = now or utcnow()
    lo, hi = rome_week(now)
    this_week = and_(col(Task.due_start) >= lo, col(Task.due_start) < hi, col(Task.state) != TaskState.ANNULLATA)
    done = and_(this_week, col(Task.state) == TaskState.SVOLTA)

    def count_if(condition: ColumnElement[bool]) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    query = (
        select(  # type: ignore[call-overload]
            col(Operator.id),
            col(Operator.full_name),
            count_if(this_week),
            count_if(and_(this_week, col(Task.state) == TaskState.APERTA)),
            count_if(overdue_clause(now)),
            count_if(and_(done, col(Task.closed_at) <= col(Task.due_end))),
            count_if(and_(done, col(Task.closed_at) > col(Task.due_end))),
        )
        .select_from(Operator)
        .outerjoin(Task, col(Task.assignee_id) == col(Operator.id))
        .where(
            col(Operator.deleted_at).is_(None),
            or_(col(Operator.role) == Role.TUTOR, col(Task.id).is_not(None)),
        )
        .group_by(col(Operator.id), col(Operator.full_name))
        .order_by(col(Operator.full_name))
    )
    rows = (await session.exec(query)).all()
    return [
        WorkloadRow(
            operator_id=r[0],
            full_name=r[1],
            due_this_week=int(r[2]),
            open_this_week=int(r[3]),
            overdue=int(r[4]),
            done_on_time=int(r[5]),
            done_late=int(r[6]),
        )
        for r in rows
    ]
