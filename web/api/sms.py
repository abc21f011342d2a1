"""Operators' SMS API: the quarantine of unknown senders (review, assign, discard), opt-out by hand."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from sqlmodel import SQLModel

from alerts.sms import quarantine, review
from alerts.sms.models import InboundSmsPublic, OptOutIn
from centrale.auth.actor import Actor
from centrale.authz.guard import audit_read
from centrale.common import Page
from web import container
from web.api.deps import PagingDep, SessionDep, TxDep, flow_route, require_roles

router = APIRouter(prefix="/sms", tags=["sms"])
Reviewer = Annotated[Actor, Depends(require_roles(*sorted(review.REVIEWERS)))]


class AssignIn(SQLModel):
    sentinel_id: int | None = None
    person_id: int | None = None


@router.get("/quarantena", response_model=Page[InboundSmsPublic])
async def list_quarantine(
    request: Request, actor: Reviewer, session: SessionDep, page: PagingDep
) -> Page[InboundSmsPublic]:
    """Messaggi da numeri sconosciuti in attesa di revisione / messages from unknown numbers."""
    rows, total = await quarantine.quarantined(session, offset=page.offset, limit=page.limit)
    await audit_read(
        container.database(request),
        actor,
        subtype="sms.quarantine.list",
        entity_type="InboundSms",
        entity_id="quarantena",
        person_id=None,
    )
    return Page(data=[InboundSmsPublic.model_validate(r, from_attributes=True) for r in rows], count=total)


@router.post(
    "/quarantena/{message_id}/assegna",
    response_model=InboundSmsPublic,
    openapi_extra=flow_route("sms.quarantine_assign"),
)
async def assign(message_id: int, data: AssignIn, tx: TxDep) -> InboundSmsPublic:
    """Assegna a una sentinella o a una persona: si apre (o si unisce) l'allerta."""
    message = await review.assign_quarantined(
        tx, message_id=message_id, sentinel_id=data.sentinel_id, person_id=data.person_id
    )
    await tx.commit()
    return InboundSmsPublic.model_validate(message, from_attributes=True)


@router.post(
    "/quarantena/{message_id}/scarta",
    response_model=InboundSmsPublic,
    openapi_extra=flow_route("sms.quarantine_discard"),
)
async def discard(message_id: int, tx: TxDep) -> InboundSmsPublic:
    """Scarta un messaggio in quarantena (resta conservato) / discard a quarantined message."""
    message = await review.discard_quarantined(tx, message_id=message_id)
    await tx.commit()
    return InboundSmsPublic.model_validate(message, from_attributes=True)


@router.post("/opt-out", status_code=204, openapi_extra=flow_route("sms.opt_out"))
async def opt_out(data: OptOutIn, tx: TxDep) -> None:
    """Registra a mano la richiesta di non ricevere SMS (o la revoca) / record an opt-out by hand."""
    await review.record_opt_out(tx, phone=data.phone, opted_out=data.opted_out)
    await tx.commit()
