"""The digest of a hand-off: what the incoming operator may see of what is still open.

Each section is scoped by the rules the rest of the Centrale uses for the same objects: alerts by
``alerts.access.alert_visibility`` (the board's rule), tasks and check-ins by the person's
need-to-know clause, plans by the case rule and the plan section of the case file, sentinels'
check-ins by the buildings the operator follows or covers as district. Items carry codes and short
words (severity, source, type, dates, a person's surname and initial), never a clinical detail.

The stored digest keeps, for each item, the person or alert it is about, so that whoever reads it
later sees only the items they may see today (``visible_part``): a person's items if they may read
the person, an alert if the board would show it to them, a sentinel's check-in if they cover its building.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, true
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.access import alert_visibility, is_district
from alerts.checkins.models import CheckinRequest, CheckinSchedule, CheckinState
from alerts.models import Alert, AlertState
from centrale.auth.actor import Actor
from centrale.authz.policy import CaseAction, Section, case_clause, visibility_clause, visible_sections
from centrale.cases.models import Case
from centrale.clock import to_rome
from centrale.condomini.models import Condominio, Sentinel
from centrale.operators.models import Operator
from centrale.persons.models import Person
from centrale.plans.models import Plan, PlanStatus
from centrale.tasks.models import Task, TaskState

#: the sections of a digest, in the order the page shows them
SECTIONS = ("open_alerts", "acknowledged_alerts", "overdue_tasks", "pending_checkins", "ending_plans")
#: how far ahead an ending plan is worth handing over
PLAN_HORIZON_DAYS = 7
#: each section lists at most this many items (the rest is a count: the board has them all)
SECTION_LIMIT = 50
#: an alert's summary is cut to a headline
SUMMARY_MAX = 80


def _short(person: Person | None) -> str | None:
    return None if person is None else f"{person.cognome} {person.nome[:1]}."


def _visible_persons(actor: Actor) -> Any:
    return select(col(Person.id)).where(visibility_clause(actor), col(Person.deleted_at).is_(None))


def _buildings(actor: Actor) -> ColumnElement[bool]:
    """The buildings whose sentinels' check-ins the operator answers for (followed, or the district's)."""
    follows = col(Condominio.operator_id) == actor.operator_id
    if not is_district(actor):
        return follows
    return true() if actor.municipio is None else or_(follows, col(Condominio.municipio) == actor.municipio)


async def _names(session: AsyncSession, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = await session.exec(select(Operator).where(col(Operator.id).in_(ids)))
    return {int(o.id or 0): o.full_name for o in rows.all()}


async def _alerts(session: AsyncSession, actor: Actor, state: AlertState) -> list[dict[str, Any]]:
    query = (
        select(Alert, Person)
        .join(Person, col(Person.id) == col(Alert.person_id), isouter=True)
        .where(col(Alert.state) == state, alert_visibility(actor))
        .order_by(col(Alert.opened_at))
        .limit(SECTION_LIMIT)
    )
    rows = (await session.exec(query)).all()
    names = await _names(session, {int(a.acknowledged_by) for a, _ in rows if a.acknowledged_by is not None})
    return [
        {
            "alert_id": alert.id,
            "person_id": alert.person_id,
            "person": _short(person),
            "severity": alert.severity.value,
            "source": alert.source.value,
            "summary": alert.summary[:SUMMARY_MAX],
            "opened_at": alert.opened_at.isoformat(),
            "acknowledged_by": names.get(int(alert.acknowledged_by)) if alert.acknowledged_by else None,
        }
        for alert, person in rows
    ]


async def _overdue_tasks(session: AsyncSession, actor: Actor, at: datetime) -> list[dict[str, Any]]:
    query = (
        select(Task, Person)
        .join(Person, col(Person.id) == col(Task.person_id))
        .where(
            col(Task.state) == TaskState.APERTA,
            col(Task.due_end) < at,
            col(Task.person_id).in_(_visible_persons(actor)),
        )
        .order_by(col(Task.due_end))
        .limit(SECTION_LIMIT)
    )
    rows = (await session.exec(query)).all()
    names = await _names(session, {t.assignee_id for t, _ in rows})
    return [
        {
            "task_id": task.id,
            "code": task.code,
            "person_id": task.person_id,
            "person": _short(person),
            "type": task.type.value,
            "priority": task.priority.value,
            "assignee": names.get(task.assignee_id),
            "due_end": task.due_end.isoformat(),
        }
        for task, person in rows
    ]


async def _pending_checkins(session: AsyncSession, actor: Actor) -> list[dict[str, Any]]:
    by_person = and_(
        col(CheckinSchedule.person_id).is_not(None), col(CheckinSchedule.person_id).in_(_visible_persons(actor))
    )
    by_sentinel = and_(
        col(CheckinSchedule.person_id).is_(None),
        col(Sentinel.condominio_id).in_(select(col(Condominio.id)).where(_buildings(actor))),
    )
    query = (
        select(CheckinRequest, CheckinSchedule, Person, Sentinel)
        .join(CheckinSchedule, col(CheckinSchedule.id) == col(CheckinRequest.schedule_id))
        .join(Person, col(Person.id) == col(CheckinSchedule.person_id), isouter=True)
        .join(Sentinel, col(Sentinel.id) == col(CheckinSchedule.sentinel_id), isouter=True)
        .where(col(CheckinRequest.state) == CheckinState.IN_ATTESA, or_(by_person, by_sentinel))
        .order_by(col(CheckinRequest.window_ends_at))
        .limit(SECTION_LIMIT)
    )
    return [
        {
            "checkin_id": request.id,
            "person_id": schedule.person_id,
            "person": _short(person),
            "sentinel": sentinel.name if person is None and sentinel is not None else None,
            "condominio_id": sentinel.condominio_id if person is None and sentinel is not None else None,
            "due_at": request.due_at.isoformat(),
            "window_ends_at": request.window_ends_at.isoformat(),
        }
        for request, schedule, person, sentinel in (await session.exec(query)).all()
    ]


async def _ending_plans(session: AsyncSession, actor: Actor, at: datetime) -> list[dict[str, Any]]:
    if Section.PLAN not in visible_sections(actor):
        return []
    today = to_rome(at).date()
    readable = select(col(Person.id)).where(case_clause(actor, CaseAction.READ), col(Person.deleted_at).is_(None))
    query = (
        select(Plan, Case, Person)
        .join(Case, col(Case.id) == col(Plan.case_id))
        .join(Person, col(Person.id) == col(Case.person_id))
        .where(
            col(Plan.status) == PlanStatus.ATTIVO,
            col(Plan.planned_end).is_not(None),
            col(Plan.planned_end) >= today,
            col(Plan.planned_end) <= today + timedelta(days=PLAN_HORIZON_DAYS),
            col(Case.person_id).in_(readable),
        )
        .order_by(col(Plan.planned_end))
        .limit(SECTION_LIMIT)
    )
    return [
        {
            "plan_id": plan.id,
            "case_id": case.id,
            "person_id": case.person_id,
            "person": _short(person),
            "planned_end": plan.planned_end.isoformat() if plan.planned_end else None,
        }
        for plan, case, person in (await session.exec(query)).all()
    ]


async def build(session: AsyncSession, actor: Actor, at: datetime) -> dict[str, Any]:
    """The digest for ``actor`` at the hand-off ``at``: each section's items, in the order of ``SECTIONS``."""
    return {
        "open_alerts": await _alerts(session, actor, AlertState.NUOVA),
        "acknowledged_alerts": await _alerts(session, actor, AlertState.PRESA_VISIONE),
        "overdue_tasks": await _overdue_tasks(session, actor, at),
        "pending_checkins": await _pending_checkins(session, actor),
        "ending_plans": await _ending_plans(session, actor, at),
    }


def persons_in(digest: dict[str, Any]) -> set[int]:
    """Every person a digest names (for the audit of its reads)."""
    return {int(item["person_id"]) for key in SECTIONS for item in digest.get(key, []) if item.get("person_id")}


async def visible_part(session: AsyncSession, actor: Actor, digest: dict[str, Any]) -> dict[str, Any]:
    """The items of a stored digest this reader may see today (persons by need to know, alerts by the board's rule)."""
    persons = persons_in(digest)
    seen = (
        set((await session.exec(_visible_persons(actor).where(col(Person.id).in_(persons)))).all())
        if persons
        else set()
    )
    alert_ids = {int(i["alert_id"]) for key in SECTIONS for i in digest.get(key, []) if i.get("alert_id")}
    alerts: set[int] = set()
    if alert_ids:
        query = select(col(Alert.id)).where(col(Alert.id).in_(alert_ids), alert_visibility(actor))
        alerts = {int(i) for i in (await session.exec(query)).all() if i is not None}

    building_ids = {int(i["condominio_id"]) for i in digest.get("pending_checkins", []) if i.get("condominio_id")}
    buildings: set[int] = set()
    if building_ids:
        query = select(col(Condominio.id)).where(col(Condominio.id).in_(building_ids), _buildings(actor))
        buildings = {int(i) for i in (await session.exec(query)).all() if i is not None}

    def keep(item: dict[str, Any]) -> bool:
        if item.get("alert_id") is not None:
            return int(item["alert_id"]) in alerts
        if item.get("person_id") is not None:
            return int(item["person_id"]) in seen
        return item.get("condominio_id") is not None and int(item["condominio_id"]) in buildings

    return {key: [i for i in digest.get(key, []) if keep(i)] for key in SECTIONS}
