"""HTTP routes for a person's consents; they pass the person policy like any other person data."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from centrale.audit.models import AuditAction
from centrale.authz.guard import PersonAccess
from centrale.authz.policy import PersonAction
from centrale.consents import service
from centrale.consents.models import ConsentIn, ConsentPublic
from centrale.events.service import commit
from web.api.deps import person_guard

router = APIRouter(prefix="/persons/{person_id}/consents", tags=["consensi"])

Readable = Annotated[PersonAccess, Depends(person_guard(PersonAction.READ, "consent.read"))]
Writable = Annotated[PersonAccess, Depends(person_guard(PersonAction.WRITE, "consent.record"))]


@router.get("", response_model=list[ConsentPublic], summary="Consensi (storico) / consents with history")
async def list_consents(access: Readable) -> list[ConsentPublic]:
    rows = await service.history(access.session, person_id=access.person_id)
    return [ConsentPublic.model_validate(r) for r in rows]


@router.post("", response_model=ConsentPublic, status_code=201, summary="Registra un consenso / record")
async def record_consent(data: ConsentIn, access: Writable) -> ConsentPublic:
    row = await service.record_consent(access.session, person_id=access.person_id, data=data, actor=access.actor)
    access.audit(AuditAction.CREATE, "consent.record", "Consent", row.id)
    await commit(access.session)
    return ConsentPublic.model_validate(row)
