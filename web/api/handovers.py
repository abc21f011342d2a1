"""HTTP routes for the shift handover: the list, one digest (audited read), prepare now, the note, acknowledge."""

from __future__ import annotations

from fastapi import APIRouter, Query

from alerts.handover import flows, service
from alerts.handover.models import (
    Handover,
    HandoverNote,
    HandoverNoteIn,
    HandoverPrepare,
    HandoverPublic,
    HandoverSummary,
)
from centrale.common import Page
from centrale.operators.models import Role
from web.api.deps import CurrentActor, PagingDep, SessionDep, TxDep, flow_route

router = APIRouter(prefix="/handovers", tags=["consegne"])


def _public(handover: Handover) -> HandoverPublic:
    return HandoverPublic.model_validate(handover.model_dump())


@router.get("", response_model=Page[HandoverSummary], summary="Consegne passate (chi, quando, lette quando)")
async def list_handovers(session: SessionDep, actor: CurrentActor, paging: PagingDep) -> Page[HandoverSummary]:
    rows, count = await service.past(session, actor, offset=paging.offset, limit=paging.limit)
    return Page(data=[HandoverSummary.model_validate(h.model_dump()) for h in rows], count=count)


@router.get("/note", response_model=HandoverNoteIn | None, summary="La mia nota per le prossime consegne")
async def my_note(
    session: SessionDep, actor: CurrentActor, role: Role | None = Query(default=None)
) -> HandoverNote | None:
    return await service.pending_note(session, actor, role or actor.role)


@router.put("/note", response_model=HandoverNoteIn, openapi_extra=flow_route("handover.note"))
async def write_note(data: HandoverNoteIn, tx: TxDep) -> HandoverNote:
    """Scrive o modifica la nota per chi entra in turno / write the note for the incoming operator."""
    note = await flows.write_note(tx, data=data)
    await tx.commit()
    return note


@router.get("/{handover_id}", response_model=HandoverPublic, summary="Consegne (lettura registrata)")
async def read_handover(handover_id: int, tx: TxDep) -> HandoverPublic:
    return _public(await flows.read(tx, handover_id=handover_id))


@router.post("", response_model=HandoverPublic, status_code=201, openapi_extra=flow_route("handover.prepare_now"))
async def prepare_now(data: HandoverPrepare, tx: TxDep) -> HandoverPublic:
    """Prepara le consegne ora (coordinatore) / prepare a handover now."""
    handover = await flows.prepare_now(tx, role=data.role, incoming_id=data.incoming_id, outgoing_id=data.outgoing_id)
    await tx.commit()
    await tx.session.refresh(handover)
    return _public(handover)


@router.post(
    "/{handover_id}/acknowledge", response_model=HandoverPublic, openapi_extra=flow_route("handover.acknowledge")
)
async def acknowledge(handover_id: int, tx: TxDep) -> HandoverPublic:
    """Ho letto le consegne (solo chi entra in turno) / acknowledged by the incoming operator only."""
    handover = await flows.acknowledge(tx, handover_id=handover_id)
    await tx.commit()
    await tx.session.refresh(handover)
    return _public(handover)
