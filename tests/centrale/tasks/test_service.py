"""Tasks from the plan's schedule across daylight saving, idempotent; variations; closing; absence cover."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.clock import ROME, to_rome
from centrale.db import Database
from centrale.errors import Conflict, NotFound
from centrale.events.models import Event
from centrale.events.service import commit
from centrale.tasks.models import ClosedVia, Reassignment, TaskCreate, TaskState, TaskType
from centrale.tasks.service import (
    close_loaded_task,
    close_task,
    create_task,
    generate_tasks,
    get_task_by_code,
    reassign_tasks,
    replace_future_tasks,
)
from tests.centrale.tasks.helpers import all_tasks, team, weekly_visit


@pytest.mark.parametrize(
    ("today", "before", "after"),
    [
        # last Sunday of March 2027 is the 28th: Tuesday 23 in CET (UTC+1), Tuesday 30 in CEST (UTC+2)
        (datetime(2027, 3, 20, 12, 0, tzinfo=ROME), date(2027, 3, 23), date(2027, 3, 30)),
        # last Sunday of October 2027 is the 31st: Tuesday 26 in CEST, Tuesday 2 November in CET
        (datetime(2027, 10, 23, 12, 0, tzinfo=ROME), date(2027, 10, 26), date(2027, 11, 2)),
    ],
)
async def test_weekly_tuesday_visit_at_ten_rome_across_dst_and_idempotent(
    database: Database, session: AsyncSession, today: datetime, before: date, after: date
):
    t = await team(session)
    with time_machine.travel(today, tick=False):
        first = await generate_tasks(session, interventions=[weekly_visit(t)], horizon=timedelta(days=14))
        await commit(session)
        again = await generate_tasks(session, interventions=[weekly_visit(t)], horizon=timedelta(days=14))
        await commit(session)
    tasks = await all_tasks(session)
    assert len(first.created) == 2 and again.created == []
    assert len(tasks) == 2
    assert [to_rome(x.due_start).date() for x in tasks] == [before, after]
    assert all(to_rome(x.due_start).time() == time(10, 0) for x in tasks)
    assert all(x.due_end - x.due_start == timedelta(hours=2) for x in tasks)
    # one hour apart in UTC: the wall clock, not the UTC clock, keeps the appointment
    assert {x.due_start.astimezone(UTC).hour for x in tasks} == {8, 9}
    assert all(x.state == TaskState.APERTA and x.assignee_id == t.tutor.id for x in tasks)
    assert len({x.code for x in tasks}) == 2
    events = (await session.exec(select(Event).where(col(Event.kind) == "task.created"))).all()
    assert len(events) == 2


async def test_a_planned_end_stops_the_schedule(database: Database, session: AsyncSession):
    t = await team(session)
    with time_machine.travel(datetime(2027, 3, 20, 12, 0, tzinfo=ROME), tick=False):
        await generate_tasks(session, interventions=[weekly_visit(t, ends=date(2027, 3, 29))])
        await commit(session)
    assert [to_rome(x.due_start).date() for x in await all_tasks(session)] == [date(2027, 3, 23)]


async def test_plan_variation_replaces_future_open_tasks_and_keeps_past_ones(database: Database, session: AsyncSession):
    t = await team(session)
    old = weekly_visit(t, intervention_id=1)
    with time_machine.travel(datetime(2027, 5, 1, 9, 0, tzinfo=ROME), tick=False) as clock:
        await generate_tasks(session, interventions=[old], horizon=timedelta(days=14))  # 4 and 11 May
        await commit(session)
        first, _second = await all_tasks(session)
        assert first.id is not None
        clock.move_to(datetime(2027, 5, 4, 11, 0, tzinfo=ROME))
        await close_task(session, task_id=first.id, operator_id=t.tutor.id or 0, note="Tutto bene")
        await commit(session)
        # the new version: a phone call on Thursdays instead of the Tuesday visit
        new = weekly_visit(t, intervention_id=2, rule="FREQ=WEEKLY;BYDAY=TH;BYHOUR=17", task_type=TaskType.TELEFONATA)
        varied = await replace_future_tasks(
            session, previous_intervention_ids=[1], interventions=[new], horizon=timedelta(days=14)
        )
        await commit(session)
    tasks = await all_tasks(session)
    by_state = {(to_rome(x.due_start).date(), x.type, x.state) for x in tasks}
    assert (date(2027, 5, 4), TaskType.VISITA_DOMICILIARE, TaskState.SVOLTA) in by_state  # past kept
    assert (date(2027, 5, 11), TaskType.VISITA_DOMICILIARE, TaskState.ANNULLATA) in by_state  # replaced
    assert {(to_rome(x.due_start).date(), to_rome(x.due_start).hour) for x in varied.created} == {
        (date(2027, 5, 6), 17),
        (date(2027, 5, 13), 17),
    }
    assert len(varied.cancelled) == 1 and len(tasks) == 4


async def test_unchanged_schedule_keeps_its_tasks_and_codes(database: Database, session: AsyncSession):
    t = await team(session)
    with time_machine.travel(datetime(2027, 5, 1, 9, 0, tzinfo=ROME), tick=False):
        await generate_tasks(session, interventions=[weekly_visit(t)])
        await commit(session)
        codes = [x.code for x in await all_tasks(session)]
        varied = await replace_future_tasks(session, previous_intervention_ids=[1], interventions=[weekly_visit(t)])
        await commit(session)
    assert varied.cancelled == [] and varied.created == []
    assert [x.code for x in await all_tasks(session)] == codes


async def test_close_by_code_records_who_when_and_sms(database: Database, session: AsyncSession):
    t = await team(session)
    task = await create_task(
        session,
        data=TaskCreate(
            person_id=t.person.id or 0,
            type=TaskType.TELEFONATA,
            assignee_id=t.tutor.id or 0,
            due_start=datetime(2027, 5, 4, 9, 0, tzinfo=ROME),
            due_end=datetime(2027, 5, 4, 12, 0, tzinfo=ROME),
        ),
        created_by_id=t.coordinatore.id,
    )
    await commit(session)
    code, tutor_id = task.code, t.tutor.id or 0
    with pytest.raises(NotFound):
        await get_task_by_code(session, code="ZZZZZ")
    at = datetime(2027, 5, 4, 10, 30, tzinfo=ROME)
    with time_machine.travel(at, tick=False):
        found = await get_task_by_code(session, code=f" {code.lower()} ", lock=True)
        done = await close_loaded_task(session, found, operator_id=tutor_id, note="fatto", channel=ClosedVia.SMS)
        await commit(session)
    assert (done.state, done.closed_by_id, done.closed_via, done.outcome_note) == (
        TaskState.SVOLTA,
        tutor_id,
        ClosedVia.SMS,
        "fatto",
    )
    assert done.closed_at == at
    with pytest.raises(Conflict):
        await close_task(session, task_id=done.id or 0, operator_id=tutor_id, note=None)


async def test_reassignment_moves_exactly_the_open_tasks_in_range_and_tells_both(
    database: Database, session: AsyncSession
):
    t = await team(session)
    with time_machine.travel(datetime(2027, 5, 1, 9, 0, tzinfo=ROME), tick=False) as clock:
        daily = weekly_visit(t, rule="FREQ=DAILY;BYHOUR=10;BYMINUTE=0")
        await generate_tasks(session, interventions=[daily], horizon=timedelta(days=10))  # 1..10 May
        await commit(session)
        tasks = await all_tasks(session)
        closed = next(x for x in tasks if to_rome(x.due_start).date() == date(2027, 5, 5))
        clock.move_to(datetime(2027, 5, 5, 10, 30, tzinfo=ROME))
        await close_task(session, task_id=closed.id or 0, operator_id=t.tutor.id or 0)
        await commit(session)
        moved = await reassign_tasks(
            session,
            data=Reassignment(
                from_operator_id=t.tutor.id or 0,
                to_operator_id=t.substitute.id or 0,
                start=date(2027, 5, 4),
                end=date(2027, 5, 7),
            ),
            by_operator_id=t.coordinatore.id,
        )
        await commit(session)
        # generated later for a day of the absence: to the substitute as well
        clock.move_to(datetime(2027, 5, 3, 12, 0, tzinfo=ROME))
    tasks = await all_tasks(session)
    moved_days = sorted(to_rome(x.due_start).date() for x in moved)
    assert moved_days == [date(2027, 5, 4), date(2027, 5, 6), date(2027, 5, 7)]
    for x in tasks:
        day = to_rome(x.due_start).date()
        expected = t.substitute.id if day in moved_days else t.tutor.id
        assert x.assignee_id == expected, day
    personal = (
        await session.exec(
            select(Event).where(col(Event.kind) == "task.reassigned", col(Event.entity_type) == "Operator")
        )
    ).all()
    assert {e.recipient_operator_id for e in personal} == {t.tutor.id, t.substitute.id}
    assert all(e.payload["count"] == 3 for e in personal)


async def test_generation_during_an_absence_goes_to_the_substitute(database: Database, session: AsyncSession):
    t = await team(session)
    with time_machine.travel(datetime(2027, 5, 1, 9, 0, tzinfo=ROME), tick=False):
        await reassign_tasks(
            session,
            data=Reassignment(
                from_operator_id=t.tutor.id or 0,
                to_operator_id=t.substitute.id or 0,
                start=date(2027, 5, 10),
                end=date(2027, 5, 12),
            ),
            by_operator_id=t.coordinatore.id,
        )
        await generate_tasks(session, interventions=[weekly_visit(t)], horizon=timedelta(days=14))
        await commit(session)
    assert [(to_rome(x.due_start).date(), x.assignee_id) for x in await all_tasks(session)] == [
        (date(2027, 5, 4), t.tutor.id),
        (date(2027, 5, 11), t.substitute.id),
    ]
