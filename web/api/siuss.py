"""SIUSS on the case file: the data INPS needs, the flows with INPS's outcome, emitting new flows."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from centrale.audit.models import AuditAction
from centrale.authz.case_guard import CaseAccess
from centrale.authz.policy import CaseAction, Section
from centrale.events.service import commit
from integrations.siuss import service
from integrations.siuss.models import GenerationResult, SiussDataIn, SiussStatus
from web import container
from web.api.deps import case_guard

router = APIRouter(tags=["siuss"])

Readable = Annotated[CaseAccess, Depends(case_guard(CaseAction.READ, "case.siuss.read"))]
Manageable = Annotated[CaseAccess, Depends(case_guard(CaseAction.MANAGE, "case.siuss.manage"))]


@router.get(
    "/cases/{case_id}/siuss",
    response_model=SiussStatus,
    summary="Flussi SIUSS del caso, esiti INPS e dati mancanti / SIUSS flows, outcomes and missing data",
)
async def read_status(access: Readable, request: Request) -> SiussStatus:
    await access.require_section(Section.PLAN, "case.siuss.read")
    return await service.case_status(access.session, case=access.case, settings=container.settings_of(request))


@router.put("/cases/{case_id}/siuss/dati", response_model=SiussStatus, summary="Dati SIUSS del caso / SIUSS data")
async def save_data(data: SiussDataIn, access: Manageable, request: Request) -> SiussStatus:
    await service.save_data(access.session, case=access.case, data=data, actor=access.actor)
    access.audit(AuditAction.UPDATE, "case.siuss.data", entity_type="SiussData")
    await commit(access.session)
    return await service.case_status(access.session, case=access.case, settings=container.settings_of(request))


@router.post(
    "/cases/{case_id}/siuss/flussi",
    response_model=GenerationResult,
    summary="Genera i flussi PS-PSA-SINA del piano attivo / emit the active plan's flows",
)
async def emit_flows(access: Manageable, request: Request) -> GenerationResult:
    result = await service.generate(
        access.session, case=access.case, actor=access.actor, settings=container.settings_of(request)
    )
    for flow in result.emitted:
        access.audit(AuditAction.CREATE, "case.siuss.flow", entity_type="SiussFlow", entity_id=flow.id_flusso)
    await commit(access.session)
    return result
