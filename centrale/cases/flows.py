"""The actions on cases: intake, a change of state or phase, the care team, the diary.

Each authorises on the case (or, for an intake, on the person) with the case rules of the policy, so a
refusal is audited the same way whether it comes from the API or from a page form.
"""

from __future__ import annotations

from centrale.audit.models import AuditAction
from centrale.authz.case_guard import case_for, person_for_case
from centrale.authz.policy import CaseAction
from centrale.cases import service
from centrale.cases.models import (
    CareTeamMember,
    Case,
    CaseTransition,
    DiaryEntry,
    DiaryEntryIn,
    Intake,
    IntakeCreate,
    TeamMemberIn,
)
from centrale.flows import flow
from centrale.uow import Tx


@flow("case.intake")
async def record_intake(tx: Tx, *, data: IntakeCreate) -> tuple[Intake, Case | None]:
    """Record a scheda di accoglienza for a person; a proposal opens a case."""
    await person_for_case(tx, data.person_id, CaseAction.INTAKE, "case.intake")
    intake, case = await service.record_intake(tx.session, data=data, actor=tx.require_actor())
    tx.audit(AuditAction.CREATE, "case.intake", entity_type="Intake", entity_id=intake.id, person_id=data.person_id)
    if case is not None:
        tx.emit(
            kind="case.opened",
            entity_type="Case",
            entity_id=case.id,
            person_id=case.person_id,
            payload={"state": case.state, "phase": case.phase, "category": case.category},
        )
    return intake, case


@flow("case.transition")
async def transition_case(tx: Tx, *, case_id: int, data: CaseTransition) -> Case:
    """Move a case to another state and/or phase (409 naming the allowed ones)."""
    access = await case_for(tx, case_id, CaseAction.MANAGE, "case.transition")
    before = {"from_state": access.case.state, "from_phase": access.case.phase}
    case = await service.transition(tx.session, case=access.case, data=data, actor=access.actor)
    tx.audit(AuditAction.UPDATE, "case.transition", entity_type="Case", entity_id=case_id, person_id=case.person_id)
    tx.emit(
        kind="case.state_changed",
        entity_type="Case",
        entity_id=case_id,
        person_id=case.person_id,
        payload=before | {"to_state": case.state, "to_phase": case.phase},
    )
    return case


@flow("case.team_add")
async def add_team_member(tx: Tx, *, case_id: int, data: TeamMemberIn) -> CareTeamMember:
    """Put an organisation (or one of its operators) on the care team: it gains access with this commit."""
    access = await case_for(tx, case_id, CaseAction.MANAGE, "case.team_add")
    member = await service.add_member(tx.session, case=access.case, data=data, actor=access.actor)
    tx.audit(
        AuditAction.UPDATE,
        "case.team_add",
        entity_type="CareTeamMember",
        entity_id=member.id,
        person_id=access.person_id,
    )
    tx.emit(
        kind="case.member_added",
        entity_type="Case",
        entity_id=case_id,
        person_id=access.person_id,
        payload={
            "member_id": member.id,
            "organisation_id": data.organisation_id,
            "operator_id": data.operator_id,
            "role": data.role,
        },
    )
    return member


@flow("case.team_remove")
async def remove_team_member(tx: Tx, *, case_id: int, member_id: int) -> CareTeamMember:
    """Take a member off the care team: its access ends with this commit."""
    access = await case_for(tx, case_id, CaseAction.MANAGE, "case.team_remove")
    member = await service.remove_member(tx.session, case=access.case, member_id=member_id, actor=access.actor)
    tx.audit(
        AuditAction.UPDATE,
        "case.team_remove",
        entity_type="CareTeamMember",
        entity_id=member_id,
        person_id=access.person_id,
    )
    tx.emit(
        kind="case.member_removed",
        entity_type="Case",
        entity_id=case_id,
        person_id=access.person_id,
        payload={"member_id": member_id, "organisation_id": member.organisation_id, "operator_id": member.operator_id},
    )
    return member


@flow("case.diary_add")
async def add_diary_entry(tx: Tx, *, case_id: int, data: DiaryEntryIn) -> DiaryEntry:
    """Write a note in the case's diary (an interview, a visit, a call...)."""
    access = await case_for(tx, case_id, CaseAction.CONTRIBUTE, "case.diary_add")
    entry = await service.add_diary(tx.session, case=access.case, data=data, actor=access.actor)
    tx.audit(
        AuditAction.CREATE, "case.diary_add", entity_type="DiaryEntry", entity_id=entry.id, person_id=access.person_id
    )
    return entry
