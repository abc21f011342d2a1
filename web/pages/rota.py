"""The "Turni" pages: the week's rota per role in words, the holes the coverage check finds, the forms
to edit a layer, to cover and to swap a shift (coordinators and administrators), and "I miei turni" for
anyone with shifts (their own shifts, taking a shift, swapping their own).

A rota names operators and times only, no health data. Every change goes through its flow
(``web.pages.rota_forms``); the page only reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import col, select

from alerts.rota.flows import ARRANGERS
from alerts.rota.holes import week_holes
from centrale.audit.models import AuditAction
from centrale.auth.actor import Actor
from centrale.clock import ROME, to_rome, utcnow
from centrale.operators.models import Operator, Role
from centrale.rota.models import HolidayRule, RotaLayer, RotaOverride, Rotation
from centrale.rota.service import duty_segments, overrides_of, roles_with_rota
from centrale.uow import Tx
from web import container
from web.api.deps import SessionDep
from web.i18n import lang_of
from web.pages import nav
from web.pages.base import page_actor, render
from web.words.rota import DAY_WORDS, hole_in, interval_in  # also registers the pages' words

router = APIRouter(include_in_schema=False)
nav.add("/turni", "nav_rota", roles=set(ARRANGERS), order=46)
nav.add("/turni/miei", "nav_my_shifts", order=47)

PEOPLE_SLOTS = 4  # selects of a layer's form: the people who take turns, in order


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def rome_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=ROME)


async def active_operators(session: SessionDep) -> Sequence[Operator]:
    query = select(Operator).where(col(Operator.active).is_(True), col(Operator.deleted_at).is_(None))
    return (await session.exec(query.order_by(col(Operator.role), col(Operator.full_name)))).all()


async def _rows(
    session: SessionDep, role: Role, start: datetime, end: datetime, lang: str, only: int | None = None
) -> list[dict]:
    """The role's shifts in [start, end) in words, day by day: when, and who (names); only those of ``only``."""
    rows = []
    for a, b, holders in await duty_segments(session, role, start, end):
        if only is not None and only not in {op.id for op in holders}:
            continue
        for piece_start, piece_end in _by_day(a, b):
            rows.append({"when": interval_in(piece_start, piece_end, lang), "who": [op.full_name for op in holders]})
    return rows


def _by_day(start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """[start, end) cut at each midnight in Rome, so that a week reads one day after the other."""
    pieces: list[tuple[datetime, datetime]] = []
    while True:
        midnight = rome_midnight(to_rome(start).date() + timedelta(days=1))
        if midnight >= end:
            return [*pieces, (start, end)]
        pieces.append((start, midnight))
        start = midnight


async def _changes(session: SessionDep, roles: Sequence[Role], start: datetime, end: datetime) -> list[RotaOverride]:
    found: list[RotaOverride] = []
    for role in roles:
        found.extend(await overrides_of(session, role, start, end))
    return sorted(found, key=lambda o: o.starts_at)


def _change_rows(changes: Sequence[RotaOverride], names: dict[int, str], lang: str) -> list[dict]:
    return [
        {
            "id": o.id,
            "kind": o.kind,
            "role": o.role,
            "when": interval_in(o.starts_at, o.ends_at, lang),
            "takes": names.get(o.operator_id, ""),
            "instead": names.get(o.replaces_id) if o.replaces_id else None,
        }
        for o in changes
    ]


def _week(request: Request) -> date:
    """The Monday of the week asked for (``?settimana=2026-12-07``), this week when absent or wrong."""
    try:
        return monday_of(date.fromisoformat(request.query_params.get("settimana", "")))
    except ValueError:
        return monday_of(to_rome(utcnow()).date())


def form_context(operators: Sequence[Operator]) -> dict[str, object]:
    """What the layer, cover and swap forms offer: roles, operators, days, holiday rules, rotations."""
    return {
        "roles": list(Role),
        "operators": operators,
        "days": [(i, w) for i, w in enumerate(DAY_WORDS)],
        "holiday_rules": list(HolidayRule),
        "rotations": list(Rotation),
        "slots": range(PEOPLE_SLOTS),
    }


async def _refuse(request: Request, session: SessionDep, actor: Actor) -> Response:
    """A role that does not arrange the rota: the refusal audited and said in words."""
    tx = Tx(session=session, db=container.database(request), actor=actor)
    await tx.deny(
        AuditAction.READ,
        "rota.page",
        entity_type="RotaLayer",
        entity_id=None,
        person_id=None,
        reason=f"role {actor.role} does not arrange the rota",
    )
    return render(request, "rota/refused.html", status_code=403, actor=actor)


@router.get("/turni", response_class=HTMLResponse)
async def rota_page(request: Request, session: SessionDep) -> Response:
    actor = await page_actor(request)
    if actor is None:
        return RedirectResponse("/login?next=/turni", status_code=303)
    if actor.role not in ARRANGERS:
        return await _refuse(request, session, actor)
    monday, lang = _week(request), lang_of(request)
    start, end = rome_midnight(monday), rome_midnight(monday + timedelta(days=7))
    layers = (await session.exec(select(RotaLayer).order_by(col(RotaLayer.role), col(RotaLayer.id)))).all()
    roles = sorted(await roles_with_rota(session))
    operators = await active_operators(session)
    names = {op.id or 0: op.full_name for op in operators}
    return render(
        request,
        "rota/index.html",
        actor=actor,
        monday=monday,
        week_words=interval_in(start, end, lang),
        prev=(monday - timedelta(days=7)).isoformat(),
        next=(monday + timedelta(days=7)).isoformat(),
        tables=[(role, await _rows(session, role, start, end, lang)) for role in roles],
        holes=[hole_in(h.role, h.starts_at, h.ends_at, lang) for h in await week_holes(session, start=utcnow())],
        changes=_change_rows(await _changes(session, roles, start, end), names, lang),
        layers=layers,
        names=names,
        saved=request.query_params.get("fatto") == "1",
        form=form_context(operators),
    )


@router.get("/turni/miei", response_class=HTMLResponse)
async def my_shifts_page(request: Request, session: SessionDep) -> Response:
    actor = await page_actor(request)
    if actor is None:
        return RedirectResponse("/login?next=/turni/miei", status_code=303)
    now = utcnow()
    end = now + timedelta(days=14)
    has_rota = actor.role in await roles_with_rota(session)
    lang = lang_of(request)
    rows = await _rows(session, actor.role, now, end, lang, only=actor.operator_id) if has_rota else []
    colleagues = [op for op in await active_operators(session) if op.role == actor.role]
    names = {op.id or 0: op.full_name for op in colleagues}
    mine = [
        o
        for o in await _changes(session, [actor.role], now, end)
        if actor.operator_id in {o.operator_id, o.replaces_id, o.created_by_id}
    ]
    return render(
        request,
        "rota/mine.html",
        actor=actor,
        rows=rows,
        has_rota=has_rota,
        colleagues=[op for op in colleagues if op.id != actor.operator_id],
        changes=_change_rows(mine, names, lang),
        saved=request.query_params.get("fatto") == "1",
    )
