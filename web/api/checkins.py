"""Check-in schedules and the heat-wave level, for operators (API under /api/v1)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from alerts.checkins import flows, service
from alerts.checkins.models import CheckinScheduleCreate, CheckinSchedulePublic, HeatWaveIn, HeatWavePublic
from centrale.auth.actor import Actor
from centrale.operators.models import Role
from web.api.deps import SessionDep, TxDep, flow_route, require_roles

router = APIRouter(tags=["checkins"])
Planner = Annotated[
    Actor, Depends(require_roles(Role.COORDINATORE, Role.CASE_MANAGER, Role.TUTOR, Role.AMMINISTRATORE))
]


@router.post(
    "/checkins/schedules",
    response_model=CheckinSchedulePublic,
    status_code=201,
    openapi_extra=flow_route("checkins.schedule_create"),
)
async def create_schedule(data: CheckinScheduleCreate, tx: TxDep) -> CheckinSchedulePublic:
    """Programma di controlli "rispondi OK" per una sentinella o una persona (RRULE in ora di Roma)."""
    schedule = await flows.create_schedule(tx, data=data)
    await tx.commit()
    return CheckinSchedulePublic.model_validate(schedule, from_attributes=True)


@router.get("/ondata-calore", response_model=HeatWavePublic)
async def get_heat_level(actor: Planner, session: SessionDep) -> HeatWavePublic:
    row = await service.heat_level(session)
    return HeatWavePublic(level=0 if row is None else row.level, set_at=None if row is None else row.set_at)


@router.put("/ondata-calore", response_model=HeatWavePublic, openapi_extra=flow_route("heat.set_level"))
async def put_heat_level(data: HeatWaveIn, tx: TxDep) -> HeatWavePublic:
    """Livello del bollettino ondate di calore (0–3); da 2 la lista a rischio passa ai controlli fitti."""
    row = await flows.set_heat_level(tx, level=data.level)
    await tx.commit()
    return HeatWavePublic(level=row.level, set_at=row.set_at)
