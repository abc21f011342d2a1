"""Check-in schedules and heat-wave mode: the next time a check-in is due, and replies to it."""

from __future__ import annotations

from datetime import datetime, timedelta

from dateutil.rrule import rrule, rrulestr
from sqlalchemy import bindparam, update
from sqlalchemy import select as core_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.checkins.models import (
    CheckinRequest,
    CheckinSchedule,
    CheckinScheduleCreate,
    CheckinState,
    HeatWaveLevel,
)
from centrale.clock import ROME, as_utc, to_rome, utcnow
from centrale.errors import Invalid
from centrale.events.service import emit
from centrale.fastsql import Fixed

DENSE_FROM_LEVEL = 2  # DOMAIN.md: level >= 2 switches the at-risk list to more frequent check-ins


def parse_rule(text: str, start: datetime) -> rrule:
    """An RFC 5545 RRULE read in Rome wall-clock time from ``start``; ValueError names the problem."""
    try:
        rule = rrulestr(text.removeprefix("RRULE:"), dtstart=start)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"rrule non valida: {exc}") from exc
    assert isinstance(rule, rrule)
    return rule


def _anchor(schedule: CheckinSchedule) -> datetime:
    """Midnight (Rome) of the day the schedule was made: rules without BYMINUTE start on the hour."""
    local = to_rome(schedule.created_at)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def rule_in_force(schedule: CheckinSchedule, level: int) -> str:
    if level >= DENSE_FROM_LEVEL and schedule.at_risk and schedule.dense_rrule:
        return schedule.dense_rrule
    return schedule.rrule


def next_due(schedule: CheckinSchedule, level: int, after: datetime) -> datetime | None:
    """The first occurrence strictly after ``after`` (UTC), reckoned in Rome time (DST included)."""
    rule = parse_rule(rule_in_force(schedule, level), _anchor(schedule))
    found = rule.after(after.astimezone(ROME))
    return None if found is None else as_utc(found)


async def heat_level(session: AsyncSession) -> HeatWaveLevel | None:
    return (await session.exec(select(HeatWaveLevel).order_by(col(HeatWaveLevel.id).desc()))).first()


async def current_level(session: AsyncSession) -> int:
    row = await heat_level(session)
    return 0 if row is None else row.level


async def create_schedule(session: AsyncSession, *, data: CheckinScheduleCreate) -> CheckinSchedule:
    """Store a schedule and its first due time; a bad rule is refused naming its field."""
    if (data.sentinel_id is None) == (data.person_id is None):
        raise Invalid("sentinel_id o person_id: indicarne esattamente uno / give exactly one", field="person_id")
    for name, rule in (("rrule", data.rrule), ("dense_rrule", data.dense_rrule)):
        if rule:
            try:
                parse_rule(rule, to_rome(utcnow()))
            except ValueError as exc:
                raise Invalid(f"{name}: {exc}", field=name) from exc
    schedule = CheckinSchedule.model_validate(data.model_dump() | {"created_at": utcnow()})
    schedule.next_at = next_due(schedule, await current_level(session), utcnow())
    session.add(schedule)
    await session.flush()
    return schedule


async def set_heat_level(session: AsyncSession, *, level: int, operator_id: int | None) -> HeatWaveLevel:
    """Record the level; the at-risk list moves to its denser schedule at >= 2 and back below."""
    previous = await current_level(session)
    row = HeatWaveLevel(level=level, set_by=operator_id, set_at=utcnow())
    session.add(row)
    if (previous >= DENSE_FROM_LEVEL) != (level >= DENSE_FROM_LEVEL):
        now = utcnow()
        at_risk = await session.exec(
            select(CheckinSchedule).where(col(CheckinSchedule.at_risk).is_(True), col(CheckinSchedule.active).is_(True))
        )
        for schedule in at_risk.all():
            schedule.next_at = next_due(schedule, level, now)
            session.add(schedule)
    emit(session, kind="heatwave.level", entity_type="HeatWave", entity_id=level, payload={"level": level})
    await session.flush()
    return row


def _answer() -> Fixed:
    table = CheckinRequest.__table__  # type: ignore[attr-defined]
    now = bindparam("now", type_=table.c.due_at.type)
    waiting = (
        core_select(table.c.id)
        .where(table.c.phone == bindparam("caller"), table.c.state == CheckinState.IN_ATTESA, table.c.due_at <= now)
        .order_by(table.c.due_at.desc())
        .limit(1)
        .scalar_subquery()
    )
    # one statement: the latest waiting request is answered unless another answer got there first
    return Fixed(
        update(table)
        .where(table.c.id == waiting, table.c.state == CheckinState.IN_ATTESA)
        .values(state=CheckinState.RISPOSTO, answered_at=now)
        .returning(table.c.id)
    )


_ANSWER = _answer()


async def answer_checkin(session: AsyncSession, phone: str) -> bool:
    """An "OK" from ``phone``: closes its open check-in request, if one waits (True)."""
    answered = await _ANSWER.first(session, {"caller": phone, "now": utcnow()})
    if answered is None:
        return False
    emit(session, kind="checkin.answered", entity_type="CheckinRequest", entity_id=answered.id)
    return True


def window(schedule: CheckinSchedule) -> timedelta:
    return timedelta(minutes=schedule.window_minutes)
