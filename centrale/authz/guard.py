"""Loading a person under the need-to-know policy: the refusal audited in its own transaction, the read audited."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.audit.models import AuditAction, AuditPurpose
from centrale.audit.service import build_event, record, record_now, refusal
from centrale.auth.actor import Actor
from centrale.authz.policy import PersonAction, refusal_reason, visibility_clause
from centrale.db import Database
from centrale.errors import NotFound, Refused
from centrale.operators.models import Role
from centrale.persons.models import Person
from centrale.uow import Tx

_AUDIT_ACTION = {
    PersonAction.READ: AuditAction.READ,
    PersonAction.READ_ACCESS_LOG: AuditAction.READ,
    PersonAction.CREATE: AuditAction.CREATE,
    PersonAction.WRITE: AuditAction.UPDATE,
    PersonAction.DELETE: AuditAction.DELETE,
}


@dataclass
class PersonAccess:
    """A person the actor may act on; ``audit`` adds the row for the change to the same transaction."""

    person: Person
    actor: Actor
    session: AsyncSession

    @property
    def person_id(self) -> int:
        assert self.person.id is not None
        return self.person.id

    def audit(self, action: AuditAction, subtype: str, entity_type: str = "Person", entity_id: object = None) -> None:
        record(
            self.session,
            build_event(
                agent=self.actor.agent(),
                action=action,
                subtype=subtype,
                entity_type=entity_type,
                entity_id=self.person_id if entity_id is None else entity_id,
                person_id=self.person_id,
            ),
        )


async def deny(
    db: Database,
    actor: Actor,
    *,
    action: AuditAction,
    subtype: str,
    entity_type: str,
    entity_id: object | None,
    person_id: int | None,
    reason: str,
) -> Refused:
    """Commit an audit row of the refusal and return the domain error to raise."""
    await record_now(
        db.sessionmaker,
        refusal(
            agent=actor.agent(),
            action=action,
            subtype=subtype,
            entity_type=entity_type,
            entity_id=entity_id,
            person_id=person_id,
            reason=reason,
        ),
    )
    return Refused()


async def audit_read(
    db: Database,
    actor: Actor,
    *,
    subtype: str,
    entity_type: str,
    entity_id: object,
    person_id: int | None,
    purpose: AuditPurpose = AuditPurpose.CAREMGT,
) -> None:
    """Commit an audit row of a successful read (reads do not commit a transaction of their own)."""
    await record_now(
        db.sessionmaker,
        build_event(
            agent=actor.agent(),
            action=AuditAction.READ,
            subtype=subtype,
            entity_type=entity_type,
            entity_id=entity_id,
            person_id=person_id,
            purpose=purpose,
        ),
    )


async def check_person(
    session: AsyncSession, db: Database, actor: Actor, person_id: int, action: PersonAction, subtype: str
) -> PersonAccess:
    """Load the person (404), apply the policy (403, audited), audit a granted read."""
    person = (
        await session.exec(select(Person).where(col(Person.id) == person_id, col(Person.deleted_at).is_(None)))
    ).first()
    if person is None:
        raise NotFound("Persona", person_id)
    visible = (
        await session.exec(select(col(Person.id)).where(col(Person.id) == person_id, visibility_clause(actor, action)))
    ).first()
    if visible is None:
        raise await deny(
            db,
            actor,
            action=_AUDIT_ACTION[action],
            subtype=subtype,
            entity_type="Person",
            entity_id=person_id,
            person_id=person_id,
            reason=refusal_reason(actor, action),
        )
    if _AUDIT_ACTION[action] == AuditAction.READ:
        await audit_read(db, actor, subtype=subtype, entity_type="Person", entity_id=person_id, person_id=person_id)
    return PersonAccess(person=person, actor=actor, session=session)


async def require_role(
    tx: Tx,
    roles: frozenset[Role],
    *,
    action: AuditAction,
    subtype: str,
    entity_type: str,
    entity_id: object | None = None,
) -> Actor:
    """The acting operator if their role is among ``roles``; otherwise the refusal, audited (registry admin)."""
    actor = tx.require_actor()
    if actor.role not in roles:
        raise await tx.deny(
            action,
            subtype,
            entity_type=entity_type,
            entity_id=entity_id,
            person_id=None,
            reason=f"role {actor.role} not among {', '.join(sorted(r.value for r in roles))}",
        )
    return actor


async def person_for(tx: Tx, person_id: int, action: PersonAction, subtype: str) -> PersonAccess:
    """``check_person`` for the operator of a unit of work (flows)."""
    return await check_person(tx.session, tx.db, tx.require_actor(), person_id, action, subtype)
