"""The actions on referrals (request, answer) and loading one for its parties: shared by the API and the pages."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.audit.models import AuditAction
from centrale.auth.actor import Actor
from centrale.authz.case_guard import check_case
from centrale.authz.guard import audit_read, deny
from centrale.authz.policy import CaseAction, Section
from centrale.cases import fascicolo
from centrale.cases.models import Case
from centrale.db import Database
from centrale.errors import NotFound
from centrale.flows import flow
from centrale.referrals import service
from centrale.referrals.models import Referral, ReferralIn, ReferralState
from centrale.uow import Tx


@flow("referral.request")
async def request_referral(tx: Tx, *, case_id: int, data: ReferralIn) -> Referral:
    """Refer a case to another organisation. Outside the care team and without consent: refused (audited)
    unless the responsible case manager gives an override reason, which is audited with the referral."""
    access = await check_case(tx.session, tx.db, tx.require_actor(), case_id, CaseAction.CONTRIBUTE, "referral.create")
    override = False
    if await service.needs_consent(tx.session, case=access.case, to_org_id=data.to_org_id):
        if not (data.consent_override_reason or "").strip():
            # a 409 the caller can fix (record the consent), but still a refusal to share: audited as one
            await tx.deny(
                AuditAction.CREATE,
                "referral.no_consent",
                entity_type="Case",
                entity_id=case_id,
                person_id=access.person_id,
                reason="no consent to share outside the care team",
            )
            raise service.ConsentMissing()
        await access.require(CaseAction.OVERRIDE_CONSENT, "referral.consent_override")
        override = True
    row = await service.request(tx.session, case=access.case, data=data, actor=access.actor, override=override)
    if override:
        tx.audit(
            AuditAction.EXECUTE,
            "referral.consent_override",
            entity_type="Referral",
            entity_id=row.id,
            person_id=access.person_id,
            outcome_desc=(data.consent_override_reason or "")[:300],
        )
    tx.audit(AuditAction.CREATE, "referral.create", entity_type="Referral", entity_id=row.id, person_id=row.person_id)
    return row


@flow("referral.step")
async def step_referral(tx: Tx, *, referral_id: int, to: ReferralState, note: str | None = None) -> Referral:
    """The receiving organisation accepts, refuses or completes a referral (along ``service.STEPS``)."""
    actor = tx.require_actor()
    row = await load_for_party(tx.session, tx.db, actor, referral_id, "referral.step")
    await service.step(tx.session, referral=row, to=to, actor=actor, note=note)
    tx.audit(
        AuditAction.UPDATE, "referral.step", entity_type="Referral", entity_id=referral_id, person_id=row.person_id
    )
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
            action=AuditAction.READ if subtype == "referral.read" else AuditAction.UPDATE,
            subtype=subtype,
            entity_type="Referral",
            entity_id=referral_id,
            person_id=row.person_id,
            reason="not the sending or receiving organisation",
        )
    return row


async def read_shared(
    session: AsyncSession, db: Database, actor: Actor, referral_id: int
) -> tuple[Referral, fascicolo.Fascicolo]:
    """A party's view of a referral: the referral and only the sections of the case file it shares (read audited)."""
    row = await load_for_party(session, db, actor, referral_id)
    case = await session.get(Case, row.case_id)
    if case is None:
        raise NotFound("Caso", row.case_id)
    await audit_read(
        db, actor, subtype="referral.read", entity_type="Referral", entity_id=referral_id, person_id=row.person_id
    )
    shared = await fascicolo.build(
        session, case=case, actor=actor, only=frozenset(Section(s) for s in row.shared_sections)
    )
    return row, shared
