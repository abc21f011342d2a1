"""The "Turni" pages' forms: each parses its fields, calls the rota's flow, and goes back to the page.

A field that cannot be read is an error naming it in words (``web.words.rota.FIELDS``); what the flow
refuses (a shift that is not the asker's, an interval already over) is its own sentence.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TypeVar

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import SQLModel
from starlette.datastructures import FormData

from alerts.rota import flows
from centrale.auth.actor import Actor
from centrale.clock import ROME
from centrale.errors import Invalid
from centrale.operators.models import Operator, Role
from centrale.rota.models import CoverCreate, RotaLayerCreate, RotaLayerUpdate, SwapCreate
from centrale.uow import Tx
from web import container
from web.api.deps import SessionDep, flow_route
from web.pages.base import page_actor
from web.words import rota as _words  # noqa: F401 - registers the pages' words

router = APIRouter(include_in_schema=False)
T = TypeVar("T", bound=SQLModel)

BACK = ("/turni", "/turni/miei")


def _back(form: FormData) -> str:
    """Where to go after the change: one of the rota's pages, never a URL the form brings."""
    asked = str(form.get("torna", ""))
    return (asked if asked in BACK else BACK[0]) + "?fatto=1"


def _text(form: FormData, key: str) -> str:
    return str(form.get(key, "")).strip()


def _id(form: FormData, key: str, *, required: bool = True) -> int | None:
    value = _text(form, key)
    if not value and not required:
        return None
    if not value.isdigit():
        raise Invalid(f"{key}: scegliere una persona dall'elenco / choose from the list", field=key)
    return int(value)


def _day(form: FormData, key: str) -> date:
    try:
        return date.fromisoformat(_text(form, key))
    except ValueError:
        raise Invalid(f"{key}: scrivere una data (giorno, mese, anno) / write a date", field=key) from None


def _clock(form: FormData, key: str) -> time:
    value = _text(form, key)
    hours, _, minutes = value.partition(":")
    if not (hours.isdigit() and minutes[:2].isdigit() and int(hours) < 24 and int(minutes[:2]) < 60):
        raise Invalid(f"{key}: scrivere un orario come 08:00 / write a time such as 08:00", field=key)
    return time(int(hours), int(minutes[:2]))


def _interval(form: FormData, day: str, start: str, end: str) -> tuple[datetime, datetime]:
    """A day and two times (Rome) as an interval; an end not after the start is on the next day (a night)."""
    on = _day(form, day)
    a = datetime.combine(on, _clock(form, start), tzinfo=ROME)
    b = datetime.combine(on, _clock(form, end), tzinfo=ROME)
    return a, b if b > a else datetime.combine(on + timedelta(days=1), _clock(form, end), tzinfo=ROME)


def _role(form: FormData) -> Role:
    try:
        return Role(_text(form, "role"))
    except ValueError:
        raise Invalid("role: scegliere un ruolo dall'elenco / choose a role", field="role") from None


def _layer(form: FormData) -> dict[str, object]:
    """The layer form's fields as the flow's input (validated there: times, days, people)."""
    people = [v for v in (str(x).strip() for x in form.getlist("operator_ids")) if v]
    if not all(p.isdigit() for p in people):
        raise Invalid("operator_ids: scegliere le persone dall'elenco / choose from the list", field="operator_ids")
    days = [str(x) for x in form.getlist("weekdays")]
    if not days or not all(d.isdigit() for d in days):
        raise Invalid("weekdays: scegliere almeno un giorno dall'elenco / choose the days", field="weekdays")
    return {
        "name": _text(form, "name"),
        "role": _role(form),
        "starts_on": _day(form, "starts_on"),
        "handoffs": [h for h in _text(form, "handoffs").replace(";", ",").replace(" ", ",").split(",") if h],
        "ends_at": _text(form, "ends_at") or None,
        "weekdays": [] if len(set(days)) == 7 else sorted({int(d) for d in days}),
        "holidays": _text(form, "holidays") or "ANCHE",
        "rotation": _text(form, "rotation") or "TURNO",
        "operator_ids": [int(p) for p in people],
        "active": _text(form, "active") == "1",
    }


def _parsed(model: type[T], data: dict[str, object]) -> T:
    """The form's fields as the flow's input; what does not fit is a 422 page naming the field in words."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors()) from None


async def _signed_in(request: Request, session: SessionDep) -> tuple[Actor, Tx, FormData] | Response:
    actor = await page_actor(request)
    if actor is None:
        return RedirectResponse("/login", status_code=303)
    return actor, Tx(session=session, db=container.database(request), actor=actor), await request.form()


@router.post("/turni/livelli", openapi_extra=flow_route("rota.layer_create"))
async def create_layer(request: Request, session: SessionDep) -> Response:
    if isinstance(got := await _signed_in(request, session), Response):
        return got
    _, tx, form = got
    await flows.create_layer(tx, data=_parsed(RotaLayerCreate, _layer(form)))
    await tx.commit()
    return RedirectResponse(_back(form), status_code=303)


@router.post("/turni/livelli/{layer_id}", openapi_extra=flow_route("rota.layer_update"))
async def update_layer(layer_id: int, request: Request, session: SessionDep) -> Response:
    if isinstance(got := await _signed_in(request, session), Response):
        return got
    _, tx, form = got
    await flows.update_layer(tx, layer_id=layer_id, data=_parsed(RotaLayerUpdate, _layer(form)))
    await tx.commit()
    return RedirectResponse(_back(form), status_code=303)


async def _role_of(session: SessionDep, operator_id: int | None, field: str) -> Role:
    """The shift's role: that of the operator the form names."""
    op = None if operator_id is None else await session.get(Operator, operator_id)
    if op is None:
        raise Invalid(f"{field}: scegliere una persona dall'elenco / choose from the list", field=field)
    return op.role


@router.post("/turni/coperture", openapi_extra=flow_route("rota.cover"))
async def cover(request: Request, session: SessionDep) -> Response:
    if isinstance(got := await _signed_in(request, session), Response):
        return got
    _, tx, form = got
    taker = _id(form, "operator_id")
    start, end = _interval(form, "day", "from_time", "to_time")
    data = _parsed(
        CoverCreate,
        dict(
            role=await _role_of(session, taker, "operator_id"),
            operator_id=taker or 0,
            replaces_id=_id(form, "replaces_id", required=False),
            starts_at=start,
            ends_at=end,
        ),
    )
    await flows.cover_shift(tx, data=data)
    await tx.commit()
    return RedirectResponse(_back(form), status_code=303)


@router.post("/turni/scambi", openapi_extra=flow_route("rota.swap"))
async def swap(request: Request, session: SessionDep) -> Response:
    if isinstance(got := await _signed_in(request, session), Response):
        return got
    _, tx, form = got
    giver = _id(form, "operator_id")
    start, end = _interval(form, "day", "from_time", "to_time")
    back: tuple[datetime | None, datetime | None] = (None, None)
    if any(_text(form, k) for k in ("back_day", "back_from_time", "back_to_time")):
        back = _interval(form, "back_day", "back_from_time", "back_to_time")
    data = _parsed(
        SwapCreate,
        dict(
            role=await _role_of(session, giver, "operator_id"),
            operator_id=giver or 0,
            with_operator_id=_id(form, "with_operator_id") or 0,
            starts_at=start,
            ends_at=end,
            back_starts_at=back[0],
            back_ends_at=back[1],
        ),
    )
    await flows.swap_shifts(tx, data=data)
    await tx.commit()
    return RedirectResponse(_back(form), status_code=303)


@router.post("/turni/variazioni/{override_id}/annulla", openapi_extra=flow_route("rota.override_remove"))
async def remove(override_id: int, request: Request, session: SessionDep) -> Response:
    if isinstance(got := await _signed_in(request, session), Response):
        return got
    _, tx, form = got
    await flows.remove_override(tx, override_id=override_id)
    await tx.commit()
    return RedirectResponse(_back(form), status_code=303)
