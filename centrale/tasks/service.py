"""Tasks: generation from the plan's schedule, creation by hand, closing (page or SMS), absence cover."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from centrale.clock import to_rome, utcnow
from centrale.common import Conflict, NotFound
from centrale.events.service import emit
from centrale.persons.models import Person
from centrale.tasks.models import (
    Absence,
    ClosedVia,
    Reassignment,
    ReminderState,
    Task,
    TaskCreate,
    TaskOrigin,
    TaskReminder,
    TaskState,
)
from centrale.tasks.schedule import ScheduledIntervention, occurrences, rome_day_bounds

# no 0/O, 1/I, 2/Z, 5/S, 8/B: a code read aloud or typed on a phone keypad is not mistaken
CODE_ALPHABET = "ACDEFHJKLMNPRTUVWXY34679"
CODE_LENGTH = 5
DEFAULT_HORIZON = timedelta(days=14)


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def schedule_key(intervention_id: int, occurrence: datetime) -> str:
    return f"iv:{intervention_id}:{occurrence:%Y%m%dT%H%M}Z"


def task_event(session: AsyncSession, task: Task, kind: str, **extra: Any) -> None:
    """Broadcast a task change (ids and codes only; the page reads the details through the API)."""
    payload = {
        "task_id": task.id,
        "code": task.code,
        "state": task.state,
        "type": task.type,
        "assignee_id": task.assignee_id,
        "due_start": task.due_start.isoformat(),
        "due_end": task.due_end.isoformat(),
    } | extra
    emit(session, kind=kind, entity_type="Task", entity_id=task.id, person_id=task.person_id, payload=payload)


def personal_event(session: AsyncSession, *, operator_id: int, kind: str, payload: dict[str, Any]) -> None:
    """A notification on one operator's personal websocket channel."""
    emit(
        session,
        kind=kind,
        entity_type="Operator",
        entity_id=operator_id,
        recipient_operator_id=operator_id,
        payload=payload,
    )


async def _insert_once(session: AsyncSession, task: Task) -> bool:
    """Insert with a fresh code; False when the schedule key already has a task.

    Generation for one person is serialised by a lock on the person's row (PostgreSQL), so the
    check below cannot race; the unique key remains the last guard.
    """
    await session.exec(select(col(Person.id)).where(col(Person.id) == task.person_id).with_for_update())
    if task.schedule_key is not None and await _key_taken(session, task.schedule_key):
        return False
    while True:
        code = new_code()
        if (await session.exec(select(col(Task.id)).where(col(Task.code) == code))).first() is None:
            break
    task.code = code
    session.add(task)
    await session.flush()
    return True


async def _key_taken(session: AsyncSession, key: str) -> bool:
    return (await session.exec(select(col(Task.id)).where(col(Task.schedule_key) == key))).first() is not None


async def _substitute(session: AsyncSession, operator_id: int, moment: datetime) -> int:
    """The operator covering ``operator_id`` on that Rome day (absence cover), or themselves."""
    day = to_rome(moment).date()
    found = (
        await session.exec(
            select(Absence)
            .where(col(Absence.operator_id) == operator_id, col(Absence.start) <= day, col(Absence.end) >= day)
            .order_by(col(Absence.id).desc())
        )
    ).first()
    return found.substitute_id if found else operator_id


@dataclass
class Generated:
    created: list[Task] = field(default_factory=list)
    cancelled: list[Task] = field(default_factory=list)


async def generate_tasks(
    session: AsyncSession,
    *,
    interventions: Iterable[ScheduledIntervention],
    now: datetime | None = None,
    horizon: timedelta = DEFAULT_HORIZON,
) -> Generated:
    """Tasks for every occurrence within the horizon that has none yet (idempotent). The caller commits."""
    now = now or utcnow()
    result = Generated()
    for intervention in interventions:
        for occurrence in occurrences(intervention, start=now, end=now + horizon):
            key = schedule_key(intervention.id, occurrence)
            if await _key_taken(session, key):
                continue
            task = Task(
                person_id=intervention.person_id,
                type=intervention.task_type,
                assignee_id=await _substitute(session, intervention.assignee_id, occurrence),
                due_start=occurrence,
                due_end=occurrence + intervention.window,
                priority=intervention.priority,
                title=intervention.title,
                case_id=intervention.case_id,
                origin=TaskOrigin.PIANO,
                intervention_id=intervention.id,
                occurrence_at=occurrence,
                schedule_key=key,
                code="",
                created_at=now,
            )
            if await _insert_once(session, task):
                task_event(session, task, "task.created")
                result.created.append(task)
    return result


async def replace_future_tasks(
    session: AsyncSession,
    *,
    previous_intervention_ids: Iterable[int],
    interventions: Sequence[ScheduledIntervention],
    now: datetime | None = None,
    horizon: timedelta = DEFAULT_HORIZON,
) -> Generated:
    """A plan variation: future open tasks that the new schedule no longer has are cancelled, the rest kept.

    Past tasks (and closed ones) are never touched. A cancelled task releases its schedule key, so the
    new schedule may give the same occurrence a fresh task.
    """
    now = now or utcnow()
    wanted: dict[str, tuple[int, str, datetime]] = {}
    for intervention in interventions:
        for occurrence in occurrences(intervention, start=now, end=now + horizon):
            wanted[schedule_key(intervention.id, occurrence)] = (
                await _substitute(session, intervention.assignee_id, occurrence),
                intervention.task_type,
                occurrence + intervention.window,
            )
    ids = set(previous_intervention_ids) | {i.id for i in interventions}
    future = await session.exec(
        select(Task).where(
            col(Task.intervention_id).in_(ids),
            col(Task.state) == TaskState.APERTA,
            col(Task.due_start) >= now,
        )
    )
    result = Generated()
    for task in future.all():
        same = wanted.get(task.schedule_key or "") == (task.assignee_id, task.type, task.due_end)
        if same:
            continue
        task.state = TaskState.ANNULLATA
        task.outcome_note = "Piano variato"
        task.closed_at, task.closed_via, task.updated_at = now, ClosedVia.SISTEMA, now
        task.schedule_key = None
        session.add(task)
        await _cancel_reminders(session, task)
        task_event(session, task, "task.cancelled")
        result.cancelled.append(task)
    await session.flush()
    result.created = (await generate_tasks(session, interventions=interventions, now=now, horizon=horizon)).created
    return result


async def create_task(
    session: AsyncSession,
    *,
    data: TaskCreate,
    created_by_id: int | None,
    origin: TaskOrigin = TaskOrigin.MANUALE,
) -> Task:
    """A task by hand, or the follow-up of an alert (origin ALLERTA). The caller commits."""
    task = Task.model_validate(
        data.model_dump() | {"origin": origin, "created_by_id": created_by_id, "code": "", "created_at": utcnow()}
    )
    await _insert_once(session, task)
    task_event(session, task, "task.created")
    personal_event(
        session,
        operator_id=task.assignee_id,
        kind="task.assigned",
        payload={"task_id": task.id, "code": task.code, "text": f"Nuova attività {task.code}"},
    )
    return task


def _locked(query: SelectOfScalar[Task]) -> SelectOfScalar[Task]:
    # read again under the lock: a row this session loaded before may have changed (an overdue alert raised)
    return query.with_for_update().execution_options(populate_existing=True)


async def get_task(session: AsyncSession, *, task_id: int, lock: bool = False) -> Task:
    query = select(Task).where(col(Task.id) == task_id)
    task = (await session.exec(_locked(query) if lock else query)).first()
    if task is None:
        raise NotFound("Attività", task_id)
    return task


async def _cancel_reminders(session: AsyncSession, task: Task) -> None:
    """A reminder recorded but not yet sent is not sent for a closed task."""
    pending = await session.exec(
        select(TaskReminder).where(
            col(TaskReminder.task_id) == task.id, col(TaskReminder.state) == ReminderState.IN_ATTESA
        )
    )
    for reminder in pending.all():
        reminder.state = ReminderState.ANNULLATA
        session.add(reminder)


async def close_task(
    session: AsyncSession,
    *,
    task_id: int,
    operator_id: int,
    state: TaskState = TaskState.SVOLTA,
    note: str | None = None,
    channel: ClosedVia = ClosedVia.PAGINA,
) -> Task:
    """Record the outcome (svolta, mancata, annullata): who, when, through what. The caller commits."""
    task = await get_task(session, task_id=task_id, lock=True)
    return await _close(session, task, operator_id=operator_id, state=state, note=note, channel=channel)


async def _close(
    session: AsyncSession,
    task: Task,
    *,
    operator_id: int,
    state: TaskState,
    note: str | None,
    channel: ClosedVia,
) -> Task:
    if state == TaskState.APERTA:
        raise Conflict("state: una chiusura non può lasciare l'attività aperta / closing needs a final state")
    if task.state != TaskState.APERTA:
        raise Conflict(f"L'attività {task.code} è {task.state} / the task is {task.state}")
    now = utcnow()
    task.state, task.outcome_note = state, note
    task.closed_by_id, task.closed_at, task.closed_via, task.updated_at = operator_id, now, channel, now
    session.add(task)
    await _cancel_reminders(session, task)
    task_event(session, task, "task.closed", closed_via=channel, on_time=now <= task.due_end)
    personal_event(
        session,
        operator_id=task.assignee_id,
        kind="task.closed",
        payload={"task_id": task.id, "code": task.code, "state": state},
    )
    return task


async def get_task_by_code(session: AsyncSession, *, code: str, lock: bool = False) -> Task:
    """The task with the short code of "FATTO <code>" (spaces and case as typed on a phone); 404 if none."""
    wanted = code.strip().upper()
    query = select(Task).where(col(Task.code) == wanted)
    task = (await session.exec(_locked(query) if lock else query)).first()
    if task is None:
        raise NotFound("Attività", wanted)
    return task


async def close_loaded_task(
    session: AsyncSession,
    task: Task,
    *,
    operator_id: int,
    state: TaskState = TaskState.SVOLTA,
    note: str | None = None,
    channel: ClosedVia = ClosedVia.PAGINA,
) -> Task:
    """``close_task`` for a task the caller has already read under lock. The caller commits."""
    return await _close(session, task, operator_id=operator_id, state=state, note=note, channel=channel)


async def tasks_in_absence(session: AsyncSession, *, data: Reassignment) -> list[Task]:
    """The open tasks of the absent operator due within the Rome days of ``data``, locked, by due time."""
    lo, hi = rome_day_bounds(data.start, data.end)
    found = await session.exec(
        select(Task)
        .where(
            col(Task.assignee_id) == data.from_operator_id,
            col(Task.state) == TaskState.APERTA,
            col(Task.due_start) >= lo,
            col(Task.due_start) < hi,
        )
        .order_by(col(Task.due_start), col(Task.id))
        .with_for_update()
    )
    return list(found.all())


async def reassign_tasks(
    session: AsyncSession,
    *,
    data: Reassignment,
    by_operator_id: int | None,
    tasks: Sequence[Task] | None = None,
    now: datetime | None = None,
) -> list[Task]:
    """Absence cover: the open tasks of one operator due within the Rome days go to another; both told.

    ``tasks``: what ``tasks_in_absence`` returned to the caller (who authorised each), else read here."""
    now = now or utcnow()
    moved = list(tasks) if tasks is not None else await tasks_in_absence(session, data=data)
    for task in moved:
        task.assignee_id = data.to_operator_id
        task.updated_at = now
        session.add(task)
        task_event(session, task, "task.reassigned", from_operator_id=data.from_operator_id)
    # tasks generated later for those days go to the substitute too
    session.add(
        Absence(
            operator_id=data.from_operator_id,
            substitute_id=data.to_operator_id,
            start=data.start,
            end=data.end,
            note=data.note,
            created_by_id=by_operator_id,
        )
    )
    codes = [t.code for t in moved]
    period = f"{data.start:%d/%m}-{data.end:%d/%m}"
    for operator_id, text in (
        (data.from_operator_id, f"{len(moved)} attività del periodo {period} riassegnate"),
        (data.to_operator_id, f"Ti sono state assegnate {len(moved)} attività del periodo {period}"),
    ):
        personal_event(
            session,
            operator_id=operator_id,
            kind="task.reassigned",
            payload={"codes": codes, "count": len(moved), "text": text},
        )
    await session.flush()
    return moved
