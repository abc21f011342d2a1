"""Check-in actions: plan "rispondi OK" messages for a person or a sentinel, set the heat-wave level."""

from __future__ import annotations

from alerts.checkins import service
from alerts.checkins.models import CheckinSchedule, CheckinScheduleCreate, HeatWaveLevel
from centrale.audit.models import AuditAction
from centrale.auth.actor import Actor
from centrale.authz.guard import check_person
from centrale.authz.policy import PersonAction
from centrale.condomini.models import Condominio, Sentinel
from centrale.errors import Invalid, NotFound
from centrale.flows import flow
from centrale.operators.models import Role
from centrale.organisations.models import OrgKind
from centrale.uow import Tx

#: who may set the heat-wave level: it moves the whole district's at-risk list
HEAT_SETTERS = frozenset({Role.COORDINATORE, Role.AMMINISTRATORE})


def _follows(actor: Actor, condominio: Condominio) -> bool:
    """The condominio's own tutor, or the Centrale of its municipio (the district relation of a building)."""
    if condominio.operator_id is not None and condominio.operator_id == actor.operator_id:
        return True
    return (
        actor.role == Role.COORDINATORE
        and actor.org_kind == OrgKind.CENTRALE
        and actor.municipio in (None, condominio.municipio)
    )


async def _authorise_sentinel(tx: Tx, actor: Actor, sentinel_id: int) -> None:
    sentinel = await tx.session.get(Sentinel, sentinel_id)
    if sentinel is None or sentinel.deleted_at is not None:
        raise NotFound("Sentinella", sentinel_id)
    condominio = await tx.session.get(Condominio, sentinel.condominio_id)
    if condominio is None or condominio.deleted_at is not None or not _follows(actor, condominio):
        raise await tx.deny(
            AuditAction.CREATE,
            "checkins.schedule_create",
            entity_type="Sentinel",
            entity_id=sentinel_id,
            person_id=None,
            reason=f"role {actor.role} does not follow the sentinel's condominio",
        )


@flow("checkins.schedule_create")
async def create_schedule(tx: Tx, *, data: CheckinScheduleCreate) -> CheckinSchedule:
    """Plan check-ins for a person (who the actor may write for) or a sentinel (of a building they follow)."""
    actor = tx.require_actor()
    if (data.sentinel_id is None) == (data.person_id is None):
        raise Invalid("sentinel_id o person_id: indicarne esattamente uno / give exactly one", field="person_id")
    if data.person_id is not None:
        # a schedule texts a number of the planner's choice about this person: as much as editing their file
        await check_person(tx.session, tx.db, actor, data.person_id, PersonAction.WRITE, "checkins.schedule_create")
    else:
        assert data.sentinel_id is not None
        await _authorise_sentinel(tx, actor, data.sentinel_id)
    schedule = await service.create_schedule(tx.session, data=data)
    tx.audit(
        AuditAction.CREATE,
        "checkins.schedule_create",
        entity_type="CheckinSchedule",
        entity_id=schedule.id,
        person_id=data.person_id,
    )
    return schedule


@flow("heat.set_level")
async def set_heat_level(tx: Tx, *, level: int) -> HeatWaveLevel:
    """Record the heat-wave bulletin's level; from 2 the at-risk list moves to its denser schedule."""
    actor = tx.require_actor()
    if actor.role not in HEAT_SETTERS:
        raise await tx.deny(
            AuditAction.UPDATE,
            "heat.set_level",
            entity_type="HeatWave",
            entity_id=level,
            person_id=None,
            reason=f"role {actor.role} may not set the heat-wave level",
        )
    row = await service.set_heat_level(tx.session, level=level, operator_id=actor.operator_id)
    tx.audit(AuditAction.UPDATE, "heat.set_level", entity_type="HeatWave", entity_id=level, person_id=None)
    return row
