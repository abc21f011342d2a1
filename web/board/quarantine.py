"""The board's quarantine panel: messages from unknown numbers, and the operator's decisions on them.

``GET /board/quarantena`` lists what waits (the snapshot's panel, reloaded when a ``sms.quarantined`` or
``sms.reviewed`` event arrives); ``GET /board/quarantena/destinazioni`` the buildings and persons a
message may be attached to (those the operator sees); each decision calls its flow
(``alerts/sms/review.py``): attach to a person or a building (the alert is raised or joined), register
the sender as a sentinel of a building (then the message is their report), or discard.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlmodel import col

from alerts.sms import review
from centrale.audit.service import record_covering
from centrale.auth.actor import Actor
from centrale.authz.policy import visibility_clause
from centrale.condomini.models import AssistedPerson, Condominio
from centrale.events.service import commit
from centrale.persons.models import Person
from web.api.deps import SessionDep, TxDep, flow_route, require_roles
from web.board import panels
from web.board.scope import condominio_clause
from web.board.shown import Shown, audit_row

router = APIRouter(prefix="/quarantena", tags=["bacheca"])
Reviewer = Annotated[Actor, Depends(require_roles(*sorted(review.REVIEWERS)))]


class AttachIn(BaseModel):
    person_id: int | None = Field(default=None, gt=0, description="La persona di cui parla il messaggio")
    condominio_id: int | None = Field(default=None, gt=0, description="Il condominio di cui parla il messaggio")


class RegisterIn(BaseModel):
    condominio_id: int = Field(gt=0, description="Il condominio della nuova sentinella")
    name: str = Field(min_length=1, max_length=200, description="Come si chiama la sentinella")
    consent_sms: bool = Field(default=False, description="Ha dato il consenso a ricevere SMS")


@router.get("", summary="Messaggi in quarantena / quarantined messages")
async def waiting(session: SessionDep, actor: Reviewer) -> dict[str, Any]:
    """Quanti messaggi da numeri sconosciuti attendono una decisione, e i più recenti."""
    found = await panels.quarantine(session, actor, Shown())
    await commit(session)
    return found or {"count": 0, "items": []}


@router.get("/destinazioni", summary="Condomini e persone a cui attribuire un messaggio / targets")
async def targets(session: SessionDep, actor: Reviewer) -> dict[str, Any]:
    """I condomini che l'operatore vede, con le persone seguite che può leggere (una lettura registrata)."""
    connection = await session.connection()
    buildings = (
        await connection.execute(
            select(col(Condominio.id), col(Condominio.name), col(Condominio.indirizzo))
            .where(col(Condominio.deleted_at).is_(None), condominio_clause(actor))
            .order_by(col(Condominio.name))
        )
    ).all()
    persons = (
        await connection.execute(
            select(
                col(AssistedPerson.condominio_id),
                col(Person.id),
                col(Person.cognome),
                col(Person.nome),
                col(AssistedPerson.alias),
            )
            .join(Person, col(Person.id) == col(AssistedPerson.person_id))
            .where(col(AssistedPerson.active).is_(True), visibility_clause(actor))
            .order_by(col(Person.cognome), col(Person.nome))
        )
    ).all()
    shown = Shown()
    shown.add("targets", (row[1] for row in persons))
    row = audit_row(actor, shown, subtype="board-quarantine-targets", reference=None)
    if row is not None:
        await record_covering(session, [(row, shown.persons)])
    await commit(session)
    by_building: dict[int, list[dict[str, Any]]] = {}
    for condominio_id, person_id, cognome, nome, alias in persons:
        by_building.setdefault(condominio_id, []).append({"id": person_id, "name": f"{cognome} {nome}", "alias": alias})
    return {
        "data": [
            {"id": i, "name": name, "address": address, "persons": by_building.get(int(i or 0), [])}
            for i, name, address in buildings
        ]
    }


def _answer(message: Any) -> dict[str, Any]:
    return {"id": message.id, "state": message.state, "alert_id": message.alert_id}


@router.post(
    "/{message_id}/attribuisci",
    summary="Attribuisci a una persona o a un condominio / attach",
    openapi_extra=flow_route("sms.quarantine_assign"),
)
async def attach(message_id: int, data: AttachIn, tx: TxDep) -> dict[str, Any]:
    """Il messaggio diventa una segnalazione sulla persona (o sul condominio): l'allerta si apre o si unisce."""
    message = await review.assign_quarantined(
        tx, message_id=message_id, sentinel_id=None, person_id=data.person_id, condominio_id=data.condominio_id
    )
    await tx.commit()
    return _answer(message)


@router.post(
    "/{message_id}/registra",
    summary="Registra il mittente come sentinella / register the sender",
    openapi_extra=flow_route("sms.quarantine_register"),
)
async def register(message_id: int, data: RegisterIn, tx: TxDep) -> dict[str, Any]:
    """Il mittente diventa sentinella del condominio; il messaggio diventa la sua segnalazione."""
    sentinel, message = await review.register_sender(
        tx, message_id=message_id, condominio_id=data.condominio_id, name=data.name, consent_sms=data.consent_sms
    )
    await tx.commit()
    return _answer(message) | {"sentinel_id": sentinel.id}


@router.post(
    "/{message_id}/scarta",
    summary="Scarta / discard",
    openapi_extra=flow_route("sms.quarantine_discard"),
)
async def discard(message_id: int, tx: TxDep) -> dict[str, Any]:
    """Scarta il messaggio (resta conservato)."""
    message = await review.discard_quarantined(tx, message_id=message_id)
    await tx.commit()
    return _answer(message)
