"""Operator accounts: created and changed by administrators; a password changed by its owner or by them.

A changed password ends the operator's other sessions: when the owner changes it, every session but the
one they are using; when an administrator does, all of them (whoever held the old password is out).
"""

from __future__ import annotations

from centrale.audit.models import AuditAction, AuditPurpose
from centrale.auth.actor import Actor
from centrale.auth.passwords import hash_password, verify_password
from centrale.auth.service import revoke_sessions
from centrale.authz.guard import require_role
from centrale.errors import NotFound
from centrale.flows import flow
from centrale.operators import service
from centrale.operators.models import Operator, OperatorCreate, OperatorUpdate, Role
from centrale.uow import Tx

ADMIN = frozenset({Role.AMMINISTRATORE})


async def _load(tx: Tx, operator_id: int) -> Operator:
    operator = await tx.session.get(Operator, operator_id)
    if operator is None or operator.deleted_at is not None:
        raise NotFound("Operatore", operator_id)
    return operator


def _audit(tx: Tx, action: AuditAction, subtype: str, operator_id: int | None) -> None:
    tx.audit(
        action, subtype, entity_type="Operator", entity_id=operator_id, person_id=None, purpose=AuditPurpose.HOPERAT
    )


async def _end_sessions(tx: Tx, actor: Actor, operator_id: int) -> None:
    """Other sessions end; the owner keeps the one they act from."""
    keep = actor.token if actor.operator_id == operator_id else None
    await revoke_sessions(tx.session, operator_id=operator_id, keep_token=keep)


@flow("operator.create")
async def create_operator(tx: Tx, *, data: OperatorCreate) -> Operator:
    """Open an operator account (administrators only)."""
    await require_role(tx, ADMIN, action=AuditAction.CREATE, subtype="operator.create", entity_type="Operator")
    operator = await service.create_operator(tx.session, data=data)
    _audit(tx, AuditAction.CREATE, "operator.create", operator.id)
    return operator


@flow("operator.update")
async def update_operator(tx: Tx, *, operator_id: int, data: OperatorUpdate) -> Operator:
    """Change an account (administrators only); a new password or a deactivation ends its sessions."""
    actor = await require_role(
        tx, ADMIN, action=AuditAction.UPDATE, subtype="operator.update", entity_type="Operator", entity_id=operator_id
    )
    operator = await _load(tx, operator_id)
    await service.update_operator(tx.session, operator=operator, data=data)
    if data.password or data.active is False:
        await _end_sessions(tx, actor, operator_id)
    _audit(tx, AuditAction.UPDATE, "operator.update", operator_id)
    return operator


@flow("operator.set_password")
async def set_password(tx: Tx, *, operator_id: int, password: str, current_password: str | None = None) -> Operator:
    """Set a password: the owner (giving the current one) or an administrator; ends the other sessions."""
    actor = tx.require_actor()
    operator = await _load(tx, operator_id)
    if actor.operator_id == operator_id:
        if current_password is None or not verify_password(current_password, operator.password_hash):
            raise await tx.deny(
                AuditAction.UPDATE,
                "operator.set_password",
                entity_type="Operator",
                entity_id=operator_id,
                person_id=None,
                reason="current password not confirmed",
                message="Password attuale errata / the current password is wrong",
            )
    elif actor.role not in ADMIN:
        raise await tx.deny(
            AuditAction.UPDATE,
            "operator.set_password",
            entity_type="Operator",
            entity_id=operator_id,
            person_id=None,
            reason=f"role {actor.role} may not set another operator's password",
        )
    operator.password_hash = hash_password(password)
    tx.session.add(operator)
    await _end_sessions(tx, actor, operator_id)
    _audit(tx, AuditAction.UPDATE, "operator.set_password", operator_id)
    return operator
