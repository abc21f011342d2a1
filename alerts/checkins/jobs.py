"""The check-in tick: issue what is due (once across instances), send it spread over the campaign's window
(shared by every instance), and raise an alert for each reply window that closed unanswered.

A heat wave makes tens of thousands of check-ins due at the same minute. Sending them all at once would
only queue them behind the provider's rate, and each person's reply window would be shortened by the time
the message waited. So each request is planned at ``due_at`` + a fixed offset within the spread window
(deterministic per schedule), any instance sends the planned ones that are due, and the reply window runs
from the moment each one actually went.
"""

from __future__ import annotations

import asyncio
import logging
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.checkins.models import CheckinRequest, CheckinSchedule, CheckinState
from alerts.checkins.service import current_level, next_due, window
from alerts.models import AlertSource, Severity
from alerts.raising import raise_alert
from alerts.sms.templates import Template, render
from centrale.clock import utcnow
from centrale.condomini.models import Sentinel
from centrale.db import Database
from centrale.events.service import commit
from centrale.flows import flow
from centrale.ports import OutgoingSms, SmsSender

log = logging.getLogger(__name__)

ISSUE_BATCH = 5000  # schedules turned into requests per tick: a city's campaign is issued over a few ticks
LEASE = timedelta(minutes=5)  # a claimed request not marked sent by then (its instance died) is sent again
GOLDEN = (math.sqrt(5) - 1) / 2


@dataclass
class CheckinTick:
    sent: list[int] = field(default_factory=list)
    missed: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Pace:
    """How a campaign goes out: over ``spread``, at the provider's ``per_second`` (shared by instances)."""

    spread: timedelta = timedelta(0)
    per_second: float = 1.0

    @property
    def batch(self) -> int:
        """Requests one instance claims per tick: about three seconds of the whole rate."""
        return max(1, min(500, math.ceil(self.per_second * 3)))

    @property
    def concurrency(self) -> int:
        """Sends in flight at once in one instance, enough to keep the shared rate busy."""
        return max(1, min(32, math.ceil(self.per_second / 5)))


def spread_offset(schedule_id: int, spread: timedelta) -> timedelta:
    """Where in the spread window this schedule's check-ins go: the fractional part of id x golden ratio (a
    Weyl sequence), so consecutive schedules fall evenly over the window and each always at the same place."""
    return spread * ((schedule_id * GOLDEN) % 1.0)


async def _issue_due(database: Database, spread: timedelta) -> int:
    """Create the request of every due schedule and move the schedule on; a twin instance skips it."""
    async with database.sessionmaker() as session:
        now = utcnow()
        level = await current_level(session)
        due = await session.exec(
            select(CheckinSchedule)
            .where(col(CheckinSchedule.active).is_(True), col(CheckinSchedule.next_at) <= now)
            .order_by(col(CheckinSchedule.next_at))
            .limit(ISSUE_BATCH)
            .with_for_update(skip_locked=True)
        )
        made = 0
        for schedule in due.all():
            assert schedule.next_at is not None and schedule.id is not None
            send_at = schedule.next_at + spread_offset(schedule.id, spread)
            request = CheckinRequest(
                schedule_id=schedule.id,
                phone=schedule.phone,
                due_at=schedule.next_at,
                send_at=send_at,
                window_ends_at=send_at + window(schedule),  # until it is sent; then from its own send time
            )
            schedule.next_at = next_due(schedule, level, max(now, schedule.next_at))
            session.add_all([request, schedule])
            made += 1
        try:
            await commit(session)
        except IntegrityError:  # another instance issued the same (schedule, due time) first
            await session.rollback()
            return 0
    return made


@dataclass(frozen=True)
class _Claimed:
    id: int
    phone: str
    window: timedelta


async def _claim(database: Database, batch: int) -> list[_Claimed]:
    """Take up to ``batch`` requests whose send time has come, each for one instance: their send time moves
    a lease ahead, so a twin instance skips them and a dead instance's ones go out after the lease."""
    async with database.sessionmaker() as session:
        now = utcnow()
        rows = (
            await session.exec(
                select(CheckinRequest.id, CheckinRequest.phone, CheckinSchedule.window_minutes)
                .join(CheckinSchedule, col(CheckinSchedule.id) == col(CheckinRequest.schedule_id))
                .where(
                    col(CheckinRequest.sent_at).is_(None),
                    col(CheckinRequest.send_at) <= now,
                    col(CheckinRequest.state) == CheckinState.IN_ATTESA,  # an "OK" that came first: not sent
                )
                .order_by(col(CheckinRequest.send_at))
                .limit(batch)
                .with_for_update(of=CheckinRequest, skip_locked=True)  # type: ignore[arg-type]
            )
        ).all()
        if not rows:
            return []
        await session.exec(
            update(CheckinRequest)  # type: ignore[call-overload]
            .where(col(CheckinRequest.id).in_([row[0] for row in rows]))
            .values(send_at=now + LEASE, send_status="invio")
        )
        await commit(session)
    return [_Claimed(int(rid or 0), phone, timedelta(minutes=minutes)) for rid, phone, minutes in rows]


async def _send(database: Database, sender: SmsSender, request: _Claimed) -> None:
    """Send one (the sender refuses a number that opted out), then start its reply window."""
    result = await sender.send(
        OutgoingSms(to=request.phone, body=render(Template.CHECKIN), key=f"checkin.{request.id}", validity_seconds=None)
    )
    sent_at = utcnow()
    async with database.sessionmaker() as session:
        await session.exec(
            update(CheckinRequest)  # type: ignore[call-overload]
            .where(col(CheckinRequest.id) == request.id)
            .values(send_status=result.status[:20], sent_at=sent_at, window_ends_at=sent_at + request.window)
        )
        await commit(session)


async def _send_due(database: Database, sender: SmsSender, pace: Pace) -> list[int]:
    claimed = await _claim(database, pace.batch)
    slots = asyncio.Semaphore(pace.concurrency)

    async def one(request: _Claimed) -> None:
        async with slots:
            await _send(database, sender, request)

    await asyncio.gather(*(one(request) for request in claimed))
    return [request.id for request in claimed]


async def _raise_missed(database: Database) -> list[int]:
    """Each sent request whose window ended unanswered becomes MANCATO and raises (or joins) an alert."""
    raised: list[int] = []
    async with database.sessionmaker() as session:
        now = utcnow()
        expired = (
            await session.exec(
                select(CheckinRequest, CheckinSchedule)
                .join(CheckinSchedule, col(CheckinSchedule.id) == col(CheckinRequest.schedule_id))
                .where(
                    col(CheckinRequest.state) == CheckinState.IN_ATTESA,
                    col(CheckinRequest.sent_at).is_not(None),
                    col(CheckinRequest.window_ends_at) <= now,
                )
                .order_by(col(CheckinRequest.id))
            )
        ).all()
        level = await current_level(session)
        for request, schedule in expired:
            claimed = await session.exec(
                update(CheckinRequest)  # type: ignore[call-overload]
                .where(col(CheckinRequest.id) == request.id, col(CheckinRequest.state) == CheckinState.IN_ATTESA)
                .values(state=CheckinState.MANCATO)
            )
            if not claimed.rowcount:
                continue
            await _alert(session, request, schedule, level, now)
            raised.append(int(request.id or 0))
        await commit(session)
    return raised


async def _alert(
    session: AsyncSession, request: CheckinRequest, schedule: CheckinSchedule, level: int, now: datetime
) -> None:
    condominio_id = None
    if schedule.sentinel_id is not None:
        sentinel = await session.get(Sentinel, schedule.sentinel_id)
        condominio_id = sentinel.condominio_id if sentinel else None
    result = await raise_alert(
        session,
        source=AlertSource.CHECKIN_MANCATO,
        severity=Severity.ALTA if level >= 2 else Severity.MEDIA,
        summary="Nessuna risposta al controllo (rispondi OK)",
        person_id=schedule.person_id,
        condominio_id=condominio_id,
        dedupe_key=f"checkin:{schedule.id}",
        report={"checkin_request": request.id},
        now=now,
    )
    request.alert_id = result.alert.id
    request.state = CheckinState.MANCATO
    session.add(request)


@flow("checkins.tick", guarded=False)
async def checkin_tick(database: Database, *, sender: SmsSender, pace: Pace | None = None) -> CheckinTick:
    """One pass: issue what is due, alert on windows that closed (first, so a long send never delays an
    alert), then send the planned check-ins whose time has come, at most one batch."""
    pace = pace or Pace()
    tick = CheckinTick()
    await _issue_due(database, pace.spread)
    tick.missed = await _raise_missed(database)
    tick.sent = await _send_due(database, sender, pace)
    return tick
