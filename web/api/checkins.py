"""Check-in schedules and the heat-wave level, for operators (API under /api/v1)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException

from alerts.checkins import service
from alerts.checkins.models import CheckinScheduleCreate, CheckinSchedulePublic, HeatWaveIn, HeatWavePublic
from centrale.audit.models import AuditAction
from centrale.audit.service import build_event, record
from centrale.auth.actor import Actor
from centrale.events.service import commit
from centrale.operators.models import Role
from web.api.deps import SessionDep, require_roles

router = APIRouter(tags=["checkins"])
Planner = Annotated[
    Actor, Depends(require_roles(Role.COORDINATORE, Role.CASE_MANAGER, Role.TUTOR, Role.AMMINISTRATORE))
]
Coordinator = Annotated[Actor, Depends(require_roles(Role.COORDINATORE, Role.AMMINISTRATORE))]


@router.post("/checkins/schedules", response_model=CheckinSchedulePublic, status_code=201)
async def create_schedule(data: CheckinScheduleCreate, actor: Planner, session: SessionDep) -> CheckinSchedulePublic:
    """Programma di controlli "rispondi OK" per una sentinella o una persona (RRULE in ora di Roma)."""
    try:
        schedule = await service.create_schedule(session, data=data)
    except ValueError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    record(
        session,
        build_event(
            agent=actor.agent(),
            action=AuditAction.CREATE,
            subtype="checkin.schedule",
            entity_type="CheckinSchedule",
            entity_id=schedule.id,
            person_id=data.person_id,
        ),
    )
    await commit(session)
    return CheckinSchedulePublic.model_validate(schedule, from_attributes=True)


@router.get("/ondata-calore", response_model=HeatWavePublic)
async def get_heat_level(actor: Planner, session: SessionDep) -> HeatWavePublic:
    row = await service.heat_level(session)
    return HeatWavePublic(level=0 if row is None else row.level, set_at=None if row is None else row.set_at)


@router.put("/ondata-calore", response_model=HeatWavePublic)
async def put_heat_level(data: HeatWaveIn, actor: Coordinator, session: SessionDep) -> HeatWavePublic:
    """Livello del bollettino ondate di calore (0–3); da 2 la lista a rischio passa ai controlli fitti."""
    row = await service.set_heat_level(session, level=data.level, operator_id=actor.operator_id)
    record(
        session,
        build_event(
            agent=actor.agent(),
            action=AuditAction.UPDATE,
            subtype="heatwave.level",
            entity_type="HeatWave",
            entity_id=data.level,
            person_id=None,
        ),
    )
    await commit(session)
    return HeatWavePublic(level=row.level, set_at=row.set_at)
