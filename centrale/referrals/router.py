"""HTTP routes for referrals: consent checked (or overridden, audited) before sharing outside the team."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from sqlmodel import SQLModel

from centrale.audit.models import AuditAction, AuditOutcome
from centrale.audit.service import build_event, record_now
from centrale.auth.deps import CurrentActor
from centrale.authz.case_guard import CaseAccess, case_guard
from centrale.authz.guard import audit_read, deny
from centrale.authz.policy import CaseAction, Section
from centrale.cases import fascicolo
from centrale.cases.models import Case
from centrale.db import SessionDep
from centrale.referrals import service
from centrale.referrals.models import Referral, ReferralIn, ReferralPublic, ReferralState

router = APIRouter(tags=["invii"])
Contributable = Annotated[CaseAccess, Depends(case_guard(CaseAction.CONTRIBUTE, "referral.create"))]


@router.post(
    "/cases/{case_id}/referrals",
    response_model=ReferralPublic,
    status_code=201,
    summary="Invia a un'altra organizzazione / refer to another organisation",
)
async def request_referral(data: ReferralIn, access: Contributable) -> ReferralPublic:
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
    row = await service.request(
        access.session, case=access.case, data=data, actor=access.actor, override=override
    )
    if override:
        access.audit(
            AuditAction.EXECUTE,
            "referral.consent_override",
            "Referral",
            row.id,
            outcome_desc=(data.consent_override_reason or "")[:300],
        )
    access.audit(AuditAction.CREATE, "referral.create", "Referral", row.id)
    await access.session.commit()
    return await service.public(access.session, referral=row)


@router.get("/referrals", response_model=list[ReferralPublic], summary="Invii della mia organizzazione")
async def list_referrals(session: SessionDep, actor: CurrentActor) -> list[ReferralPublic]:
    return [
        await service.public(session, referral=r)
        for r in await service.referrals_for(session, org_id=actor.org_id)
    ]


class SharedReferral(SQLModel):
    referral: ReferralPublic
    shared: fascicolo.Fascicolo


async def _load(request: Request, session: SessionDep, actor: CurrentActor, referral_id: int) -> Referral:
    row = await session.get(Referral, referral_id)
    if row is None:
        raise HTTPException(status_code=404, detail=f"Invio {referral_id} non trovato / referral not found")
    if actor.org_id not in (row.to_org_id, row.from_org_id):
        raise await deny(
            request.app.state.db,
            actor,
            action=AuditAction.READ,
            subtype="referral.read",
            entity_type="Referral",
            entity_id=referral_id,
            person_id=row.person_id,
            reason="not the sending or receiving organisation",
        )
    return row


@router.get(
    "/referrals/{referral_id}",
    response_model=SharedReferral,
    summary="Un invio, con solo ciò che condivide / a referral with what it shares",
)
async def read_referral(
    referral_id: int, request: Request, session: SessionDep, actor: CurrentActor
) -> SharedReferral:
    row = await _load(request, session, actor, referral_id)
    case = await session.get(Case, row.case_id)
    assert case is not None
    await audit_read(
        request.app.state.db,
        actor,
        subtype="referral.read",
        entity_type="Referral",
        entity_id=referral_id,
        person_id=row.person_id,
    )
    shared = await fascicolo.build(
        session, case=case, actor=actor, only=frozenset(Section(s) for s in row.shared_sections)
    )
    return SharedReferral(referral=await service.public(session, referral=row), shared=shared)


class StepIn(SQLModel):
    state: ReferralState
    note: str | None = None


@router.post(
    "/referrals/{referral_id}/steps",
    response_model=ReferralPublic,
    summary="Accetta, rifiuta o completa / accept, reject or complete",
)
async def step_referral(
    referral_id: int, data: StepIn, request: Request, session: SessionDep, actor: CurrentActor
) -> ReferralPublic:
    row = await _load(request, session, actor, referral_id)
    await service.step(session, referral=row, to=data.state, actor=actor, note=data.note)
    session.add(
        build_event(
            agent=actor.agent(),
            action=AuditAction.UPDATE,
            subtype="referral.step",
            entity_type="Referral",
            entity_id=referral_id,
            person_id=row.person_id,
        )
    )
    await session.commit()
    return await service.public(session, referral=row)
