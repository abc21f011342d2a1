"""The case file (fascicolo) in one call: every part the reader's role may see, nothing else."""

from __future__ import annotations

from typing import Any

from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.assessments.models import AssessmentPublic
from centrale.assessments.service import assessments_of
from centrale.auth.actor import Actor
from centrale.authz.policy import Section, visible_sections
from centrale.cases import service
from centrale.cases.models import CareTeamMemberPublic, Case, CaseHistoryPublic, CasePublic, DiaryEntryPublic
from centrale.persons.models import NetworkLinkPublic, Person, PersonPublic
from centrale.persons.service import household_of, network_of
from centrale.plans.models import PlanPublic
from centrale.plans.service import active_plan, plan_public


class Fascicolo(SQLModel):
    case: CasePublic
    sections: list[Section]
    person: PersonPublic | None = None
    household: Any = None
    network: list[NetworkLinkPublic] | None = None
    team: list[CareTeamMemberPublic] | None = None
    assessments: list[AssessmentPublic] | None = None
    plan: PlanPublic | None = None
    diary: list[DiaryEntryPublic] | None = None
    history: list[CaseHistoryPublic] | None = None


async def build(
    session: AsyncSession, *, case: Case, actor: Actor, only: frozenset[Section] | None = None
) -> Fascicolo:
    """Assemble the parts in ``FASCICOLO_SECTIONS`` for the actor's role (and, for a referral's receiver,
    only the parts it shares); absent parts stay None."""
    case_id = case.id or 0
    sections = visible_sections(actor) if only is None else visible_sections(actor) & only
    out = Fascicolo(case=service.case_public(case), sections=sorted(sections))
    if Section.PERSON in sections:
        person = await session.get(Person, case.person_id)
        out.person = PersonPublic.model_validate(person)
    if Section.HOUSEHOLD in sections:
        out.household = await household_of(session, person_id=case.person_id)
    if Section.NETWORK in sections:
        out.network = [NetworkLinkPublic.model_validate(n) for n in await network_of(session, person_id=case.person_id)]
    if Section.TEAM in sections:
        out.team = [CareTeamMemberPublic.model_validate(m) for m in await service.team(session, case_id=case_id)]
    if Section.ASSESSMENTS in sections:
        rows = await assessments_of(session, person_id=case.person_id)
        out.assessments = [AssessmentPublic.model_validate(a) for a in rows]
    if Section.PLAN in sections:
        plan = await active_plan(session, case_id=case_id)
        out.plan = await plan_public(session, plan=plan) if plan else None
    if Section.DIARY in sections:
        out.diary = [DiaryEntryPublic.model_validate(d) for d in await service.diary(session, case_id=case_id)]
    if Section.HISTORY in sections:
        out.history = [CaseHistoryPublic.model_validate(h) for h in await service.history(session, case_id=case_id)]
    return out
