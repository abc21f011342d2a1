"""HTTP routes for referrals: consent checked (or overridden, audited) before sharing outside the team."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from sqlmodel import SQLModel

from centrale.audit.models import AuditAction
from centrale.audit.service import build_event
from centrale.authz.case_guard import CaseAccess
from centrale.authz.guard import audit_read
from centrale.authz.policy import CaseAction, Section
from centrale.cases import fascicolo
from centrale.cases.models import Case
from centrale.events.service import commit
from centrale.referrals import flows, service
from centrale.referrals.models import Referral, ReferralIn, ReferralPublic, ReferralState
from web import container
from web.api.deps import CurrentActor, SessionDep, case_guard

router = APIRouter(tags=["invii"])
Contributable = Annotated[CaseAccess, Depends(case_guard(CaseAction.CONTRIBUTE, "referral.create"))]


@router.post(
    "/cases/{case_id}/referrals",
    response_model=ReferralPublic,
    status_code=201,
    summary="Invia a un'altra organizzazione / refer to another organisation",
)
async def request_referral(data: ReferralIn, access: Contributable) -> ReferralPublic:
    row = await flows.request_referral(access, data)
    await commit(access.session)
    return await service.public(access.session, referral=row)


@router.get("/referrals", response_model=list[ReferralPublic], summary="Invii della mia organizzazione")
async def list_referrals(session: SessionDep, actor: CurrentActor) -> list[ReferralPublic]:
    return [
        await service.public(session, referral=r) for r in await service.referrals_for(session, org_id=actor.org_id)
    ]


class SharedReferral(SQLModel):
    referral: ReferralPublic
    shared: fascicolo.Fascicolo


async def _load(request: Request, session: SessionDep, actor: CurrentActor, referral_id: int) -> Referral:
    return await flows.load_for_party(session, container.database(request), actor, referral_id)


@router.get(
    "/referrals/{referral_id}",
    response_model=SharedReferral,
    summary="Un invio, con solo ciò che condivide / a referral with what it shares",
)
async def read_referral(referral_id: int, request: Request, session: SessionDep, actor: CurrentActor) -> SharedReferral:
    row = await _load(request, session, actor, referral_id)
    case = await session.get(Case, row.case_id)
    assert case is not None
    await audit_read(
        container.database(request),
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
    await commit(session)
    return await service.public(session, referral=row)
