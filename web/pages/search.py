"""Cerca: persons and alerts from the header's search box, only among those the operator may see.

Persons match on surname (or "surname name"), name or codice fiscale; alerts on their number or the
words of their summary. Every search that shows anything is one audit row listing the people shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import and_, or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.access import alert_visibility
from alerts.models import Alert
from centrale.auth.actor import Actor
from centrale.authz.policy import visibility_clause
from centrale.cases.models import Case
from centrale.clock import to_rome
from centrale.condomini.models import Condominio
from centrale.persons.models import Person
from web.api.deps import SessionDep
from web.pages.base import page_actor, render, templates
from web.pages.history import HISTORY_ROLES, audit_view, refuse

router = APIRouter(include_in_schema=False)

LIMIT = 20
MIN_LENGTH = 2


def may_search(actor: Actor | None) -> bool:
    """Whether the header shows the search box to this operator."""
    return actor is not None and actor.role in HISTORY_ROLES


templates.env.globals["may_search"] = may_search


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def person_match(q: str) -> ColumnElement[bool]:
    """Surname or name from their start, "surname name" together, or the whole codice fiscale."""
    words = q.split()
    if len(words) >= 2:
        first, rest = _escape(words[0]) + "%", _escape(" ".join(words[1:])) + "%"
        both = or_(
            and_(col(Person.cognome).ilike(first, escape="\\"), col(Person.nome).ilike(rest, escape="\\")),
            and_(col(Person.nome).ilike(first, escape="\\"), col(Person.cognome).ilike(rest, escape="\\")),
        )
        return or_(both, col(Person.cognome).ilike(_escape(q) + "%", escape="\\"))
    start = _escape(q) + "%"
    return or_(
        col(Person.cognome).ilike(start, escape="\\"),
        col(Person.nome).ilike(start, escape="\\"),
        col(Person.codice_fiscale) == q.upper(),
    )


@dataclass(frozen=True)
class FoundAlert:
    alert: Alert
    person: str | None
    building: str | None


async def find_persons(session: AsyncSession, actor: Actor, q: str) -> list[tuple[Person, list[int]]]:
    """The persons the operator may read who match, with the ids of their cases."""
    persons = (
        await session.exec(
            select(Person)
            .where(person_match(q), col(Person.deleted_at).is_(None), visibility_clause(actor))
            .order_by(col(Person.cognome), col(Person.nome), col(Person.id))
            .limit(LIMIT + 1)
        )
    ).all()
    ids = [p.id for p in persons if p.id is not None]
    cases: dict[int, list[int]] = {}
    if ids:
        rows = await session.exec(
            select(col(Case.person_id), col(Case.id)).where(col(Case.person_id).in_(ids))  # type: ignore[call-overload]
        )
        for person_id, case_id in rows.all():
            cases.setdefault(int(person_id or 0), []).append(int(case_id or 0))
    return [(p, cases.get(p.id or 0, [])) for p in persons]


async def find_alerts(session: AsyncSession, actor: Actor, q: str) -> list[FoundAlert]:
    """The alerts the operator may see whose number is ``q`` or whose summary holds it, newest first."""
    match: ColumnElement[bool] = col(Alert.summary).ilike("%" + _escape(q) + "%", escape="\\")
    digits = q.lstrip("#n. ")
    if digits.isdigit() and len(digits) < 10:
        match = or_(col(Alert.id) == int(digits), match)
    query: Any = (
        select(Alert, Person.cognome, Person.nome, Condominio.name)  # type: ignore[call-overload]
        .outerjoin(Person, col(Person.id) == col(Alert.person_id))
        .outerjoin(Condominio, col(Condominio.id) == col(Alert.condominio_id))
        .where(match, alert_visibility(actor))
        .order_by(col(Alert.opened_at).desc(), col(Alert.id).desc())
        .limit(LIMIT + 1)
    )
    rows = (await session.exec(query)).all()
    return [FoundAlert(a, f"{cognome} {nome}" if cognome else None, building) for a, cognome, nome, building in rows]


@router.get("/cerca", response_class=HTMLResponse)
async def search_page(request: Request, session: SessionDep) -> Response:
    actor = await page_actor(request)
    if actor is None:
        return RedirectResponse("/login?next=/cerca", status_code=303)
    if not may_search(actor):
        return await refuse(request, actor, subtype="search.page", entity_type="Search")
    q = " ".join((request.query_params.get("q") or "").split())[:100]
    persons: list[tuple[Person, list[int]]] = []
    alerts: list[FoundAlert] = []
    short = bool(q) and len(q) < MIN_LENGTH and not q.isdigit()  # an alert's number may be one digit
    if q and not short:
        persons = await find_persons(session, actor, q)
        alerts = await find_alerts(session, actor, q)
        shown = [p.id for p, _ in persons[:LIMIT]] + [f.alert.person_id for f in alerts[:LIMIT]]
        await audit_view(
            session,
            actor,
            subtype="search.page",
            entity_type="Search",
            reference=f"{len(persons[:LIMIT])} persone, {len(alerts[:LIMIT])} allerte",
            shown=len(persons[:LIMIT]) + len(alerts[:LIMIT]),
            persons=shown,
        )
    return render(
        request,
        "history/search.html",
        actor=actor,
        q=q,
        short=short,
        persons=persons[:LIMIT],
        alerts=alerts[:LIMIT],
        more=len(persons) > LIMIT or len(alerts) > LIMIT,
        rome=to_rome,
    )
