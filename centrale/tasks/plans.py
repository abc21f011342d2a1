"""The link between personalised plans and tasks: the active version's regular interventions, its dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.cases.models import Case
from centrale.clock import to_rome, utcnow
from centrale.plans.models import Frequency, Intervention, Plan, PlanStatus, ReviewUnit
from centrale.tasks.models import TaskType
from centrale.tasks.schedule import ScheduledIntervention
from centrale.tasks.service import DEFAULT_HORIZON, Generated, replace_future_tasks

#: SIUSS prestazione -> the task a regular intervention gives the tutor (default: a home visit)
TASK_OF_SERVICE: dict[str, TaskType] = {
    "A2.07": TaskType.VISITA_DOMICILIARE,
    "A2.08": TaskType.VISITA_DOMICILIARE,
    "A2.02": TaskType.VISITA_DOMICILIARE,
    "A1.16": TaskType.ACCOMPAGNAMENTO,
    "A2.01": TaskType.CONSEGNA_FARMACI,
}

SCHEDULED = frozenset({Frequency.REGOLARE, Frequency.UNA_TANTUM})

REVIEW_STEP = {
    ReviewUnit.GIORNI: lambda n: relativedelta(days=n),
    ReviewUnit.SETTIMANE: lambda n: relativedelta(weeks=n),
    ReviewUnit.MESI: lambda n: relativedelta(months=n),
}


def task_type_of(intervention: Intervention) -> TaskType:
    return TASK_OF_SERVICE.get(intervention.service_code, TaskType.VISITA_DOMICILIARE)


def scheduled(plan: Plan, case: Case, interventions: list[Intervention]) -> list[ScheduledIntervention]:
    """The plan's scheduled interventions (regular, or once on a day) with an operator, as the generator
    wants them; an intervention "when needed" or without a named operator gives no task."""
    return [
        ScheduledIntervention(
            id=iv.id or 0,
            person_id=case.person_id,
            assignee_id=iv.operator_id,
            rule=iv.rrule,
            task_type=task_type_of(iv),
            starts=plan.start_date,
            ends=plan.planned_end,
            case_id=case.id,
        )
        for iv in interventions
        if iv.frequency in SCHEDULED and iv.rrule and iv.operator_id is not None
    ]


async def _interventions(session: AsyncSession, plan_ids: list[int]) -> list[Intervention]:
    if not plan_ids:
        return []
    rows = await session.exec(select(Intervention).where(col(Intervention.plan_id).in_(plan_ids)))
    return list(rows.all())


async def generate_for_active_plans(
    session: AsyncSession, *, now: datetime | None = None, horizon: timedelta = DEFAULT_HORIZON
) -> Generated:
    """Tasks of every active plan within the horizon; tasks of replaced versions' future turns are cancelled.

    Idempotent: run it on every scheduler pass. The caller commits.
    """
    now = now or utcnow()
    total = Generated()
    active = (
        await session.exec(
            select(Plan, Case)
            .join(Case, col(Case.id) == col(Plan.case_id))
            .where(col(Plan.status) == PlanStatus.ATTIVO)
        )
    ).all()
    for plan, case in active:
        done = await generate_for_plan(session, plan=plan, case=case, now=now, horizon=horizon)
        total.created += done.created
        total.cancelled += done.cancelled
    return total


async def generate_for_plan(
    session: AsyncSession, *, plan: Plan, case: Case, now: datetime | None = None, horizon: timedelta = DEFAULT_HORIZON
) -> Generated:
    """The tasks of one active plan within the horizon, the future ones of its replaced versions cancelled.

    Called when a plan becomes active (approval or signature), so the tutor sees the visits at once;
    the scheduler's plan pass calls it again for every active plan (idempotent). The caller commits.
    """
    if plan.status != PlanStatus.ATTIVO:
        return Generated()
    now = now or utcnow()
    replaced = (
        await session.exec(
            select(col(Plan.id)).where(col(Plan.case_id) == case.id, col(Plan.status) == PlanStatus.SOSTITUITO)
        )
    ).all()
    previous = [iv.id or 0 for iv in await _interventions(session, [int(i or 0) for i in replaced])]
    current = scheduled(plan, case, await _interventions(session, [plan.id or 0]))
    return await replace_future_tasks(
        session, previous_intervention_ids=previous, interventions=current, now=now, horizon=horizon
    )


@dataclass(frozen=True)
class PlanDates:
    """What the plan alerts need from an active plan."""

    plan_id: int
    person_id: int
    case_id: int | None
    review_due: date | None
    planned_end: date | None


def last_review_due(plan: Plan, today: date) -> date | None:
    """The latest review date (start + k periods, k >= 1) not after today, or None before the first."""
    step = REVIEW_STEP[plan.review_unit]
    k, found = 1, None
    while (due := plan.start_date + step(plan.review_every * k)) <= today:
        found, k = due, k + 1
    return found


async def active_plan_dates(session: AsyncSession, *, now: datetime | None = None) -> list[PlanDates]:
    today = to_rome(now or utcnow()).date()
    rows = await session.exec(
        select(Plan, Case).join(Case, col(Case.id) == col(Plan.case_id)).where(col(Plan.status) == PlanStatus.ATTIVO)
    )
    return [
        PlanDates(
            plan_id=plan.id or 0,
            person_id=case.person_id,
            case_id=case.id,
            review_due=last_review_due(plan, today),
            planned_end=plan.planned_end,
        )
        for plan, case in rows.all()
    ]
