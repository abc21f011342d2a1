"""Registro SMS: the messages received and sent (escalation notices, feedback to sentinels, task reminders,
check-in requests), newest first, with their status and alert, only those the operator may see.

The messages live where the work that made them lives (``inbound_sms``, ``notification``,
``task_reminder``, ``checkin_request``); the console transport of the demo sends nothing, so what it
"sent" is exactly these rows, and this page is where the demo's messages are seen. Each source is read
newest first through its time index and the pages are merged here. Who sees what: a message about an
alert follows the alert (``alert_visibility``), one about a person follows the person
(``visibility_clause``), one about nobody (quarantine, opt words, commands) only the district.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import and_, case, false, func, literal, null, or_, true
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.access import alert_visibility, is_district
from alerts.checkins.models import CheckinRequest, CheckinSchedule
from alerts.models import Alert, Channel, Notification
from alerts.sms.models import InboundSms
from alerts.sms.templates import Template
from centrale.auth.actor import Actor
from centrale.authz.policy import visibility_clause
from centrale.clock import to_rome
from centrale.condomini.models import Condominio
from centrale.operators.models import Role
from centrale.persons.models import Person
from centrale.tasks.models import ReminderChannel, Task, TaskReminder
from web import container
from web.api.deps import SessionDep
from web.pages import nav
from web.pages.base import page_actor, render
from web.pages.history import audit_view, page_number, parse_day, refuse, rome_start

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
SMS_ROLES = frozenset({Role.COORDINATORE, Role.OPERATORE_PUA})
DIRECTIONS = ("", "in", "out")

nav.add("/sms", "nav_sms_log", roles=set(SMS_ROLES), order=27)


@dataclass(frozen=True)
class SmsRow:
    kind: str  # in, reply, escalation, feedback, reminder, checkin
    at: datetime
    number: str | None
    text: str
    status: str
    alert_id: int | None
    person_id: int | None
    reply: str | None = None
    console: bool = False

    @property
    def outbound(self) -> bool:
        return self.kind != "in"


@dataclass(frozen=True)
class LogFilters:
    direction: str = ""
    start: datetime | None = None
    end: datetime | None = None
    number: str | None = None
    alert_id: int | None = None
    page: int = 1
    day_from: str = ""
    day_to: str = ""

    def query(self, page: int) -> str:
        pairs = {
            "direzione": self.direction,
            "dal": self.day_from,
            "al": self.day_to,
            "numero": self.number or "",
            "allerta": str(self.alert_id or ""),
            "pagina": str(page),
        }
        return urlencode({k: v for k, v in pairs.items() if v})


def filters_of(request: Request) -> tuple[LogFilters, str | None]:
    q = request.query_params
    error = None
    try:
        start, end = parse_day(q.get("dal")), parse_day(q.get("al"))
    except ValueError:
        start = end = None
        error = "h_bad_date"
    digits = "".join(ch for ch in (q.get("numero") or "") if ch.isdigit() or ch == "+")[:20]
    alert = (q.get("allerta") or "").strip().lstrip("#")
    direction = q.get("direzione") or ""
    return (
        LogFilters(
            direction=direction if direction in DIRECTIONS else "",
            start=rome_start(start) if start else None,
            end=rome_start(end + timedelta(days=1)) if end else None,
            number=digits or None,
            alert_id=int(alert) if alert.isdigit() and len(alert) < 10 else None,
            page=page_number(q.get("pagina")),
            day_from=start.isoformat() if start else "",
            day_to=end.isoformat() if end else "",
        ),
        error,
    )


def full_number(typed: str) -> str | None:
    """A number typed whole, in E.164 (+39 added to an Italian one); None for a part of a number."""
    digits = typed.lstrip("+")
    if typed.startswith("+") and len(digits) >= 10:
        return typed
    if digits.startswith("00") and len(digits) >= 12:
        return "+" + digits[2:]
    if digits.startswith("39") and len(digits) == 12:
        return "+" + digits
    if digits.startswith(("3", "0")) and 9 <= len(digits) <= 11:
        return "+39" + digits
    return None


def _common(f: LogFilters, at: Any, exact: Any, raw: Any, alert: Any | None) -> list[ColumnElement[bool]]:
    """The filters: period, number (a whole one by equality, on the stored E.164; a part anywhere in it)."""
    where: list[ColumnElement[bool]] = []
    if f.start is not None:
        where.append(at >= f.start)
    if f.end is not None:
        where.append(at < f.end)
    if f.number is not None:
        whole = full_number(f.number)
        where.append(exact == whole if whole else raw.contains(f.number, autoescape=True))
    if f.alert_id is not None:
        where.append(alert == f.alert_id if alert is not None else false())
    return where


def _buildings(actor: Actor) -> Any:
    """The buildings whose person-less messages the operator sees: followed, or in their district."""
    follows = col(Condominio.operator_id) == actor.operator_id
    if is_district(actor):
        mine = true() if actor.municipio is None else or_(follows, col(Condominio.municipio) == actor.municipio)
    else:
        mine = follows
    return select(col(Condominio.id)).where(mine)


def _about(actor: Actor, alert: Any, person: Any, building: Any | None = None) -> ColumnElement[bool]:
    """The one rule: a message about an alert follows the alert, about a person the person, about a
    building the building; about nobody (an unknown number's, in quarantine) the district, as the queue."""
    alerts = select(col(Alert.id)).where(alert_visibility(actor))
    persons = select(col(Person.id)).where(visibility_clause(actor))
    nobody = true() if is_district(actor) else false()
    personless = and_(alert.is_(None), person.is_(None))
    if building is not None:
        return or_(
            and_(alert.is_not(None), alert.in_(alerts)),
            and_(alert.is_(None), person.is_not(None), person.in_(persons)),
            and_(personless, building.is_not(None), building.in_(_buildings(actor))),
            and_(personless, building.is_(None), nobody),
        )
    return or_(
        and_(alert.is_not(None), alert.in_(alerts)),
        and_(alert.is_(None), person.is_not(None), person.in_(persons)),
        and_(personless, nobody),
    )


def _rows(kind: Any, at: Any, number: Any, text: Any, state: Any, alert: Any, person: Any, extra: Any) -> Any:
    """The columns every source gives, in this order (columns only: no ORM objects for a log page)."""
    return select(kind, at, number, text, state, alert, person, extra)  # type: ignore[call-overload]


async def _read(session: AsyncSession, query: Any, *, reply: bool = False) -> list[SmsRow]:
    return [
        SmsRow(
            kind,
            at,
            number,
            text,
            f"lsms_{state}",
            alert_id,
            person_id,
            reply=extra if reply else None,
            console=not reply and str(extra or "").startswith("console-"),
        )
        for kind, at, number, text, state, alert_id, person_id, extra in (await session.exec(query)).all()
    ]


async def _inbound(session: AsyncSession, actor: Actor, f: LogFilters, n: int) -> list[SmsRow]:
    m = InboundSms
    at = col(m.received_at)
    number = func.coalesce(col(m.sender_phone), col(m.from_number))
    query = (
        _rows(literal("in"), at, number, col(m.body), col(m.state), col(m.alert_id), col(m.person_id), col(m.reply))
        .where(_about(actor, col(m.alert_id), col(m.person_id), col(m.condominio_id)))
        .where(*_common(f, at, col(m.sender_phone), col(m.from_number), col(m.alert_id)))
        .order_by(at.desc(), col(m.id).desc())
        .limit(n)
    )
    return await _read(session, query, reply=True)


async def _notifications(session: AsyncSession, actor: Actor, f: LogFilters, n: int) -> list[SmsRow]:
    m = Notification
    at = col(m.created_at)
    visible = select(col(Alert.id)).where(alert_visibility(actor))
    kind = case((col(m.step_index) < 0, literal("feedback")), else_=literal("escalation"))
    query = (
        _rows(
            kind,
            at,
            col(m.to_phone),
            col(m.body),
            col(m.state),
            col(m.alert_id),
            col(Alert.person_id),
            col(m.provider_id),
        )
        .join(Alert, col(Alert.id) == col(m.alert_id))
        .where(col(m.channel) == Channel.SMS, col(m.alert_id).in_(visible))
        .where(*_common(f, at, col(m.to_phone), col(m.to_phone), col(m.alert_id)))
        .order_by(at.desc(), col(m.id).desc())
        .limit(n)
    )
    return await _read(session, query)


async def _reminders(session: AsyncSession, actor: Actor, f: LogFilters, n: int) -> list[SmsRow]:
    m = TaskReminder
    at = col(m.created_at)
    persons = select(col(Person.id)).where(visibility_clause(actor))
    query = (
        _rows(
            literal("reminder"),
            at,
            col(m.to_phone),
            col(m.body),
            col(m.state),
            null(),
            col(Task.person_id),
            col(m.provider_id),
        )
        .join(Task, col(Task.id) == col(m.task_id))
        .where(col(m.channel) == ReminderChannel.SMS, col(Task.person_id).in_(persons))
        .where(*_common(f, at, col(m.to_phone), col(m.to_phone), None))
        .order_by(at.desc(), col(m.id).desc())
        .limit(n)
    )
    return await _read(session, query)


async def _checkins(session: AsyncSession, actor: Actor, f: LogFilters, n: int) -> list[SmsRow]:
    m = CheckinRequest
    at = col(m.due_at)
    query = (
        _rows(
            literal("checkin"),
            at,
            col(m.phone),
            literal(Template.CHECKIN.value),
            col(m.state),
            col(m.alert_id),
            col(CheckinSchedule.person_id),
            null(),
        )
        .join(CheckinSchedule, col(CheckinSchedule.id) == col(m.schedule_id))
        .where(_about(actor, col(m.alert_id), col(CheckinSchedule.person_id)))
        .where(*_common(f, at, col(m.phone), col(m.phone), col(m.alert_id)))
        .order_by(at.desc(), col(m.id).desc())
        .limit(n)
    )
    return await _read(session, query)


async def sms_log(
    session: AsyncSession, actor: Actor, f: LogFilters, *, size: int = PAGE_SIZE
) -> tuple[list[SmsRow], bool]:
    """One page of the log, newest first (each source read up to this page, then merged); more pages?"""
    wanted = f.page * size + 1
    sources = []
    if f.direction in ("", "in"):
        sources.append(_inbound)
    if f.direction in ("", "out"):
        sources += [_notifications, _reminders, _checkins]
    rows: list[SmsRow] = []
    for source in sources:
        rows += await source(session, actor, f, wanted)
    rows.sort(key=lambda row: row.at, reverse=True)
    start = (f.page - 1) * size
    return rows[start : start + size], len(rows) > start + size


@router.get("/sms", response_class=HTMLResponse)
async def sms_log_page(request: Request, session: SessionDep) -> Response:
    actor = await page_actor(request)
    if actor is None:
        return RedirectResponse("/login?next=/sms", status_code=303)
    if actor.role not in SMS_ROLES:
        return await refuse(request, actor, subtype="smslog.page", entity_type="SmsLog")
    filters, error = filters_of(request)
    rows, more = await sms_log(session, actor, filters)
    await audit_view(
        session,
        actor,
        subtype="smslog.page",
        entity_type="SmsLog",
        reference=filters.query(filters.page),
        shown=len(rows),
        persons=(row.person_id for row in rows),
    )
    return render(
        request,
        "history/smslog.html",
        status_code=422 if error else 200,
        actor=actor,
        error=error,
        f=filters,
        rows=rows,
        more=more,
        console=container.settings_of(request).sms_backend == "console",
        rome=to_rome,
    )
