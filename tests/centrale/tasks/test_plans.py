"""The active plan's regular interventions become tasks; a new version replaces the future ones."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import time_machine
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.cases.models import Case, CaseCategory, CasePhase, CaseState, SiussArea
from centrale.clock import ROME, to_rome
from centrale.db import Database
from centrale.events.service import commit
from centrale.plans.catalogue import seed_catalogue
from centrale.plans.models import Frequency, Intervention, Plan, PlanStatus, ReviewUnit
from centrale.tasks.models import TaskState, TaskType
from centrale.tasks.plans import generate_for_active_plans, last_review_due
from tests.centrale.tasks.helpers import Team, all_tasks, team

Z = Decimal("0")


async def _plan(
    session: AsyncSession,
    t: Team,
    case: Case,
    *,
    version: int,
    rule: str | None,
    code: str,
    frequency: Frequency = Frequency.REGOLARE,
    operator: bool = True,
) -> Plan:
    plan = Plan(
        case_id=case.id or 0,
        version=version,
        status=PlanStatus.ATTIVO,
        start_date=date(2027, 5, 1),
        planned_end=date(2027, 12, 31),
        created_by_id=t.case_manager.id or 0,
    )
    session.add(plan)
    await session.flush()
    session.add(
        Intervention(
            plan_id=plan.id or 0,
            service_code=code,
            provider_org_id=t.tutor.organisation_id,
            operator_id=t.tutor.id if operator else None,
            frequency=frequency,
            rrule=rule,
            hours_per_month=Decimal("4"),
            tariff=Z,
            user_hourly=Z,
            cost=Z,
            share_ente=Z,
            share_utente=Z,
            share_ssn=Z,
        )
    )
    await commit(session)
    return plan


async def test_active_plan_generates_and_a_variation_replaces_future_tasks(database: Database, session: AsyncSession):
    t = await team(session)
    await seed_catalogue(session)
    case = Case(
        person_id=t.person.id or 0,
        state=CaseState.PRESO_IN_CARICO,
        phase=CasePhase.ATTUAZIONE,
        category=CaseCategory.ANZIANI,
        siuss_area=SiussArea.DISABILITA_NON_AUTOSUFFICIENZA,
        case_manager_id=t.case_manager.id or 0,
        organisation_id=t.case_manager.organisation_id,
    )
    session.add(case)
    await commit(session)
    v1 = await _plan(session, t, case, version=1, rule="FREQ=WEEKLY;BYDAY=TU;BYHOUR=10", code="A2.07")
    with time_machine.travel(datetime(2027, 5, 1, 9, 0, tzinfo=ROME), tick=False) as clock:
        first = await generate_for_active_plans(session, horizon=timedelta(days=14))
        await commit(session)
        assert len(first.created) == 2
        assert (await generate_for_active_plans(session, horizon=timedelta(days=14))).created == []
        await commit(session)
        clock.move_to(datetime(2027, 5, 5, 9, 0, tzinfo=ROME))
        v1.status = PlanStatus.SOSTITUITO
        session.add(v1)
        await _plan(session, t, case, version=2, rule="FREQ=WEEKLY;BYDAY=FR;BYHOUR=16", code="A1.16")
        varied = await generate_for_active_plans(session, horizon=timedelta(days=14))
        await commit(session)
    tasks = await all_tasks(session)
    assert [(to_rome(x.due_start).date(), x.type, x.state) for x in tasks] == [
        (date(2027, 5, 4), TaskType.VISITA_DOMICILIARE, TaskState.APERTA),  # past: kept as it was
        (date(2027, 5, 7), TaskType.ACCOMPAGNAMENTO, TaskState.APERTA),
        (date(2027, 5, 11), TaskType.VISITA_DOMICILIARE, TaskState.ANNULLATA),
        (date(2027, 5, 14), TaskType.ACCOMPAGNAMENTO, TaskState.APERTA),
    ]
    assert len(varied.cancelled) == 1 and all(x.case_id == case.id for x in tasks)


async def test_once_gives_one_task_and_no_operator_or_no_schedule_gives_none(database: Database, session: AsyncSession):
    t = await team(session)
    await seed_catalogue(session)
    cases = []
    for _ in range(3):
        case = Case(
            person_id=t.person.id or 0,
            state=CaseState.PRESO_IN_CARICO,
            phase=CasePhase.ATTUAZIONE,
            category=CaseCategory.ANZIANI,
            siuss_area=SiussArea.DISABILITA_NON_AUTOSUFFICIENZA,
            case_manager_id=t.case_manager.id or 0,
            organisation_id=t.case_manager.organisation_id,
        )
        session.add(case)
        cases.append(case)
    await commit(session)
    once = "FREQ=DAILY;COUNT=1;BYMONTH=5;BYMONTHDAY=6;BYHOUR=11;BYMINUTE=0"  # "una volta, il 6 maggio alle 11"
    await _plan(session, t, cases[0], version=1, rule=once, code="A1.16", frequency=Frequency.UNA_TANTUM)
    await _plan(session, t, cases[1], version=1, rule="FREQ=WEEKLY;BYDAY=TU;BYHOUR=10", code="A2.07", operator=False)
    await _plan(session, t, cases[2], version=1, rule=None, code="A2.07", frequency=Frequency.IRREGOLARE)
    with time_machine.travel(datetime(2027, 5, 1, 9, 0, tzinfo=ROME), tick=False):
        await generate_for_active_plans(session, horizon=timedelta(days=14))
        await commit(session)
    tasks = await all_tasks(session)
    assert [(to_rome(x.due_start), x.case_id, x.assignee_id) for x in tasks] == [
        (datetime(2027, 5, 6, 11, 0, tzinfo=ROME), cases[0].id, t.tutor.id)
    ]


def test_review_dates_step_by_the_plan_period():
    plan = Plan(
        case_id=1, version=1, start_date=date(2027, 1, 31), review_every=1, review_unit=ReviewUnit.MESI, created_by_id=1
    )
    assert last_review_due(plan, date(2027, 2, 27)) is None
    assert last_review_due(plan, date(2027, 2, 28)) == date(2027, 2, 28)
    assert last_review_due(plan, date(2027, 4, 15)) == date(2027, 3, 31)
