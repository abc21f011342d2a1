"""Condomini solidali, their assisted people and sentinels: managed by the Centrale's coordinators and
administrators; adding an assisted person touches that person's data, so it needs to know them."""

from __future__ import annotations

from centrale.audit.models import AuditAction
from centrale.authz.guard import person_for, require_role
from centrale.authz.policy import PersonAction
from centrale.condomini import service
from centrale.condomini.models import (
    AssistedPerson,
    AssistedPersonIn,
    Condominio,
    CondominioCreate,
    CondominioUpdate,
    Sentinel,
    SentinelCreate,
    SentinelUpdate,
)
from centrale.flows import flow
from centrale.operators.models import Role
from centrale.uow import Tx

MANAGERS = frozenset({Role.COORDINATORE, Role.AMMINISTRATORE})


def _audit(tx: Tx, action: AuditAction, subtype: str, entity_type: str, entity_id: int | None) -> None:
    tx.audit(action, subtype, entity_type=entity_type, entity_id=entity_id, person_id=None)


@flow("condominio.create")
async def create_condominio(tx: Tx, *, data: CondominioCreate) -> Condominio:
    """Open a condominio solidale."""
    await require_role(tx, MANAGERS, action=AuditAction.CREATE, subtype="condominio.create", entity_type="Condominio")
    row = await service.create_condominio(tx.session, data=data)
    _audit(tx, AuditAction.CREATE, "condominio.create", "Condominio", row.id)
    return row


@flow("condominio.update")
async def update_condominio(tx: Tx, *, condominio_id: int, data: CondominioUpdate) -> Condominio:
    """Change a condominio's name, address, municipio or operator."""
    await require_role(
        tx,
        MANAGERS,
        action=AuditAction.UPDATE,
        subtype="condominio.update",
        entity_type="Condominio",
        entity_id=condominio_id,
    )
    row = await service.get_condominio(tx.session, condominio_id=condominio_id)
    await service.update_condominio(tx.session, row=row, data=data)
    _audit(tx, AuditAction.UPDATE, "condominio.update", "Condominio", condominio_id)
    return row


@flow("condominio.assisted_add")
async def add_assisted(tx: Tx, *, condominio_id: int, data: AssistedPersonIn) -> AssistedPerson:
    """Add a person to those a condominio looks after (the actor must be able to write the person's data)."""
    await service.get_condominio(tx.session, condominio_id=condominio_id)
    await person_for(tx, data.person_id, PersonAction.WRITE, "condominio.assisted.add")
    row = await service.add_assisted(tx.session, condominio_id=condominio_id, data=data)
    tx.audit(
        AuditAction.UPDATE,
        "condominio.assisted.add",
        entity_type="AssistedPerson",
        entity_id=row.id,
        person_id=data.person_id,
    )
    return row


@flow("sentinel.create")
async def create_sentinel(tx: Tx, *, data: SentinelCreate) -> Sentinel:
    """Register a sentinel of a condominio."""
    await require_role(tx, MANAGERS, action=AuditAction.CREATE, subtype="sentinel.create", entity_type="Sentinel")
    await service.get_condominio(tx.session, condominio_id=data.condominio_id)
    sentinel = await service.create_sentinel(tx.session, data=data)
    _audit(tx, AuditAction.CREATE, "sentinel.create", "Sentinel", sentinel.id)
    return sentinel


@flow("sentinel.update")
async def update_sentinel(tx: Tx, *, sentinel_id: int, data: SentinelUpdate) -> Sentinel:
    """Change a sentinel (name, phone, condominio, consent)."""
    await require_role(
        tx,
        MANAGERS,
        action=AuditAction.UPDATE,
        subtype="sentinel.update",
        entity_type="Sentinel",
        entity_id=sentinel_id,
    )
    sentinel = await service.get_sentinel(tx.session, sentinel_id=sentinel_id)
    await service.update_sentinel(tx.session, sentinel=sentinel, data=data)
    _audit(tx, AuditAction.UPDATE, "sentinel.update", "Sentinel", sentinel_id)
    return sentinel
