"""What the board and the case file show of discharges: the lane of transitions in flight and the late milestones.

Both filter by need-to-know (the case rule of the policy) in the query itself; the caller audits the
showing as the board does (one row naming the persons shown).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.discharges.models import Discharge, DischargeMilestone, DischargeState, Milestone
from centrale.auth.actor import Actor
from centrale.authz.policy import CaseAction, case_clause
from centrale.clock import as_utc, to_rome, utcnow
from centrale.organisations.models import Organisation
from centrale.persons.models import Person


@dataclass
class LaneItem:
    """One transition in flight: who, where from, when, and what is still missing."""

    discharge_id: int
    person_id: int
    case_id: int
    cognome: str
    nome: str
    hospital: str
    ward: str
    hospital_contact: str
    expected_date: date
    days_to_discharge: int
    missing: list[Milestone] = field(default_factory=list)  # pending milestones, in order
    next_milestone: Milestone | None = None
    next_due: datetime | None = None
    overdue: list[Milestone] = field(default_factory=list)


@dataclass(frozen=True)
class OverdueMilestone:
    discharge_id: int
    person_id: int
    case_id: int
    cognome: str
    nome: str
    milestone: Milestone
    due_at: datetime
    alert_id: int | None


def _visible(actor: Actor) -> object:
    return case_clause(actor, CaseAction.READ)


async def lane(session: AsyncSession, *, actor: Actor, now: datetime | None = None) -> list[LaneItem]:
    """The transitions in flight the actor may see, the soonest discharge first (two statements)."""
    now = now or utcnow()
    today = to_rome(now).date()
    query = (
        select(Discharge, Person.cognome, Person.nome, Organisation.name)
        .join(Person, col(Person.id) == col(Discharge.person_id))
        .join(Organisation, col(Organisation.id) == col(Discharge.hospital_org_id))
        .where(col(Discharge.state) == DischargeState.IN_CORSO, _visible(actor))  # type: ignore[arg-type]
        .order_by(col(Discharge.expected_date), col(Discharge.id))
    )
    rows = (await session.exec(query)).all()
    ids = [d.id for d, *_ in rows]
    pending: dict[int, list[DischargeMilestone]] = defaultdict(list)
    if ids:
        found = await session.exec(
            select(DischargeMilestone)
            .where(col(DischargeMilestone.discharge_id).in_(ids), col(DischargeMilestone.done_at).is_(None))
            .order_by(col(DischargeMilestone.discharge_id), col(DischargeMilestone.position))
        )
        for m in found.all():
            pending[m.discharge_id].append(m)
    items = []
    for d, cognome, nome, hospital in rows:
        assert d.id is not None
        todo = pending[d.id]
        items.append(
            LaneItem(
                discharge_id=d.id,
                person_id=d.person_id,
                case_id=d.case_id,
                cognome=cognome,
                nome=nome,
                hospital=hospital,
                ward=d.ward,
                hospital_contact=d.hospital_contact,
                expected_date=d.expected_date,
                days_to_discharge=(d.expected_date - today).days,
                missing=[m.milestone for m in todo],
                next_milestone=todo[0].milestone if todo else None,
                next_due=as_utc(todo[0].due_at) if todo else None,
                overdue=[m.milestone for m in todo if as_utc(m.due_at) <= now],
            )
        )
    return items


async def overdue(session: AsyncSession, *, actor: Actor, now: datetime | None = None) -> list[OverdueMilestone]:
    """Milestones past their deadline in transitions in flight, the oldest deadline first (one statement)."""
    now = now or utcnow()
    query = (
        select(DischargeMilestone, Discharge, Person)
        .join(Discharge, col(Discharge.id) == col(DischargeMilestone.discharge_id))
        .join(Person, col(Person.id) == col(Discharge.person_id))
        .where(
            col(Discharge.state) == DischargeState.IN_CORSO,
            col(DischargeMilestone.done_at).is_(None),
            col(DischargeMilestone.due_at) <= now,
            _visible(actor),  # type: ignore[arg-type]
        )
        .order_by(col(DischargeMilestone.due_at), col(DischargeMilestone.id))
    )
    return [
        OverdueMilestone(
            discharge_id=m.discharge_id,
            person_id=d.person_id,
            case_id=d.case_id,
            cognome=p.cognome,
            nome=p.nome,
            milestone=m.milestone,
            due_at=as_utc(m.due_at),
            alert_id=m.overdue_alert_id,
        )
        for m, d, p in (await session.exec(query)).all()
    ]


async def of_case(session: AsyncSession, *, case_id: int) -> list[Discharge]:
    """The transitions of one case, newest first (the case file reads them after its own need-to-know check)."""
    query = select(Discharge).where(col(Discharge.case_id) == case_id).order_by(col(Discharge.id).desc())
    return list((await session.exec(query)).all())
