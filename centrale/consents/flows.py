"""The action on consents: recording a person's statement for one purpose, under the person rules."""

from __future__ import annotations

from centrale.audit.models import AuditAction
from centrale.authz.guard import check_person
from centrale.authz.policy import PersonAction
from centrale.consents import service
from centrale.consents.models import Consent, ConsentIn
from centrale.flows import flow
from centrale.uow import Tx


@flow("consent.record")
async def record_consent(tx: Tx, *, person_id: int, data: ConsentIn) -> Consent:
    """Record a consent given or refused; it replaces the person's previous one for the same purpose."""
    access = await check_person(tx.session, tx.db, tx.require_actor(), person_id, PersonAction.WRITE, "consent.record")
    row = await service.record_consent(tx.session, person_id=access.person_id, data=data, actor=access.actor)
    tx.audit(AuditAction.CREATE, "consent.record", entity_type="Consent", entity_id=row.id, person_id=person_id)
    return row
