"""The discharges' indicators, per municipio, per hospital and by week (docs/DISCHARGES.md defines each).

One statement reads every transition notified in the period with its milestones' times side by side
(conditional aggregation); the groups are then summed here, so the four groupings cost one round trip.
Days are counted between Rome calendar dates, as the wards and the PUA count them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import case, func, type_coerce
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.discharges.deadlines import FIRST_VISIT_WITHIN
from alerts.discharges.models import Discharge, DischargeMilestone, DischargeState, Milestone
from centrale.clock import ROME, as_utc, to_rome, utcnow
from centrale.db import UTCDateTime
from centrale.organisations.models import Organisation
from centrale.persons.models import Person


@dataclass
class IndicatorRow:
    """One group's figures; a share or a mean is None when nothing is there to measure."""

    group: str  # a municipio ("IX"), a hospital's name, a week's Monday (ISO date), or "" for all
    transitions: int = 0
    days_notice_to_plan: float | None = None  # mean, over the transitions whose plan is approved
    plan_ready_share: float | None = None  # of the discharged: plan approved by the discharge
    delayed_days: int = 0  # days the bed was kept past the announced date waiting for the plan
    first_visit_48h_share: float | None = None  # of the discharged whose 48 h are over (or visited)


@dataclass
class Indicators:
    overall: IndicatorRow
    by_municipio: list[IndicatorRow] = field(default_factory=list)
    by_hospital: list[IndicatorRow] = field(default_factory=list)
    weekly: list[IndicatorRow] = field(default_factory=list)


@dataclass(frozen=True)
class _Transition:
    municipio: str
    hospital: str
    notified: datetime
    first_expected: date
    plan: datetime | None
    discharged: datetime | None
    visit: datetime | None


def _done(milestone: Milestone) -> object:
    when = case((col(DischargeMilestone.milestone) == milestone, col(DischargeMilestone.done_at)), else_=None)
    return type_coerce(func.max(when), UTCDateTime)


def _day(moment: datetime) -> date:
    return to_rome(moment).date()


def _row(group: str, items: list[_Transition], now: datetime) -> IndicatorRow:
    row = IndicatorRow(group=group, transitions=len(items))
    planned = [(t.notified, t.plan) for t in items if t.plan is not None]
    if planned:
        days = [(_day(plan) - _day(notified)).days for notified, plan in planned]
        row.days_notice_to_plan = round(sum(days) / len(days), 1)
    discharged = [(t, as_utc(t.discharged)) for t in items if t.discharged is not None]
    if discharged:
        ready = [t for t, left in discharged if t.plan is not None and as_utc(t.plan) <= left]
        row.plan_ready_share = len(ready) / len(discharged)
        waits = [(min(_day(t.plan), _day(left)) - t.first_expected).days for t, left in discharged if t.plan]
        row.delayed_days = sum(max(0, wait) for wait in waits)
    measurable = [(t.visit, left) for t, left in discharged if t.visit is not None or now >= left + FIRST_VISIT_WITHIN]
    if measurable:
        on_time = [
            visit for visit, left in measurable if visit is not None and as_utc(visit) <= left + FIRST_VISIT_WITHIN
        ]
        row.first_visit_48h_share = len(on_time) / len(measurable)
    return row


def _grouped(items: Iterable[_Transition], key: Callable[[_Transition], str], now: datetime) -> list[IndicatorRow]:
    groups: dict[str, list[_Transition]] = defaultdict(list)
    for item in items:
        groups[key(item)].append(item)
    return [_row(name, groups[name], now) for name in sorted(groups)]


def _monday(moment: datetime) -> str:
    day = _day(moment)
    return (day - timedelta(days=day.weekday())).isoformat()


async def indicators(session: AsyncSession, *, start: date, end: date, now: datetime | None = None) -> Indicators:
    """The figures of the transitions notified from ``start`` to ``end`` (both included, Rome dates), cancelled
    ones left out."""
    now = now or utcnow()
    since = as_utc(datetime.combine(start, time(0), tzinfo=ROME))
    until = as_utc(datetime.combine(end + timedelta(days=1), time(0), tzinfo=ROME))
    query = (
        select(  # type: ignore[call-overload]
            col(Person.municipio),
            col(Organisation.name),
            col(Discharge.notified_at),
            col(Discharge.first_expected_date),
            _done(Milestone.PIANO_APPROVATO),
            _done(Milestone.DIMISSIONE),
            _done(Milestone.PRIMA_VISITA),
        )
        .select_from(Discharge)
        .join(Person, col(Person.id) == col(Discharge.person_id))
        .join(Organisation, col(Organisation.id) == col(Discharge.hospital_org_id))
        .join(DischargeMilestone, col(DischargeMilestone.discharge_id) == col(Discharge.id))
        .where(
            col(Discharge.state) != DischargeState.ANNULLATA,
            col(Discharge.notified_at) >= since,
            col(Discharge.notified_at) < until,
        )
        .group_by(
            col(Discharge.id),
            col(Person.municipio),
            col(Organisation.name),
            col(Discharge.notified_at),
            col(Discharge.first_expected_date),
        )
    )
    items = [
        _Transition(municipio or "", hospital, notified, first, plan, left, visit)
        for municipio, hospital, notified, first, plan, left, visit in (await session.exec(query)).all()
    ]
    return Indicators(
        overall=_row("", items, now),
        by_municipio=_grouped(items, lambda t: t.municipio, now),
        by_hospital=_grouped(items, lambda t: t.hospital, now),
        weekly=_grouped(items, lambda t: _monday(t.notified), now),
    )
