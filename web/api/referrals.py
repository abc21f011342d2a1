"""HTTP routes for referrals: consent checked (or overridden, audited) before sharing outside the team."""

from __future__ import annotations

from fastapi import APIRouter
from sqlmodel import SQLModel

from centrale.cases import fascicolo
from centrale.referrals import flows, service
from centrale.referrals.models import ReferralIn, ReferralPublic, ReferralState
from web.api.deps import CurrentActor, DatabaseDep, SessionDep, TxDep, flow_route

router = APIRouter(tags=["invii"])


@router.post(
    "/cases/{case_id}/referrals",
    response_model=ReferralPublic,
    status_code=201,
    summary="Invia a un'altra organizzazione / refer to another organisation",
    openapi_extra=flow_route("referral.request"),
)
async def request_referral(case_id: int, data: ReferralIn, tx: TxDep) -> ReferralPublic:
    row = await flows.request_referral(tx, case_id=case_id, data=data)
    await tx.commit()
    return await service.public(tx.session, referral=row)


@router.get("/referrals", response_model=list[ReferralPublic], summary="Invii della mia organizzazione")
async def list_referrals(session: SessionDep, actor: CurrentActor) -> list[ReferralPublic]:
    return [
        await service.public(session, referral=r) for r in await service.referrals_for(session, org_id=actor.org_id)
    ]


class SharedReferral(SQLModel):
    referral: ReferralPublic
    shared: fascicolo.Fascicolo


@router.get(
    "/referrals/{referral_id}",
    response_model=SharedReferral,
    summary="Un invio, con solo ciò che condivide / a referral with what it shares",
)
async def read_referral(referral_id: int, session: SessionDep, db: DatabaseDep, actor: CurrentActor) -> SharedReferral:
    row, shared = await flows.read_shared(session, db, actor, referral_id)
    return SharedReferral(referral=await service.public(session, referral=row), shared=shared)


class StepIn(SQLModel):
    state: ReferralState
    note: str | None = None


@router.post(
    "/referrals/{referral_id}/steps",
    response_model=ReferralPublic,
    summary="Accetta, rifiuta o completa / accept, reject or complete",
    openapi_extra=flow_route("referral.step"),
)
async def step_referral(referral_id: int, data: StepIn, tx: TxDep) -> ReferralPublic:
    row = await flows.step_referral(tx, referral_id=referral_id, to=data.state, note=data.note)
    await tx.commit()
    return await service.public(tx.session, referral=row)
