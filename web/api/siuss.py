"""SIUSS on the case file: the data INPS needs, the flows with INPS's outcome, emitting new flows."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from centrale.authz.case_guard import CaseAccess
from centrale.authz.policy import CaseAction, Section
from integrations.siuss import service
from integrations.siuss.flows import emit_siuss_flows, set_siuss_data
from integrations.siuss.models import GenerationResult, SiussDataIn, SiussStatus
from web import container
from web.api.deps import SettingsDep, TxDep, case_guard, flow_route

router = APIRouter(tags=["siuss"])

Readable = Annotated[CaseAccess, Depends(case_guard(CaseAction.READ, "case.siuss.read"))]


@router.get(
    "/cases/{case_id}/siuss",
    response_model=SiussStatus,
    summary="Flussi SIUSS del caso, esiti INPS e dati mancanti / SIUSS flows, outcomes and missing data",
)
async def read_status(access: Readable, request: Request) -> SiussStatus:
    await access.require_section(Section.PLAN, "case.siuss.read")
    return await service.case_status(access.session, case=access.case, settings=container.settings_of(request))


@router.put(
    "/cases/{case_id}/siuss/dati",
    response_model=SiussStatus,
    summary="Dati SIUSS del caso / SIUSS data",
    openapi_extra=flow_route("siuss.data_set"),
)
async def save_data(case_id: int, data: SiussDataIn, tx: TxDep, settings: SettingsDep) -> SiussStatus:
    case = await set_siuss_data(tx, case_id=case_id, data=data)
    await tx.commit()
    return await service.case_status(tx.session, case=case, settings=settings)


@router.post(
    "/cases/{case_id}/siuss/flussi",
    response_model=GenerationResult,
    summary="Genera i flussi PS-PSA-SINA del piano attivo / emit the active plan's flows",
    openapi_extra=flow_route("siuss.emit"),
)
async def emit_flows(case_id: int, tx: TxDep, settings: SettingsDep) -> GenerationResult:
    result = await emit_siuss_flows(tx, case_id=case_id, settings=settings)
    await tx.commit()
    return result
