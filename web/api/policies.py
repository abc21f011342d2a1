"""HTTP routes for escalation policies: administrators edit them; coordinators may read them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response
from sqlmodel import col, select

from alerts.escalation import service
from alerts.escalation.models import (
    EscalationPolicy,
    EscalationPolicyCreate,
    EscalationPolicyPublic,
    EscalationPolicyUpdate,
)
from centrale.audit.models import AuditAction
from centrale.audit.service import build_event, record
from centrale.auth.actor import Actor
from centrale.common import Conflict
from centrale.events.service import commit
from centrale.operators.models import Role
from web.api.deps import SessionDep, require_roles

router = APIRouter(prefix="/escalation-policies", tags=["escalation"])
Admin = Annotated[Actor, Depends(require_roles(Role.AMMINISTRATORE))]
Reader = Annotated[Actor, Depends(require_roles(Role.AMMINISTRATORE, Role.COORDINATORE))]


def _public(policy: EscalationPolicy) -> EscalationPolicyPublic:
    return EscalationPolicyPublic.model_validate(policy.model_dump())


def _audit(session: SessionDep, actor: Actor, action: AuditAction, policy_id: object) -> None:
    record(
        session,
        build_event(
            agent=actor.agent(),
            action=action,
            subtype="escalation.policy",
            entity_type="EscalationPolicy",
            entity_id=policy_id,
            person_id=None,
        ),
    )


@router.get("", response_model=list[EscalationPolicyPublic], summary="Politiche di escalation")
async def list_policies(session: SessionDep, actor: Reader) -> list[EscalationPolicyPublic]:
    return [_public(p) for p in await service.list_policies(session)]


@router.get("/{policy_id}", response_model=EscalationPolicyPublic)
async def read_policy(policy_id: int, session: SessionDep, actor: Reader) -> EscalationPolicyPublic:
    return _public(await service.get_policy(session, policy_id=policy_id))


@router.post("", response_model=EscalationPolicyPublic, status_code=201)
async def create_policy(data: EscalationPolicyCreate, session: SessionDep, actor: Admin) -> EscalationPolicyPublic:
    """Nuova politica; le allerte aperte conservano quella con cui sono nate."""
    policy = await service.create_policy(session, data=data)
    _audit(session, actor, AuditAction.CREATE, policy.id)
    await commit(session)
    return _public(policy)


@router.patch("/{policy_id}", response_model=EscalationPolicyPublic)
async def update_policy(
    policy_id: int, data: EscalationPolicyUpdate, session: SessionDep, actor: Admin
) -> EscalationPolicyPublic:
    if data.name is not None:
        clash = (
            await session.exec(
                select(col(EscalationPolicy.id)).where(
                    col(EscalationPolicy.name) == data.name, col(EscalationPolicy.id) != policy_id
                )
            )
        ).first()
        if clash is not None:
            raise Conflict(f"Esiste già una politica '{data.name}' / a policy with this name exists")
    policy = await service.update_policy(session, policy_id=policy_id, data=data)
    _audit(session, actor, AuditAction.UPDATE, policy_id)
    await commit(session)
    await session.refresh(policy)
    return _public(policy)


@router.delete("/{policy_id}", status_code=204)
async def delete_policy(policy_id: int, session: SessionDep, actor: Admin) -> Response:
    """Disattiva (le allerte già aperte possono ancora riferirvisi)."""
    await service.delete_policy(session, policy_id=policy_id)
    _audit(session, actor, AuditAction.DELETE, policy_id)
    await commit(session)
    return Response(status_code=204)
