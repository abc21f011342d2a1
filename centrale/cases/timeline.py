"""A case's story in order: the intake, each change of state, who joined or left the team, assessments,
plan versions, referrals, consents and diary notes, each part only where the reader's role may see it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.assessments.models import Assessment
from centrale.authz.policy import Section
from centrale.cases.models import CareTeamMember, Case, CaseHistory, DiaryEntry, DiaryKind, Intake
from centrale.consents.models import Consent
from centrale.operators.models import Operator
from centrale.organisations.models import Organisation
from centrale.plans.models import Plan
from centrale.referrals.models import Referral


@dataclass(frozen=True)
class Moment:
    """One thing that happened to the case: when, what kind, who did it, and the facts to say it."""

    at: datetime
    kind: str  # intake, state, team_in, team_out, assessment, plan, referral, consent, diary
    who: str | None
    facts: dict[str, Any] = field(default_factory=dict)


async def _names(session: AsyncSession) -> tuple[dict[int | None, str], dict[int | None, str]]:
    orgs = {o.id: o.name for o in (await session.exec(select(Organisation))).all()}
    ops = {o.id: o.full_name for o in (await session.exec(select(Operator))).all()}
    return orgs, ops


async def timeline(session: AsyncSession, *, case: Case, sections: frozenset[Section]) -> list[Moment]:
    """The moments of ``case`` the reader may see, oldest first."""
    case_id = case.id
    orgs, ops = await _names(session)
    moments: list[Moment] = []
    for intake in (await session.exec(select(Intake).where(col(Intake.case_id) == case_id))).all():
        moments.append(
            Moment(
                intake.created_at,
                "intake",
                ops.get(intake.recorded_by_id),
                {"requested_by": intake.requested_by, "need": intake.expressed_need, "source": intake.source},
            )
        )
    if Section.HISTORY in sections:
        for h in (await session.exec(select(CaseHistory).where(col(CaseHistory.case_id) == case_id))).all():
            if h.from_state is None:
                continue  # the opening, told by the intake
            moments.append(
                Moment(
                    h.at,
                    "state",
                    h.by_name,
                    {
                        "from_state": h.from_state,
                        "to_state": h.to_state,
                        "from_phase": h.from_phase,
                        "to_phase": h.to_phase,
                        "note": h.note,
                    },
                )
            )
    if Section.TEAM in sections:
        for m in (await session.exec(select(CareTeamMember).where(col(CareTeamMember.case_id) == case_id))).all():
            facts = {"organisation": orgs.get(m.organisation_id), "operator": ops.get(m.operator_id), "role": m.role}
            moments.append(Moment(m.added_at, "team_in", ops.get(m.added_by_id), facts))
            if m.removed_at is not None:
                moments.append(Moment(m.removed_at, "team_out", ops.get(m.removed_by_id), facts))
    if Section.ASSESSMENTS in sections:
        for a in (await session.exec(select(Assessment).where(col(Assessment.case_id) == case_id))).all():
            moments.append(
                Moment(a.created_at, "assessment", a.assessor_name, {"scale": a.kind, "total": a.total, "band": a.band})
            )
    if Section.PLAN in sections:
        for p in (await session.exec(select(Plan).where(col(Plan.case_id) == case_id))).all():
            moments.append(
                Moment(p.created_at, "plan", ops.get(p.created_by_id), {"version": p.version, "status": p.status})
            )
    if Section.REFERRALS in sections:
        for r in (await session.exec(select(Referral).where(col(Referral.case_id) == case_id))).all():
            moments.append(
                Moment(
                    r.created_at,
                    "referral",
                    ops.get(r.requested_by_id),
                    {"to": orgs.get(r.to_org_id), "reason": r.reason, "state": r.state},
                )
            )
    if Section.PERSON in sections:
        for c in (await session.exec(select(Consent).where(col(Consent.person_id) == case.person_id))).all():
            moments.append(
                Moment(
                    c.recorded_at,
                    "consent",
                    ops.get(c.recorded_by_id),
                    {"purpose": c.purpose, "given": c.given, "signed_by": c.signed_by},
                )
            )
    if Section.DIARY in sections:
        diary = await session.exec(
            select(DiaryEntry).where(col(DiaryEntry.case_id) == case_id, col(DiaryEntry.kind) != DiaryKind.CAMBIO_STATO)
        )
        for d in diary.all():
            moments.append(Moment(d.happened_at, "diary", d.author_name, {"kind": d.kind, "text": d.text}))
    moments.sort(key=lambda m: m.at)
    return moments
