"""Storico allerte: the closed alerts the operator may see, filtered (period, municipio, building, person,
outcome) and paged; every showing is one audit row listing the people it showed, a refusal is audited too.

The rule of who sees which alert is the board's (``alerts.access.alert_visibility``): the page adds no
rule of its own, it only filters further.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import and_, or_, true
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.access import HANDLERS, alert_visibility, is_district
from alerts.models import Alert, AlertOutcome, AlertState
from alerts.sms.models import InboundSms
from centrale.audit.models import AuditAction, AuditPurpose
from centrale.audit.service import build_event, record_covering, record_now, refusal
from centrale.auth.actor import Actor
from centrale.authz.policy import visibility_clause
from centrale.clock import ROME, to_rome
from centrale.condomini.models import AssistedPerson, Condominio
from centrale.events.service import commit
from centrale.operators.models import Role
from centrale.persons.models import Person
from web import container
from web.api.deps import SessionDep
from web.pages import nav
from web.pages.base import page_actor, render
from web.words import history as _words  # noqa: F401 - registers the pages' words

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
CLOSED = (AlertState.RISOLTA, AlertState.ANNULLATA)
#: who reads the history and searches: the roles that act on alerts (each sees only what the policy allows)
HISTORY_ROLES = frozenset(HANDLERS - {Role.AMMINISTRATORE})

nav.add("/storico", "nav_history", roles=set(HISTORY_ROLES), order=25)


# --- what every view of these pages shares: who may open them, and the audit of what they showed ----


async def refuse(request: Request, actor: Actor, *, subtype: str, entity_type: str) -> Response:
    """A role that may not open the page: the refusal audited (in its own transaction) and said in words."""
    row = refusal(
        agent=actor.agent(),
        action=AuditAction.READ,
        subtype=subtype,
        entity_type=entity_type,
        entity_id=None,
        person_id=None,
        reason=f"role {actor.role} may not read {entity_type}",
    )
    await record_now(container.database(request).sessionmaker, row)
    return render(request, "history/refused.html", status_code=403, actor=actor)


async def audit_view(
    session: AsyncSession,
    actor: Actor,
    *,
    subtype: str,
    entity_type: str,
    reference: str,
    shown: int,
    persons: Iterable[int | None],
) -> None:
    """One row per showing, listing the people it showed (as the board does), committed at once."""
    people = {p for p in persons if p is not None}
    row = build_event(
        agent=actor.agent(),
        action=AuditAction.READ,
        subtype=subtype,
        entity_type=entity_type,
        entity_id=reference[:120],
        person_id=None,
        purpose=AuditPurpose.CAREMGT,
        outcome_desc=f"{shown} righe; {len(people)} persone",
    )
    await record_covering(session, [(row, people)])
    await commit(session)


def parse_day(text: str | None) -> date | None:
    """A day from a form field (2026-12-31, or 31/12/2026 as typed); ValueError when it is not one."""
    if not text:
        return None
    text = text.strip()
    if "/" in text:
        day, month, year = (int(part) for part in text.split("/"))
        return date(year, month, day)
    return date.fromisoformat(text)


def rome_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ROME)


def page_number(text: str | None) -> int:
    try:
        return max(1, min(int(text or 1), 10_000))
    except ValueError:
        return 1


# --- the closed alerts ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    start: date | None = None
    end: date | None = None
    municipio: str | None = None
    condominio_id: int | None = None
    person: str | None = None
    outcome: AlertOutcome | None = None
    page: int = 1

    def query(self, page: int) -> str:
        """The filters as a query string, for the links to the other pages."""
        pairs = {
            "dal": self.start.isoformat() if self.start else "",
            "al": self.end.isoformat() if self.end else "",
            "municipio": self.municipio or "",
            "condominio": str(self.condominio_id or ""),
            "persona": self.person or "",
            "esito": self.outcome.value if self.outcome else "",
            "pagina": str(page),
        }
        return urlencode({k: v for k, v in pairs.items() if v})


def filters_of(request: Request) -> tuple[Filters, str | None]:
    """The filters from the query string; an Italian sentence when a date cannot be read."""
    q = request.query_params
    error = None
    try:
        start, end = parse_day(q.get("dal")), parse_day(q.get("al"))
    except ValueError:
        start = end = None
        error = "h_bad_date"
    outcome = q.get("esito") or ""
    condominio = q.get("condominio") or ""
    filters = Filters(
        start=start,
        end=end,
        municipio=(q.get("municipio") or "").strip()[:5] or None,
        condominio_id=int(condominio) if condominio.isdigit() else None,
        person=(q.get("persona") or "").strip()[:100] or None,
        outcome=AlertOutcome(outcome) if outcome in AlertOutcome.__members__ else None,
        page=page_number(q.get("pagina")),
    )
    return filters, error


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def closed_where(actor: Actor, f: Filters) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [col(Alert.state).in_(CLOSED), alert_visibility(actor)]
    if f.start is not None:
        where.append(col(Alert.resolved_at) >= rome_start(f.start))
    if f.end is not None:
        where.append(col(Alert.resolved_at) < rome_start(f.end + timedelta(days=1)))
    if f.outcome is not None:
        where.append(col(Alert.outcome) == f.outcome)
    if f.condominio_id is not None:
        where.append(col(Alert.condominio_id) == f.condominio_id)
    if f.municipio is not None:
        in_persons = select(col(Person.id)).where(col(Person.municipio) == f.municipio)
        in_buildings = select(col(Condominio.id)).where(col(Condominio.municipio) == f.municipio)
        where.append(or_(col(Alert.person_id).in_(in_persons), col(Alert.condominio_id).in_(in_buildings)))
    if f.person is not None:
        named = select(col(Person.id)).where(
            or_(col(Person.cognome).ilike(_like(f.person), escape="\\"), col(Person.codice_fiscale) == f.person.upper())
        )
        where.append(col(Alert.person_id).in_(named))
    return where


@dataclass(frozen=True)
class ClosedRow:
    alert: Alert
    person: str | None
    building: str | None
    words: str | None = None  # what the first report said, when an SMS opened it


async def first_words(session: AsyncSession, alert_ids: list[int]) -> dict[int, str]:
    """The text of the first SMS of each alert (one query for the page)."""
    if not alert_ids:
        return {}
    rows = await session.exec(
        select(col(InboundSms.alert_id), col(InboundSms.body))  # type: ignore[call-overload]
        .where(col(InboundSms.alert_id).in_(alert_ids))
        .order_by(col(InboundSms.received_at).desc(), col(InboundSms.id).desc())
    )
    return {int(alert_id or 0): body for alert_id, body in rows.all()}  # the earliest wins: read last


async def closed_alerts(
    session: AsyncSession, actor: Actor, f: Filters, *, size: int = PAGE_SIZE
) -> tuple[list[ClosedRow], bool]:
    """One page of closed alerts, the most recently closed first; whether a further page exists."""
    query = (
        select(Alert, Person.cognome, Person.nome, Condominio.name)  # type: ignore[call-overload]
        .outerjoin(Person, and_(col(Person.id) == col(Alert.person_id)))
        .outerjoin(Condominio, col(Condominio.id) == col(Alert.condominio_id))
        .where(*closed_where(actor, f))
        .order_by(col(Alert.resolved_at).desc(), col(Alert.id).desc())
        .offset((f.page - 1) * size)
        .limit(size + 1)
    )
    rows = (await session.exec(query)).all()
    words = await first_words(session, [alert.id for alert, *_ in rows[:size] if alert.id is not None])
    found = [
        ClosedRow(alert, f"{cognome} {nome}" if cognome else None, building, words.get(alert.id or 0))
        for alert, cognome, nome, building in rows
    ]
    return found[:size], len(found) > size


async def buildings(session: AsyncSession, actor: Actor) -> Sequence[Any]:
    """The buildings to choose from: followed, home of a person the operator may read, or in their district."""
    readable = select(col(AssistedPerson.condominio_id)).where(
        col(AssistedPerson.person_id).in_(select(col(Person.id)).where(visibility_clause(actor)))
    )
    mine = or_(col(Condominio.operator_id) == actor.operator_id, col(Condominio.id).in_(readable))
    if is_district(actor):
        mine = or_(mine, true() if actor.municipio is None else col(Condominio.municipio) == actor.municipio)
    query = select(col(Condominio.id), col(Condominio.name)).where(mine).order_by(col(Condominio.name))
    return (await session.exec(query)).all()  # type: ignore[call-overload]


@router.get("/storico", response_class=HTMLResponse)
async def history_page(request: Request, session: SessionDep) -> Response:
    actor = await page_actor(request)
    if actor is None:
        return RedirectResponse("/login?next=/storico", status_code=303)
    if actor.role not in HISTORY_ROLES:
        return await refuse(request, actor, subtype="history.page", entity_type="AlertHistory")
    filters, error = filters_of(request)
    rows, more = await closed_alerts(session, actor, filters)
    await audit_view(
        session,
        actor,
        subtype="history.page",
        entity_type="AlertHistory",
        reference=filters.query(filters.page),
        shown=len(rows),
        persons=(row.alert.person_id for row in rows),
    )
    return render(
        request,
        "history/closed.html",
        status_code=422 if error else 200,
        actor=actor,
        error=error,
        f=filters,
        rows=rows,
        more=more,
        outcomes=list(AlertOutcome),
        buildings=await buildings(session, actor),
        rome=to_rome,
    )
