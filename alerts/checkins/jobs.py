"""The check-in tick: send what is due (once across instances), raise an alert for each missed reply."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from alerts.checkins.models import CheckinRequest, CheckinSchedule, CheckinState
from alerts.checkins.service import current_level, next_due, window
from alerts.models import AlertSource, Severity
from alerts.raising import raise_alert
from alerts.sms.service import is_opted_out
from alerts.sms.templates import Template, render
from centrale.clock import utcnow
from centrale.condomini.models import Sentinel
from centrale.db import Database
from centrale.events.service import commit
from centrale.flows import flow
from centrale.ports import OutgoingSms, SmsSender

log = logging.getLogger(__name__)


@dataclass
class CheckinTick:
    sent: list[int] = field(default_factory=list)
    missed: list[int] = field(default_factory=list)


async def _issue_due(database: Database) -> list[CheckinRequest]:
    """Create the request of every due schedule and move the schedule on; a twin instance skips it."""
    made: list[CheckinRequest] = []
    async with database.sessionmaker() as session:
        now = utcnow()
        level = await current_level(session)
        due = await session.exec(
            select(CheckinSchedule)
            .where(col(CheckinSchedule.active).is_(True), col(CheckinSchedule.next_at) <= now)
            .with_for_update(skip_locked=True)
        )
        for schedule in due.all():
            assert schedule.next_at is not None and schedule.id is not None
            request = CheckinRequest(
                schedule_id=schedule.id,
                phone=schedule.phone,
                due_at=schedule.next_at,
                window_ends_at=schedule.next_at + window(schedule),
            )
            schedule.next_at = next_due(schedule, level, max(now, schedule.next_at))
            session.add_all([request, schedule])
            made.append(request)
        try:
            await commit(session)
        except IntegrityError:  # another instance issued the same (schedule, due time) first
            await session.rollback()
            return []
    return made


async def _send(database: Database, sender: SmsSender, request: CheckinRequest) -> None:
    async with database.sessionmaker() as session:
        if await is_opted_out(session, phone=request.phone):
            status = "blocked"
        else:
            result = await sender.send(
                OutgoingSms(
                    to=request.phone,
                    body=render(Template.CHECKIN),
                    key=f"checkin.{request.id}",
                    validity_seconds=None,
                )
            )
            status = result.status
        await session.exec(
            update(CheckinRequest)
            .where(col(CheckinRequest.id) == request.id)  # type: ignore[call-overload]
            .values(send_status=status[:20])
        )
        await commit(session)


async def _raise_missed(database: Database) -> list[int]:
    """Each request whose window ended unanswered becomes MANCATO and raises (or joins) an alert."""
    raised: list[int] = []
    async with database.sessionmaker() as session:
        now = utcnow()
        expired = (
            await session.exec(
                select(CheckinRequest, CheckinSchedule)
                .join(CheckinSchedule, col(CheckinSchedule.id) == col(CheckinRequest.schedule_id))
                .where(
                    col(CheckinRequest.state) == CheckinState.IN_ATTESA,
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
            raised.append(int(request.id or 0))
        await commit(session)
    return raised


@flow("checkins.tick", guarded=False)
async def checkin_tick(database: Database, *, sender: SmsSender) -> CheckinTick:
    """One pass: issue and send due check-ins (after their commit), then alert on missed replies."""
    tick = CheckinTick()
    for request in await _issue_due(database):
        await _send(database, sender, request)
        tick.sent.append(int(request.id or 0))
    tick.missed = await _raise_missed(database)
    return tick
