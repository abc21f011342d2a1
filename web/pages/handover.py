"""The "Consegne" page: the incoming operator's digest and "Ho letto le consegne", the outgoing's note,
a coordinator's "Prepara le consegne ora", and the past handovers (who, when, read when).

Every digest shown goes through ``flows.read`` (scoped to the reader, audited); every change through
its flow. The stored digest holds codes and ISO times: the page says them in words, in Rome's time.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from alerts.handover import flows, service
from alerts.handover.digest import SECTIONS
from alerts.handover.models import NOTE_MAX, Handover, HandoverNoteIn
from centrale.audit.models import AuditAction
from centrale.auth.actor import Actor
from centrale.clock import to_rome
from centrale.errors import Invalid
from centrale.operators.models import Operator
from centrale.uow import Tx
from web import container
from web.api.deps import SessionDep, flow_route
from web.pages import nav
from web.pages.base import page_actor, render
from web.words import handover as _words  # noqa: F401 - registers the page's words

router = APIRouter(include_in_schema=False)
nav.add("/consegne", "nav_handover", roles=set(flows.SHIFT_ROLES), order=45)


def when(value: str | datetime | None) -> str:
    """An ISO time of the digest (or a datetime) as Rome's day and hour."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return to_rome(moment).strftime("%d/%m/%Y %H:%M")


def day(value: str | None) -> str:
    return datetime.fromisoformat(value).strftime("%d/%m/%Y") if value else ""


def _tx(request: Request, session: SessionDep, actor: Actor) -> Tx:
    return Tx(session=session, db=container.database(request), actor=actor)


async def _refuse(request: Request, session: SessionDep, actor: Actor) -> Response:
    """A role without shifts: the refusal audited and said in words."""
    await _tx(request, session, actor).deny(
        AuditAction.READ,
        "handover.page",
        entity_type="Handover",
        entity_id=None,
        person_id=None,
        reason=f"role {actor.role} has no shift handover",
    )
    return render(request, "handover/refused.html", status_code=403, actor=actor)


async def _names(session: SessionDep, handovers: list[Handover]) -> dict[int, str]:
    ids = {h.incoming_id for h in handovers} | {h.outgoing_id for h in handovers if h.outgoing_id}
    ids |= {h.acknowledged_by for h in handovers if h.acknowledged_by}
    return await service.names(session, ids)


@router.get("/consegne", response_class=HTMLResponse)
async def handover_page(request: Request, session: SessionDep) -> Response:
    actor = await page_actor(request)
    if actor is None:
        return RedirectResponse("/login?next=/consegne", status_code=303)
    if actor.role not in flows.SHIFT_ROLES:
        return await _refuse(request, session, actor)
    latest = await service.current(session, actor)
    shown = await flows.read(_tx(request, session, actor), handover_id=latest.id) if latest and latest.id else None
    past, _count = await service.past(session, actor, limit=50)
    note = await service.pending_note(session, actor, actor.role)
    operators: list[Operator] = []
    if actor.role in flows.COORDINATION:
        operators = await service.shift_operators(session)
    return render(
        request,
        "handover/index.html",
        actor=actor,
        shown=shown,
        past=past,
        names=await _names(session, past + ([shown] if shown else [])),
        note=note,
        note_max=NOTE_MAX,
        saved=request.query_params.get("nota") == "salvata",
        operators=operators,
        sections=SECTIONS,
        when=when,
        day=day,
    )


@router.get("/consegne/{handover_id}", response_class=HTMLResponse)
async def handover_detail(handover_id: int, request: Request, session: SessionDep) -> Response:
    actor = await page_actor(request)
    if actor is None:
        return RedirectResponse(f"/login?next=/consegne/{handover_id}", status_code=303)
    shown = await flows.read(_tx(request, session, actor), handover_id=handover_id)
    return render(
        request,
        "handover/detail.html",
        actor=actor,
        shown=shown,
        names=await _names(session, [shown]),
        sections=SECTIONS,
        when=when,
        day=day,
        partial=actor.operator_id != shown.incoming_id,
    )


@router.post("/consegne/{handover_id}/letto", openapi_extra=flow_route("handover.acknowledge"))
async def acknowledge(handover_id: int, request: Request, session: SessionDep) -> Response:
    actor = await page_actor(request)
    if actor is None:
        return RedirectResponse("/login", status_code=303)
    tx = _tx(request, session, actor)
    await flows.acknowledge(tx, handover_id=handover_id)
    await tx.commit()
    return RedirectResponse("/consegne", status_code=303)


@router.post("/consegne/nota", openapi_extra=flow_route("handover.note"))
async def write_note(
    request: Request, session: SessionDep, text: Annotated[str, Form(max_length=NOTE_MAX)] = ""
) -> Response:
    actor = await page_actor(request)
    if actor is None:
        return RedirectResponse("/login", status_code=303)
    if not text.strip():
        raise Invalid("text: scrivere la nota / write the note", field="text")
    tx = _tx(request, session, actor)
    await flows.write_note(tx, data=HandoverNoteIn(role=actor.role, text=text.strip()))
    await tx.commit()
    return RedirectResponse("/consegne?nota=salvata", status_code=303)


@router.post("/consegne/prepara", openapi_extra=flow_route("handover.prepare_now"))
async def prepare_now(
    request: Request,
    session: SessionDep,
    incoming_id: Annotated[int, Form()],
    outgoing_id: Annotated[str, Form()] = "",
) -> Response:
    actor = await page_actor(request)
    if actor is None:
        return RedirectResponse("/login", status_code=303)
    if outgoing_id.strip() and not outgoing_id.strip().isdigit():
        raise Invalid("outgoing_id: scegliere un operatore dall'elenco / choose an operator", field="outgoing_id")
    incoming = await session.get(Operator, incoming_id)
    if incoming is None:
        raise Invalid("incoming_id: scegliere un operatore dall'elenco / choose an operator", field="incoming_id")
    tx = _tx(request, session, actor)
    handover = await flows.prepare_now(
        tx, role=incoming.role, incoming_id=incoming_id, outgoing_id=int(outgoing_id) if outgoing_id.strip() else None
    )
    await tx.commit()
    return RedirectResponse(f"/consegne/{handover.id}", status_code=303)
