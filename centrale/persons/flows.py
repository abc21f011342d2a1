"""Persons, their household and network: every change authorised on the person (need to know) and audited."""

from __future__ import annotations

from centrale.audit.models import AuditAction
from centrale.authz.guard import person_for
from centrale.authz.policy import PersonAction, may_create, refusal_reason
from centrale.errors import NotFound
from centrale.flows import flow
from centrale.persons import service
from centrale.persons.models import (
    HouseholdIn,
    HouseholdPublic,
    NetworkLink,
    NetworkLinkCreate,
    Person,
    PersonCreate,
    PersonUpdate,
)
from centrale.uow import Tx


@flow("person.create")
async def create_person(tx: Tx, *, data: PersonCreate) -> Person:
    """Register a person on behalf of the actor's organisation (roles that register people only)."""
    actor = tx.require_actor()
    if not may_create(actor):
        raise await tx.deny(
            AuditAction.CREATE,
            "person.create",
            entity_type="Person",
            entity_id=None,
            person_id=None,
            reason=refusal_reason(actor, PersonAction.CREATE),
        )
    person = await service.create_person(tx.session, data=data, registered_by_org_id=actor.org_id)
    tx.audit(AuditAction.CREATE, "person.create", entity_type="Person", entity_id=person.id, person_id=person.id)
    return person


@flow("person.update")
async def update_person(tx: Tx, *, person_id: int, data: PersonUpdate) -> Person:
    """Change a person's registry data."""
    access = await person_for(tx, person_id, PersonAction.WRITE, "person.update")
    person = await service.update_person(tx.session, person=access.person, data=data)
    tx.audit(AuditAction.UPDATE, "person.update", entity_type="Person", entity_id=person_id, person_id=person_id)
    return person


@flow("person.delete")
async def delete_person(tx: Tx, *, person_id: int) -> None:
    """Archive a person (logical deletion)."""
    access = await person_for(tx, person_id, PersonAction.DELETE, "person.delete")
    await service.soft_delete_person(tx.session, person=access.person)
    tx.audit(AuditAction.DELETE, "person.delete", entity_type="Person", entity_id=person_id, person_id=person_id)


@flow("person.household_set")
async def set_household(tx: Tx, *, person_id: int, data: HouseholdIn) -> HouseholdPublic:
    """Replace the person's household; every member's data is touched, so each must be writable."""
    await person_for(tx, person_id, PersonAction.WRITE, "person.update")
    for member in data.members:
        if member.person_id != person_id:
            await person_for(tx, member.person_id, PersonAction.WRITE, "household.update")
    household = await service.set_household(tx.session, person_id=person_id, data=data)
    tx.audit(
        AuditAction.UPDATE, "household.update", entity_type="Household", entity_id=household.id, person_id=person_id
    )
    return household


@flow("person.network_add")
async def add_network_link(tx: Tx, *, person_id: int, data: NetworkLinkCreate) -> NetworkLink:
    """Add someone to the person's informal network."""
    await person_for(tx, person_id, PersonAction.WRITE, "person.update")
    link = await service.add_network_link(tx.session, person_id=person_id, data=data)
    tx.audit(AuditAction.UPDATE, "network.add", entity_type="NetworkLink", entity_id=link.id, person_id=person_id)
    return link


@flow("person.network_remove")
async def remove_network_link(tx: Tx, *, person_id: int, link_id: int) -> None:
    """Remove someone from the person's network (logical deletion)."""
    await person_for(tx, person_id, PersonAction.WRITE, "person.update")
    link = await service.remove_network_link(tx.session, person_id=person_id, link_id=link_id)
    if link is None:
        raise NotFound("Legame di rete", link_id)
    tx.audit(AuditAction.UPDATE, "network.remove", entity_type="NetworkLink", entity_id=link_id, person_id=person_id)
