"""Operators' SMS API: the quarantine of unknown senders (review, assign, discard), opt-out by hand."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from sqlmodel import SQLModel

from alerts.sms import quarantine
from alerts.sms.models import InboundSmsPublic, OptOutIn
from alerts.sms.service import set_opt_out
from centrale.audit.models import AuditAction
from centrale.audit.service import build_event, record
from centrale.auth.actor import Actor
from centrale.authz.guard import audit_read
from centrale.common import Page
from centrale.events.service import commit
from centrale.operators.models import Role
from web import container
from web.api.deps import PagingDep, SessionDep, require_roles

router = APIRouter(prefix="/sms", tags=["sms"])
Reviewer = Annotated[Actor, Depends(require_roles(Role.COORDINATORE, Role.OPERATORE_PUA, Role.AMMINISTRATORE))]


class AssignIn(SQLModel):
    sentinel_id: int | None = None
    person_id: int | None = None


def _audit(session: SessionDep, actor: Actor, subtype: str, message_id: int, person_id: int | None) -> None:
    record(
        session,
        build_event(
            agent=actor.agent(),
            action=AuditAction.UPDATE,
            subtype=subtype,
            entity_type="InboundSms",
            entity_id=message_id,
            person_id=person_id,
        ),
    )


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


@router.post("/quarantena/{message_id}/assegna", response_model=InboundSmsPublic)
async def assign(message_id: int, data: AssignIn, actor: Reviewer, session: SessionDep) -> InboundSmsPublic:
    """Assegna a una sentinella o a una persona: si apre (o si unisce) l'allerta."""
    message = await quarantine.assign(
        session,
        message_id=message_id,
        operator_id=actor.operator_id,
        sentinel_id=data.sentinel_id,
        person_id=data.person_id,
    )
    _audit(session, actor, "sms.quarantine.assign", message_id, message.person_id)
    await commit(session)
    return InboundSmsPublic.model_validate(message, from_attributes=True)


@router.post("/quarantena/{message_id}/scarta", response_model=InboundSmsPublic)
async def discard(message_id: int, actor: Reviewer, session: SessionDep) -> InboundSmsPublic:
    message = await quarantine.discard(session, message_id=message_id, operator_id=actor.operator_id)
    _audit(session, actor, "sms.quarantine.discard", message_id, None)
    await commit(session)
    return InboundSmsPublic.model_validate(message, from_attributes=True)


@router.post("/opt-out", status_code=204)
async def opt_out(data: OptOutIn, actor: Reviewer, session: SessionDep) -> None:
    """Registra a mano la richiesta di non ricevere SMS (o la revoca) / record an opt-out by hand."""
    await set_opt_out(session, phone=data.phone, opted_out=data.opted_out, word="OPERATORE")
    record(
        session,
        build_event(
            agent=actor.agent(),
            action=AuditAction.UPDATE,
            subtype="sms.opt_out",
            entity_type="Phone",
            entity_id=data.phone[-4:],
            person_id=None,
        ),
    )
    await commit(session)
