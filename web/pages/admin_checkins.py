"""Centrale administration: check-in schedules per person or building with their days in words, the
heat-wave level with what it changes, and the coverage check of the escalation policies on demand.

People are named by their building and alias ("Via Decima 40 — B3"), never by name: the list reads no file.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import col, select

from alerts.checkins import flows as checkin_flows
from alerts.checkins import service as checkins
from alerts.checkins.models import CheckinSchedule, CheckinScheduleCreate
from alerts.checkins.service import DENSE_FROM_LEVEL
from alerts.coverage import Gap, coverage_gaps
from centrale.auth.actor import Actor
from centrale.clock import to_rome
from centrale.condomini.models import AssistedPerson, Condominio, Sentinel
from centrale.errors import Conflict, DomainError, Invalid
from centrale.operators.models import Role
from centrale.organisations.models import Organisation
from centrale.plans.recurrence import WEEKDAYS, Repeat, to_rule
from centrale.uow import Tx
from web.api.deps import SessionDep, flow_route
from web.errors import status_of
from web.i18n import label, lang_of
from web.pages.admin import say
from web.pages.base import render
from web.pages.plans import when_of_form
from web.pages.refused import page_tx, refused_page
from web.words.recurrence import DAYS, describe

router = APIRouter(include_in_schema=False)
READERS = {Role.AMMINISTRATORE, Role.COORDINATORE}

HEAT_WORDS = {
    0: "Nessun rischio: i check-in seguono il calendario di ogni persona.",
    1: "Pre-allerta: i check-in seguono ancora il calendario di ogni persona; conviene verificare la lista a rischio.",
    2: "Condizioni di rischio: le persone della lista a rischio passano al loro calendario più fitto.",
    3: "Ondata di calore: le persone della lista a rischio restano sul calendario più fitto.",
}


async def _reader(request: Request, tx: Tx) -> Actor | Response:
    actor = tx.require_actor()
    if actor.role not in READERS:
        return render(request, "admin/forbidden.html", status_code=403, actor=actor)
    return actor


async def _who(tx: Tx) -> tuple[dict[int, str], dict[int, str], list[tuple[int, str]], list[tuple[int, str]]]:
    """Names of buildings; each followed person as "building — alias"; each sentinel as "building — name"."""
    session = tx.session
    buildings = {
        c.id or 0: c.name
        for c in (await session.exec(select(Condominio).where(col(Condominio.deleted_at).is_(None)))).all()
    }
    people = [
        (a.person_id, f"{buildings.get(a.condominio_id, '')} — {a.alias}")
        for a in (await session.exec(select(AssistedPerson).where(col(AssistedPerson.active)))).all()
        if a.condominio_id in buildings
    ]
    sentinels = [
        (s.id or 0, f"{buildings.get(s.condominio_id, '')} — {s.name}")
        for s in (await session.exec(select(Sentinel).where(col(Sentinel.deleted_at).is_(None)))).all()
    ]
    return buildings, dict(people), sorted(people, key=lambda p: p[1]), sorted(sentinels, key=lambda s: s[1])


async def _page(
    request: Request, tx: Tx, actor: Actor, *, error: str | None = None, status: int = 200, form: Any = None
) -> Response:
    lang = lang_of(request)
    level = await checkins.current_level(tx.session)
    _, person_names, people, sentinels = await _who(tx)
    sentinel_names = dict(sentinels)
    rows: list[dict[str, Any]] = []
    schedules: list[CheckinSchedule] = []
    for s in (await tx.session.exec(select(CheckinSchedule).order_by(col(CheckinSchedule.id)))).all():
        rows.append(
            {
                "s": s,
                "who": person_names.get(s.person_id or 0, "persona seguita fuori dai condomini")
                if s.person_id
                else sentinel_names.get(s.sentinel_id or 0, "sentinella"),
                "kind": "persona" if s.person_id else "sentinella",
                "rule": describe(s.rrule, lang),
                "dense": describe(s.dense_rrule, lang) if s.dense_rrule else None,
                "in_force": describe(checkins.rule_in_force(s, level), lang),
                "next_at": to_rome(s.next_at) if s.next_at else None,
            }
        )
        schedules.append(s)
    moving = [r for r, s in zip(rows, schedules, strict=True) if s.at_risk and s.dense_rrule and s.active]
    return render(
        request,
        "admin/checkins.html",
        status_code=status,
        actor=actor,
        level=level,
        heat_words=HEAT_WORDS,
        dense_from=DENSE_FROM_LEVEL,
        moving=moving,
        rows=rows,
        people=people,
        sentinels=sentinels,
        repeats=[Repeat.GIORNALIERA, Repeat.SETTIMANALE],
        weekdays=[(code, DAYS[lang][code]) for code in WEEKDAYS],
        may_set_heat=actor.role in checkin_flows.HEAT_SETTERS,
        error=error,
        form=form or {},
    )


@router.get("/amministrazione/checkin", response_class=HTMLResponse)
async def checkins_page(request: Request, session: SessionDep) -> Response:
    tx = await page_tx(request, session)
    if isinstance(actor := await _reader(request, tx), Response):
        return actor
    return await _page(request, tx, actor)


class _Form(dict[str, Any]):
    """A mapping with ``getlist``, as ``when_of_form`` reads."""

    def getlist(self, key: str) -> list[Any]:
        value = self.get(key)
        return value if isinstance(value, list) else ([] if value is None else [value])


def _wrap(form: Any) -> _Form:
    out = _Form()
    for key in form:
        values = form.getlist(key)
        out[key] = values if key.startswith("day") else values[-1]
    return out


def _rule(form: _Form, suffix: str) -> str | None:
    """A check-in rule from the day and time controls (suffix "" for the usual one, "_dense" for the heat wave)."""
    if suffix:
        picked = _Form({k.removesuffix(suffix): v for k, v in form.items() if k.endswith(suffix)})
    else:
        picked = _Form({k: v for k, v in form.items() if not k.endswith("_dense")})
    if not picked.get("repeat"):
        return None
    _, rule = to_rule(when_of_form(picked))
    return rule


@router.post("/amministrazione/checkin", openapi_extra=flow_route("checkins.schedule_create"))
async def schedule_submit(request: Request, session: SessionDep) -> Response:
    tx = await page_tx(request, session)
    actor = tx.require_actor()  # the flow authorises on the person or the sentinel's building (refusals audited)
    form = await request.form()
    target = str(form.get("target") or "")
    try:
        kind, _, ident = target.partition(":")
        if kind not in ("persona", "sentinella") or not ident.isdigit():
            raise Invalid("target: scegliere la persona o la sentinella", field="person_id")
        wrapped = _wrap(form)
        usual, dense = _rule(wrapped, ""), _rule(wrapped, "_dense")
        if usual is None:
            raise Invalid("rrule: scegliere quando mandare il check-in", field="rrule")
        data = CheckinScheduleCreate.model_validate(
            {
                "person_id": int(ident) if kind == "persona" else None,
                "sentinel_id": int(ident) if kind == "sentinella" else None,
                "phone": str(form.get("phone") or "").strip(),
                "rrule": usual,
                "dense_rrule": dense,
                "at_risk": bool(form.get("at_risk")),
                "window_minutes": form.get("window_minutes") or 60,
            }
        )
        await checkin_flows.create_schedule(tx, data=data)
    except (ValidationError, Invalid, Conflict) as exc:
        await tx.rollback()
        status = status_of(exc) if isinstance(exc, DomainError) else 422
        return await _page(request, tx, actor, error=say(exc), status=status, form=form)
    except DomainError as exc:
        return refused_page(request, actor, exc, back="/amministrazione/checkin")
    await tx.commit()
    return RedirectResponse("/amministrazione/checkin", status_code=303)


@router.post("/amministrazione/ondata-di-calore", openapi_extra=flow_route("heat.set_level"))
async def heat_submit(request: Request, session: SessionDep) -> Response:
    tx = await page_tx(request, session)
    actor = tx.require_actor()  # the flow decides who may set the level (refusals audited)
    raw = str((await request.form()).get("level") or "")
    try:
        if raw not in ("0", "1", "2", "3"):
            raise Invalid("level: il livello va da 0 a 3", field="level")
        await checkin_flows.set_heat_level(tx, level=int(raw))
    except Invalid as exc:
        await tx.rollback()
        return await _page(request, tx, actor, error=say(exc), status=422)
    except DomainError as exc:
        return refused_page(request, actor, exc, back="/amministrazione/checkin")
    await tx.commit()
    return RedirectResponse("/amministrazione/checkin", status_code=303)


def gap_words(gap: Gap, buildings: dict[int, str], orgs: dict[int, str], lang: str = "it") -> str:
    """ "Nessun Tutor raggiungibile per SMS nel condominio Via Decima 40"."""
    kind, _, ident = gap.where.partition(" ")
    if kind == "condominio":
        where = f"nel condominio {buildings.get(int(ident), ident)}"
    elif kind == "organizzazione":
        where = f"per le persone di {orgs.get(int(ident), ident)}"
    else:
        where = "in tutto il distretto"
    how = " o ".join(label(c, lang).lower() for c in gap.channels)
    return f"Nessun {label(gap.role, lang)} raggiungibile ({how}) {where}"


@router.get("/amministrazione/copertura", response_class=HTMLResponse)
async def coverage_page(request: Request, session: SessionDep) -> Response:
    """The coverage check run now (a read: the daily job raises the alert)."""
    tx = await page_tx(request, session)
    if isinstance(actor := await _reader(request, tx), Response):
        return actor
    buildings, _, _, _ = await _who(tx)
    orgs = {o.id or 0: o.name for o in (await session.exec(select(Organisation))).all()}
    lang = lang_of(request)
    gaps = [gap_words(g, buildings, orgs, lang) for g in await coverage_gaps(session)]
    return render(request, "admin/coverage.html", actor=actor, gaps=gaps)
