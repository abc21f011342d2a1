"""HTTP routes for intakes, cases, their history, care team and diary. Reads pass the policy in a dependency;
writes call their flow (``centrale.cases.flows``), which authorises on the case."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from sqlmodel import SQLModel

from centrale.audit.models import AuditAction
from centrale.audit.service import build_event
from centrale.authz.case_guard import CaseAccess
from centrale.authz.policy import CaseAction, case_clause
from centrale.cases import fascicolo, flows, service
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
from web.api.deps import CurrentActor, PagingDep, SessionDep, TxDep, case_guard, flow_route

router = APIRouter(tags=["casi"])

Readable = Annotated[CaseAccess, Depends(case_guard(CaseAction.READ, "case.read"))]


class IntakeResult(SQLModel):
    intake: IntakePublic
    case: CasePublic | None


@router.post(
    "/intakes",
    response_model=IntakeResult,
    status_code=201,
    summary="Scheda di accoglienza (una proposta apre un caso) / intake",
    openapi_extra=flow_route("case.intake"),
)
async def record_intake(data: IntakeCreate, tx: TxDep) -> IntakeResult:
    intake, case = await flows.record_intake(tx, data=data)
    await tx.commit()
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
    openapi_extra=flow_route("case.transition"),
)
async def change_state(case_id: int, data: CaseTransition, tx: TxDep) -> CasePublic:
    case = await flows.transition_case(tx, case_id=case_id, data=data)
    await tx.commit()
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
    openapi_extra=flow_route("case.team_add"),
)
async def add_member(case_id: int, data: TeamMemberIn, tx: TxDep) -> CareTeamMemberPublic:
    member = await flows.add_team_member(tx, case_id=case_id, data=data)
    await tx.commit()
    return CareTeamMemberPublic.model_validate(member)


@router.delete(
    "/cases/{case_id}/team/{member_id}",
    status_code=204,
    summary="Rimuovi dall'équipe (l'accesso cessa subito) / remove a member",
    openapi_extra=flow_route("case.team_remove"),
)
async def remove_member(case_id: int, member_id: int, tx: TxDep) -> Response:
    await flows.remove_team_member(tx, case_id=case_id, member_id=member_id)
    await tx.commit()
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
    openapi_extra=flow_route("case.diary_add"),
)
async def add_diary(case_id: int, data: DiaryEntryIn, tx: TxDep) -> DiaryEntryPublic:
    entry = await flows.add_diary_entry(tx, case_id=case_id, data=data)
    await tx.commit()
    return DiaryEntryPublic.model_validate(entry)


@router.get(
    "/cases/{case_id}/fascicolo",
    response_model=fascicolo.Fascicolo,
    summary="Fascicolo: tutto ciò che il lettore può vedere / the case file",
)
async def read_fascicolo(access: Readable) -> fascicolo.Fascicolo:
    return await fascicolo.build(access.session, case=access.case, actor=access.actor)
