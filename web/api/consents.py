"""HTTP routes for a person's consents; they pass the person policy like any other person data."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from centrale.authz.guard import PersonAccess
from centrale.authz.policy import PersonAction
from centrale.consents import flows, service
from centrale.consents.models import ConsentIn, ConsentPublic
from web.api.deps import TxDep, flow_route, person_guard

router = APIRouter(prefix="/persons/{person_id}/consents", tags=["consensi"])

Readable = Annotated[PersonAccess, Depends(person_guard(PersonAction.READ, "consent.read"))]


@router.get("", response_model=list[ConsentPublic], summary="Consensi (storico) / consents with history")
async def list_consents(access: Readable) -> list[ConsentPublic]:
    rows = await service.history(access.session, person_id=access.person_id)
    return [ConsentPublic.model_validate(r) for r in rows]


@router.post(
    "",
    response_model=ConsentPublic,
    status_code=201,
    summary="Registra un consenso / record",
    openapi_extra=flow_route("consent.record"),
)
async def record_consent(person_id: int, data: ConsentIn, tx: TxDep) -> ConsentPublic:
    row = await flows.record_consent(tx, person_id=person_id, data=data)
    await tx.commit()
    return ConsentPublic.model_validate(row)
