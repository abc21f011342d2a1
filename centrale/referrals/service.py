"""Database work on referrals (no HTTP): consent before sharing outside the team, then the steps."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.auth.actor import Actor
from centrale.cases.models import Case
from centrale.cases.service import team_organisations
from centrale.clock import utcnow
from centrale.common import Conflict
from centrale.consents.models import ConsentPurpose
from centrale.consents.service import has_consent
from centrale.events.service import emit
from centrale.organisations.models import Organisation
from centrale.referrals.models import (
    Referral,
    ReferralIn,
    ReferralPublic,
    ReferralState,
    ReferralStep,
    ReferralStepPublic,
)

#: state -> the states that may follow, and whose move it is (the receiving organisation for all of them)
STEPS: dict[ReferralState, tuple[ReferralState, ...]] = {
    ReferralState.RICHIESTO: (ReferralState.ACCETTATO, ReferralState.RIFIUTATO),
    ReferralState.ACCETTATO: (ReferralState.COMPLETATO,),
    ReferralState.RIFIUTATO: (),
    ReferralState.COMPLETATO: (),
}


class ConsentMissing(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "consent: manca il consenso alla condivisione tra enti; solo il responsabile del caso può "
            "procedere indicando consent_override_reason / no consent to share outside the team"
        )


async def needs_consent(session: AsyncSession, *, case: Case, to_org_id: int) -> bool:
    """Sharing with an organisation outside the care team needs the person's consent."""
    if to_org_id in await team_organisations(session, case_id=case.id or 0):
        return False
    return not await has_consent(session, person_id=case.person_id, purpose=ConsentPurpose.CONDIVISIONE_ENTI)


async def request(session: AsyncSession, *, case: Case, data: ReferralIn, actor: Actor, override: bool) -> Referral:
    target = await session.get(Organisation, data.to_org_id)
    if target is None or target.deleted_at is not None:
        raise Conflict(f"to_org_id: organizzazione {data.to_org_id} inesistente / unknown organisation")
    row = Referral(
        case_id=case.id or 0,
        person_id=case.person_id,
        from_org_id=actor.org_id,
        to_org_id=data.to_org_id,
        requested_by_id=actor.operator_id,
        reason=data.reason,
        shared_sections=[s.value for s in data.shared_sections],
        consent_override_reason=data.consent_override_reason if override else None,
    )
    session.add(row)
    await session.flush()
    session.add(
        ReferralStep(
            referral_id=row.id or 0,
            to_state=row.state,
            by_operator_id=actor.operator_id,
            by_name=actor.full_name,
            note=data.reason,
        )
    )
    emit(
        session,
        kind="referral.requested",
        entity_type="Case",
        entity_id=case.id,
        person_id=case.person_id,
        payload={"referral_id": row.id, "to_org_id": data.to_org_id, "consent_override": override},
    )
    return row


async def step(
    session: AsyncSession, *, referral: Referral, to: ReferralState, actor: Actor, note: str | None
) -> Referral:
    """Accept, reject or complete: only the receiving organisation, only along STEPS (409 otherwise)."""
    if actor.org_id != referral.to_org_id:
        raise Conflict("to_org_id: solo l'organizzazione che riceve l'invio può rispondere / receiver only")
    if to not in STEPS[referral.state]:
        allowed = ", ".join(STEPS[referral.state]) or "nessuno / none"
        raise Conflict(f"state: da {referral.state} non si passa a {to}; consentiti / allowed: {allowed}")
    session.add(
        ReferralStep(
            referral_id=referral.id or 0,
            from_state=referral.state,
            to_state=to,
            by_operator_id=actor.operator_id,
            by_name=actor.full_name,
            note=note,
        )
    )
    emit(
        session,
        kind="referral.state_changed",
        entity_type="Case",
        entity_id=referral.case_id,
        person_id=referral.person_id,
        payload={"referral_id": referral.id, "from": referral.state, "to": to},
    )
    referral.state, referral.updated_at = to, utcnow()
    session.add(referral)
    await session.flush()
    return referral


async def referrals_for(session: AsyncSession, *, org_id: int) -> Sequence[Referral]:
    rows = await session.exec(
        select(Referral)
        .where(or_(col(Referral.to_org_id) == org_id, col(Referral.from_org_id) == org_id))
        .order_by(col(Referral.id).desc())
    )
    return rows.all()


async def public(session: AsyncSession, *, referral: Referral) -> ReferralPublic:
    steps = (
        await session.exec(
            select(ReferralStep).where(col(ReferralStep.referral_id) == referral.id).order_by(col(ReferralStep.id))
        )
    ).all()
    return ReferralPublic.model_validate(
        referral.model_dump() | {"steps": [ReferralStepPublic.model_validate(s) for s in steps]}
    )
