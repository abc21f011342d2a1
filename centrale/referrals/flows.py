"""Requesting a referral and loading one for its parties: shared by the API and the pages."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.audit.models import AuditAction, AuditOutcome
from centrale.audit.service import build_event, record_now
from centrale.auth.actor import Actor
from centrale.authz.case_guard import CaseAccess
from centrale.authz.guard import deny
from centrale.authz.policy import CaseAction
from centrale.db import Database
from centrale.errors import NotFound
from centrale.referrals import service
from centrale.referrals.models import Referral, ReferralIn


async def request_referral(access: CaseAccess, data: ReferralIn) -> Referral:
    """Outside the care team and without consent: refused (audited) unless the responsible case manager
    gives an override reason, which is audited with the referral. The caller commits."""
    override = False
    if await service.needs_consent(access.session, case=access.case, to_org_id=data.to_org_id):
        if not (data.consent_override_reason or "").strip():
            await record_now(
                access.db.sessionmaker,
                build_event(
                    agent=access.actor.agent(),
                    action=AuditAction.CREATE,
                    subtype="referral.no_consent",
                    entity_type="Case",
                    entity_id=access.case_id,
                    person_id=access.person_id,
                    outcome=AuditOutcome.DENIED,
                    outcome_desc="no consent to share outside the care team",
                ),
            )
            raise service.ConsentMissing()
        await access.require(CaseAction.OVERRIDE_CONSENT, "referral.consent_override")
        override = True
    row = await service.request(access.session, case=access.case, data=data, actor=access.actor, override=override)
    if override:
        access.audit(
            AuditAction.EXECUTE,
            "referral.consent_override",
            "Referral",
            row.id,
            outcome_desc=(data.consent_override_reason or "")[:300],
        )
    access.audit(AuditAction.CREATE, "referral.create", "Referral", row.id)
    return row


async def load_for_party(
    session: AsyncSession, db: Database, actor: Actor, referral_id: int, subtype: str = "referral.read"
) -> Referral:
    """The referral (404) if the actor's organisation sends or receives it (403 audited otherwise)."""
    row = await session.get(Referral, referral_id)
    if row is None:
        raise NotFound("Invio", referral_id)
    if actor.org_id not in (row.to_org_id, row.from_org_id):
        raise await deny(
            db,
            actor,
            action=AuditAction.READ,
            subtype=subtype,
            entity_type="Referral",
            entity_id=referral_id,
            person_id=row.person_id,
            reason="not the sending or receiving organisation",
        )
    return row
