"""Administrators' edits of escalation policies; alerts already open keep the snapshot they took."""

from __future__ import annotations

from alerts.escalation import service
from alerts.escalation.models import EscalationPolicy, EscalationPolicyCreate, EscalationPolicyUpdate
from centrale.audit.models import AuditAction
from centrale.flows import flow
from centrale.operators.models import Role
from centrale.uow import Tx

#: who may edit policies: they decide who is woken at night for every alert of the district
EDITORS = frozenset({Role.AMMINISTRATORE})


async def _require_editor(tx: Tx, action: AuditAction, subtype: str, policy_id: int | None) -> None:
    """Refuse (audited) an actor who may not edit policies."""
    actor = tx.require_actor()
    if actor.role not in EDITORS:
        raise await tx.deny(
            action,
            subtype,
            entity_type="EscalationPolicy",
            entity_id=policy_id,
            person_id=None,
            reason=f"role {actor.role} may not edit escalation policies",
        )


@flow("policy.create")
async def create_policy(tx: Tx, *, data: EscalationPolicyCreate) -> EscalationPolicy:
    """Add a policy (409 if its name is taken)."""
    await _require_editor(tx, AuditAction.CREATE, "policy.create", None)
    policy = await service.create_policy(tx.session, data=data)
    tx.audit(AuditAction.CREATE, "policy.create", entity_type="EscalationPolicy", entity_id=policy.id, person_id=None)
    return policy


@flow("policy.update")
async def update_policy(tx: Tx, *, policy_id: int, data: EscalationPolicyUpdate) -> EscalationPolicy:
    """Change a policy's steps, scope or timeouts (409 on a name another policy has)."""
    await _require_editor(tx, AuditAction.UPDATE, "policy.update", policy_id)
    policy = await service.update_policy(tx.session, policy_id=policy_id, data=data)
    tx.audit(AuditAction.UPDATE, "policy.update", entity_type="EscalationPolicy", entity_id=policy_id, person_id=None)
    return policy


@flow("policy.delete")
async def delete_policy(tx: Tx, *, policy_id: int) -> None:
    """Deactivate a policy (alerts already open may still point to it)."""
    await _require_editor(tx, AuditAction.DELETE, "policy.delete", policy_id)
    await service.delete_policy(tx.session, policy_id=policy_id)
    tx.audit(AuditAction.DELETE, "policy.delete", entity_type="EscalationPolicy", entity_id=policy_id, person_id=None)
