"""HTTP routes for intakes, cases, their history, care team and diary. Every route passes the policy."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlmodel import SQLModel

from centrale.audit.models import AuditAction
from centrale.audit.service import build_event
from centrale.authz.case_guard import CaseAccess, check_person_for_case
from centrale.authz.policy import CaseAction, case_clause
from centrale.cases import fascicolo, service
from centrale.cases.models import (
    CareTeamMemberPublic,
    CaseCategory,
    CaseHistoryPublic,
    CaseListItem,
    CasePhase,
    CasePublic,
    CaseState,
    CaseTransition,
    DiaryEntryIn,
    DiaryEntryPublic,
    IntakeCreate,
    IntakePublic,
    TeamMemberIn,
)
from centrale.common import Page
from centrale.events.service import commit
from web import container
from web.api.deps import CurrentActor, PagingDep, SessionDep, case_guard

router = APIRouter(tags=["casi"])

Readable = Annotated[CaseAccess, Depends(case_guard(CaseAction.READ, "case.read"))]
Manageable = Annotated[CaseAccess, Depends(case_guard(CaseAction.MANAGE, "case.manage"))]
Contributable = Annotated[CaseAccess, Depends(case_guard(CaseAction.CONTRIBUTE, "case.contribute"))]


class IntakeResult(SQLModel):
    intake: IntakePublic
    case: CasePublic | None


@router.post(
    "/intakes",
    response_model=IntakeResult,
    status_code=201,
    summary="Scheda di accoglienza (una proposta apre un caso) / intake",
)
async def record_intake(data: IntakeCreate, request: Request, session: SessionDep, actor: CurrentActor) -> IntakeResult:
    await check_person_for_case(
        session, container.database(request), actor, data.person_id, CaseAction.INTAKE, "intake.create"
    )
    intake, case = await service.record_intake(session, data=data, actor=actor)
    session.add(
        build_event(
            agent=actor.agent(),
            action=AuditAction.CREATE,
            subtype="intake.create",
            entity_type="Intake",
            entity_id=intake.id,
            person_id=data.person_id,
        )
    )
    await commit(session)
    return IntakeResult(intake=IntakePublic.model_validate(intake), case=service.case_public(case) if case else None)


@router.get("/cases", response_model=Page[CaseListItem], summary="Elenco dei casi visibili / visible cases")
async def list_cases(
    session: SessionDep,
    actor: CurrentActor,
    paging: PagingDep,
    state: Annotated[CaseState | None, Query()] = None,
    phase: Annotated[CasePhase | None, Query()] = None,
    category: Annotated[CaseCategory | None, Query()] = None,
    case_manager_id: Annotated[int | None, Query()] = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
) -> Page[CaseListItem]:
    rows, total = await service.list_cases(
        session,
        visible=case_clause(actor, CaseAction.READ),
        state=state,
        phase=phase,
        category=category,
        case_manager_id=case_manager_id,
        q=q,
        offset=paging.offset,
        limit=paging.limit,
    )
    for case, _person in rows:  # every case listed is a read of its person's data
        session.add(
            build_event(
                agent=actor.agent(),
                action=AuditAction.READ,
                subtype="case.list",
                entity_type="Case",
                entity_id=case.id,
                person_id=case.person_id,
            )
        )
    await commit(session)
    items = [
        CaseListItem.model_validate(service.case_public(c).model_dump() | {"cognome": p.cognome, "nome": p.nome})
        for c, p in rows
    ]
    return Page(data=items, count=total)


@router.get("/cases/{case_id}", response_model=CasePublic, summary="Un caso / a case")
async def read_case(access: Readable) -> CasePublic:
    return service.case_public(access.case)


@router.post(
    "/cases/{case_id}/transitions",
    response_model=CasePublic,
    summary="Cambia stato o fase (409 con i passaggi consentiti) / change state or phase",
)
async def change_state(data: CaseTransition, access: Manageable) -> CasePublic:
    case = await service.transition(access.session, case=access.case, data=data, actor=access.actor)
    access.audit(AuditAction.UPDATE, "case.transition")
    await commit(access.session)
    return service.case_public(case)


@router.get("/cases/{case_id}/history", response_model=list[CaseHistoryPublic], summary="Storia / history")
async def case_history(access: Readable) -> list[CaseHistoryPublic]:
    rows = await service.history(access.session, case_id=access.case_id)
    return [CaseHistoryPublic.model_validate(r) for r in rows]


@router.get("/cases/{case_id}/team", response_model=list[CareTeamMemberPublic], summary="Équipe / care team")
async def read_team(access: Readable) -> list[CareTeamMemberPublic]:
    rows = await service.team(access.session, case_id=access.case_id)
    return [CareTeamMemberPublic.model_validate(r) for r in rows]


@router.post(
    "/cases/{case_id}/team",
    response_model=CareTeamMemberPublic,
    status_code=201,
    summary="Aggiungi all'équipe / add a member",
)
async def add_member(data: TeamMemberIn, access: Manageable) -> CareTeamMemberPublic:
    member = await service.add_member(access.session, case=access.case, data=data, actor=access.actor)
    access.audit(AuditAction.UPDATE, "case.team_add", "CareTeamMember", member.id)
    await commit(access.session)
    return CareTeamMemberPublic.model_validate(member)


@router.delete(
    "/cases/{case_id}/team/{member_id}",
    status_code=204,
    summary="Rimuovi dall'équipe (l'accesso cessa subito) / remove a member",
)
async def remove_member(member_id: int, access: Manageable) -> Response:
    await service.remove_member(access.session, case=access.case, member_id=member_id, actor=access.actor)
    access.audit(AuditAction.UPDATE, "case.team_remove", "CareTeamMember", member_id)
    await commit(access.session)
    return Response(status_code=204)


@router.get("/cases/{case_id}/diary", response_model=list[DiaryEntryPublic], summary="Diario / diary")
async def read_diary(access: Readable) -> list[DiaryEntryPublic]:
    rows = await service.diary(access.session, case_id=access.case_id)
    return [DiaryEntryPublic.model_validate(r) for r in rows]


@router.post(
    "/cases/{case_id}/diary",
    response_model=DiaryEntryPublic,
    status_code=201,
    summary="Nuova voce di diario / add a diary entry",
)
async def add_diary(data: DiaryEntryIn, access: Contributable) -> DiaryEntryPublic:
    entry = await service.add_diary(access.session, case=access.case, data=data, actor=access.actor)
    access.audit(AuditAction.CREATE, "case.diary_add", "DiaryEntry", entry.id)
    await commit(access.session)
    return DiaryEntryPublic.model_validate(entry)


@router.get(
    "/cases/{case_id}/fascicolo",
    response_model=fascicolo.Fascicolo,
    summary="Fascicolo: tutto ciò che il lettore può vedere / the case file",
)
async def read_fascicolo(access: Readable) -> fascicolo.Fascicolo:
    return await fascicolo.build(access.session, case=access.case, actor=access.actor)
