"""Organisations: registered, changed and archived by administrators."""

from __future__ import annotations

from centrale.audit.models import AuditAction, AuditPurpose
from centrale.authz.guard import require_role
from centrale.flows import flow
from centrale.operators.models import Role
from centrale.organisations import service
from centrale.organisations.models import Organisation, OrganisationCreate, OrganisationUpdate
from centrale.uow import Tx

ADMIN = frozenset({Role.AMMINISTRATORE})


def _audit(tx: Tx, action: AuditAction, subtype: str, organisation_id: int | None) -> None:
    tx.audit(
        action,
        subtype,
        entity_type="Organisation",
        entity_id=organisation_id,
        person_id=None,
        purpose=AuditPurpose.HOPERAT,
    )


@flow("organisation.create")
async def create_organisation(tx: Tx, *, data: OrganisationCreate) -> Organisation:
    """Register an organisation of the care network."""
    await require_role(tx, ADMIN, action=AuditAction.CREATE, subtype="organisation.create", entity_type="Organisation")
    org = await service.create_organisation(tx.session, data=data)
    _audit(tx, AuditAction.CREATE, "organisation.create", org.id)
    return org


@flow("organisation.update")
async def update_organisation(tx: Tx, *, organisation_id: int, data: OrganisationUpdate) -> Organisation:
    """Change an organisation's name, municipio or phone."""
    await require_role(
        tx,
        ADMIN,
        action=AuditAction.UPDATE,
        subtype="organisation.update",
        entity_type="Organisation",
        entity_id=organisation_id,
    )
    org = await service.get_organisation(tx.session, organisation_id=organisation_id)
    await service.update_organisation(tx.session, org=org, data=data)
    _audit(tx, AuditAction.UPDATE, "organisation.update", organisation_id)
    return org


@flow("organisation.delete")
async def delete_organisation(tx: Tx, *, organisation_id: int) -> None:
    """Archive an organisation (logical deletion)."""
    await require_role(
        tx,
        ADMIN,
        action=AuditAction.DELETE,
        subtype="organisation.delete",
        entity_type="Organisation",
        entity_id=organisation_id,
    )
    org = await service.get_organisation(tx.session, organisation_id=organisation_id)
    await service.delete_organisation(tx.session, org=org)
    _audit(tx, AuditAction.DELETE, "organisation.delete", organisation_id)
