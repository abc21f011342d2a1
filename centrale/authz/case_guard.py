"""Loading a case under the case rules of the policy, with the audit rows of reads and refusals."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.audit.models import AuditAction
from centrale.audit.service import build_event, record
from centrale.auth.actor import Actor
from centrale.authz.guard import audit_read, deny
from centrale.authz.policy import (
    RESPONSIBLE_ONLY,
    CaseAction,
    Section,
    case_clause,
    case_refusal_reason,
    visible_sections,
)
from centrale.cases.models import Case
from centrale.db import Database
from centrale.errors import NotFound
from centrale.persons.models import Person
from centrale.uow import Tx

_CASE_AUDIT_ACTION = {
    CaseAction.READ: AuditAction.READ,
    CaseAction.INTAKE: AuditAction.CREATE,
    CaseAction.MANAGE: AuditAction.UPDATE,
    CaseAction.CONTRIBUTE: AuditAction.UPDATE,
    CaseAction.APPROVE: AuditAction.UPDATE,
    CaseAction.OVERRIDE_CONSENT: AuditAction.EXECUTE,
}


@dataclass
class CaseAccess:
    """A case the actor may act on; ``audit`` adds the row for the change to the same transaction."""

    case: Case
    actor: Actor
    session: AsyncSession
    db: Database

    @property
    def case_id(self) -> int:
        assert self.case.id is not None
        return self.case.id

    @property
    def person_id(self) -> int:
        return self.case.person_id

    def audit(
        self,
        action: AuditAction,
        subtype: str,
        entity_type: str = "Case",
        entity_id: object = None,
        outcome_desc: str | None = None,
    ) -> None:
        event = build_event(
            agent=self.actor.agent(),
            action=action,
            subtype=subtype,
            entity_type=entity_type,
            entity_id=self.case_id if entity_id is None else entity_id,
            person_id=self.person_id,
            outcome_desc=outcome_desc,
        )
        record(self.session, event)

    async def require(self, action: CaseAction, subtype: str) -> None:
        """Check a further action on the same case (403 audited)."""
        await _authorise_case(self.session, self.db, self.actor, self.case, action, subtype)

    async def require_section(self, section: Section, subtype: str, action: AuditAction = AuditAction.READ) -> None:
        """Refuse (403 audited as ``action``) a part of the case file the actor's role may not see."""
        if section not in visible_sections(self.actor):
            raise await deny(
                self.db,
                self.actor,
                action=action,
                subtype=subtype,
                entity_type="Case",
                entity_id=self.case_id,
                person_id=self.person_id,
                reason=f"role {self.actor.role} may not see {section}",
            )


async def _authorise_case(
    session: AsyncSession, db: Database, actor: Actor, case: Case, action: CaseAction, subtype: str
) -> None:
    allowed = (
        await session.exec(select(col(Person.id)).where(col(Person.id) == case.person_id, case_clause(actor, action)))
    ).first() is not None
    reason = case_refusal_reason(actor, action)
    if allowed and action in RESPONSIBLE_ONLY and case.case_manager_id != actor.operator_id:
        allowed, reason = False, f"only the responsible case manager may {action}"
    if not allowed:
        raise await deny(
            db,
            actor,
            action=_CASE_AUDIT_ACTION[action],
            subtype=subtype,
            entity_type="Case",
            entity_id=case.id,
            person_id=case.person_id,
            reason=reason,
        )


async def check_case(
    session: AsyncSession, db: Database, actor: Actor, case_id: int, action: CaseAction, subtype: str
) -> CaseAccess:
    """Load the case (404), apply the policy (403, audited), audit a granted read."""
    case = await session.get(Case, case_id)
    if case is None:
        raise NotFound("Caso", case_id)
    await _authorise_case(session, db, actor, case, action, subtype)
    if _CASE_AUDIT_ACTION[action] == AuditAction.READ:
        await audit_read(db, actor, subtype=subtype, entity_type="Case", entity_id=case_id, person_id=case.person_id)
    return CaseAccess(case=case, actor=actor, session=session, db=db)


async def check_person_for_case(
    session: AsyncSession, db: Database, actor: Actor, person_id: int, action: CaseAction, subtype: str
) -> Person:
    """For actions that open a case: the person must exist (404) and the case rule must allow it (403)."""
    person = (
        await session.exec(select(Person).where(col(Person.id) == person_id, col(Person.deleted_at).is_(None)))
    ).first()
    if person is None:
        raise NotFound("Persona", person_id)
    allowed = (
        await session.exec(select(col(Person.id)).where(col(Person.id) == person_id, case_clause(actor, action)))
    ).first()
    if allowed is None:
        raise await deny(
            db,
            actor,
            action=_CASE_AUDIT_ACTION[action],
            subtype=subtype,
            entity_type="Person",
            entity_id=person_id,
            person_id=person_id,
            reason=case_refusal_reason(actor, action),
        )
    return person


async def case_for(tx: Tx, case_id: int, action: CaseAction, subtype: str) -> CaseAccess:
    """``check_case`` for the operator of a unit of work (flows)."""
    return await check_case(tx.session, tx.db, tx.require_actor(), case_id, action, subtype)


async def person_for_case(tx: Tx, person_id: int, action: CaseAction, subtype: str) -> Person:
    """``check_person_for_case`` for the operator of a unit of work (flows that open a case)."""
    return await check_person_for_case(tx.session, tx.db, tx.require_actor(), person_id, action, subtype)
