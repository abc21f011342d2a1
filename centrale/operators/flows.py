"""Operator accounts: created and changed by administrators; a password changed by its owner or by them.

A changed password ends the operator's other sessions: when the owner changes it, every session but the
one they are using; when an administrator does, all of them (whoever held the old password is out).
"""

from __future__ import annotations

from sqlmodel import col, select

from centrale.audit.models import AuditAction, AuditPurpose
from centrale.auth.actor import Actor
from centrale.auth.passwords import hash_password, verify_password
from centrale.auth.service import LoginLimits, record_failure, revoke_sessions, throttled
from centrale.authz.guard import require_role
from centrale.clock import utcnow
from centrale.errors import Conflict, NotFound
from centrale.flows import flow
from centrale.operators import service
from centrale.operators.models import Operator, OperatorCreate, OperatorUpdate, Role
from centrale.organisations import service as organisations
from centrale.organisations.models import OrganisationCreate
from centrale.plans.catalogue import seed_catalogue
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


async def _confirm_current(tx: Tx, operator: Operator, current_password: str | None, limits: LoginLimits) -> None:
    """The owner proves it is them; a wrong guess counts as a failed sign-in, so a stolen session cannot
    be used to guess the password faster than the sign-in form allows."""
    now = utcnow()
    source = tx.who.source_address
    why = await throttled(tx.session, username=operator.username, source_address=source, now=now, limits=limits)
    if why is None and current_password is not None and verify_password(current_password, operator.password_hash):
        return
    if why is None:
        await record_failure(tx.db.sessionmaker, username=operator.username, source_address=source, at=now)
    raise await tx.deny(
        AuditAction.UPDATE,
        "operator.set_password",
        entity_type="Operator",
        entity_id=operator.id,
        person_id=None,
        reason="too many failed attempts" if why else "current password not confirmed",
        message="Troppi tentativi: riprova più tardi / too many attempts, retry later"
        if why
        else "Password attuale errata / the current password is wrong",
    )


@flow("operator.set_password")
async def set_password(
    tx: Tx,
    *,
    operator_id: int,
    password: str,
    current_password: str | None = None,
    limits: LoginLimits | None = None,
) -> Operator:
    """Set a password: the owner (giving the current one) or an administrator; ends the other sessions."""
    actor = tx.require_actor()
    operator = await _load(tx, operator_id)
    if actor.operator_id == operator_id:
        await _confirm_current(tx, operator, current_password, limits or LoginLimits())
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


@flow("registry.bootstrap", guarded=False)  # nobody can sign in yet: the installer runs it from the command line
async def bootstrap(
    tx: Tx, *, organisation: OrganisationCreate, username: str, full_name: str, password: str
) -> Operator:
    """Create the first organisation and its administrator, and the SIUSS service catalogue; refused once any
    administrator exists."""
    existing = await tx.session.exec(select(col(Operator.id)).where(col(Operator.role) == Role.AMMINISTRATORE).limit(1))
    if existing.first() is not None:
        raise Conflict("Esiste già un amministratore: usare le pagine di amministrazione / an administrator exists")
    org = await organisations.create_organisation(tx.session, data=organisation)
    assert org.id is not None
    data = OperatorCreate(
        username=username, full_name=full_name, role=Role.AMMINISTRATORE, organisation_id=org.id, password=password
    )
    operator = await service.create_operator(tx.session, data=data)
    tx.audit(
        AuditAction.CREATE,
        "registry.bootstrap",
        entity_type="Organisation",
        entity_id=org.id,
        person_id=None,
        purpose=AuditPurpose.HOPERAT,
    )
    _audit(tx, AuditAction.CREATE, "operator.create", operator.id)
    await seed_catalogue(tx.session)
    return operator
