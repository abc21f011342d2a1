"""HTTP routes for escalation policies: administrators edit them; coordinators may read them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from alerts.escalation import flows, service
from alerts.escalation.models import (
    EscalationPolicy,
    EscalationPolicyCreate,
    EscalationPolicyPublic,
    EscalationPolicyUpdate,
)
from centrale.auth.actor import Actor
from centrale.operators.models import Role
from web.api.deps import SessionDep, TxDep, flow_route, require_roles

router = APIRouter(prefix="/escalation-policies", tags=["escalation"])
Reader = Annotated[Actor, Depends(require_roles(Role.AMMINISTRATORE, Role.COORDINATORE))]


def _public(policy: EscalationPolicy) -> EscalationPolicyPublic:
    return EscalationPolicyPublic.model_validate(policy.model_dump())


@router.get("", response_model=list[EscalationPolicyPublic], summary="Politiche di escalation")
async def list_policies(session: SessionDep, actor: Reader) -> list[EscalationPolicyPublic]:
    return [_public(p) for p in await service.list_policies(session)]


@router.get("/{policy_id}", response_model=EscalationPolicyPublic)
async def read_policy(policy_id: int, session: SessionDep, actor: Reader) -> EscalationPolicyPublic:
    return _public(await service.get_policy(session, policy_id=policy_id))


@router.post("", response_model=EscalationPolicyPublic, status_code=201, openapi_extra=flow_route("policy.create"))
async def create_policy(data: EscalationPolicyCreate, tx: TxDep) -> EscalationPolicyPublic:
    """Nuova politica; le allerte aperte conservano quella con cui sono nate."""
    policy = await flows.create_policy(tx, data=data)
    await tx.commit()
    return _public(policy)


@router.patch("/{policy_id}", response_model=EscalationPolicyPublic, openapi_extra=flow_route("policy.update"))
async def update_policy(policy_id: int, data: EscalationPolicyUpdate, tx: TxDep) -> EscalationPolicyPublic:
    """Modifica passi, ambito o tempi di una politica / change a policy."""
    policy = await flows.update_policy(tx, policy_id=policy_id, data=data)
    await tx.commit()
    await tx.session.refresh(policy)
    return _public(policy)


@router.delete("/{policy_id}", status_code=204, openapi_extra=flow_route("policy.delete"))
async def delete_policy(policy_id: int, tx: TxDep) -> Response:
    """Disattiva (le allerte già aperte possono ancora riferirvisi)."""
    await flows.delete_policy(tx, policy_id=policy_id)
    await tx.commit()
    return Response(status_code=204)
