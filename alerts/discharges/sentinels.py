"""Telling the condominio's sentinels the day a person comes home from hospital (``discharge.tell_sentinels``).

The sentinels of the building where the person is followed receive one SMS each with the person's alias
in the building ("B3") and the day: no name, no ward, no health data. Those who said STOP, have not
consented to SMS or are archived are skipped. The messages go after the commit, each with an
idempotency key of the transition, the sentinel and the date, so a second press on the same date does
not send them twice through a provider that honours the key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.discharges.flows import NOTIFIERS
from alerts.discharges.service import get_discharge
from alerts.sms.segments import is_single_gsm7
from alerts.sms.service import is_opted_out
from centrale.audit.models import AuditAction
from centrale.authz.policy import CaseAction, case_clause, case_refusal_reason
from centrale.cases.models import Case
from centrale.condomini.models import AssistedPerson, Condominio, Sentinel
from centrale.errors import Conflict
from centrale.flows import flow
from centrale.operators.models import Role
from centrale.persons.models import Person
from centrale.ports import OutgoingSms, SmsSender
from centrale.uow import Tx

TEXT = "Centrale del Municipio: rientro a casa di {alias} previsto il {day}. Grazie per l'attenzione."


@dataclass(frozen=True)
class Building:
    """Where the person is followed, and how many sentinels can be told."""

    condominio_id: int
    name: str
    alias: str
    reachable: int


async def building_of(session: AsyncSession, person_id: int) -> Building | None:
    """The building where the person is followed (the first active one), or None."""
    found = (
        await session.exec(
            select(AssistedPerson, Condominio)
            .join(Condominio, col(Condominio.id) == col(AssistedPerson.condominio_id))
            .where(
                col(AssistedPerson.person_id) == person_id,
                col(AssistedPerson.active).is_(True),
                col(Condominio.deleted_at).is_(None),
            )
            .order_by(col(AssistedPerson.id))
        )
    ).first()
    if found is None:
        return None
    assisted, building = found
    reachable = await _sentinels(session, building.id or 0)
    return Building(building.id or 0, building.name, assisted.alias, len(reachable))


async def _sentinels(session: AsyncSession, condominio_id: int) -> list[Sentinel]:
    rows = await session.exec(
        select(Sentinel).where(
            col(Sentinel.condominio_id) == condominio_id,
            col(Sentinel.deleted_at).is_(None),
            col(Sentinel.opted_out).is_(False),
            col(Sentinel.consent_sms).is_(True),
        )
    )
    return [s for s in rows.all() if not await is_opted_out(session, phone=s.phone)]


def message(alias: str, day: Any) -> str:
    """The SMS: the alias and the day only, within one GSM-7 segment."""
    text = TEXT.format(alias=alias, day=f"{day:%d/%m}")
    if not is_single_gsm7(text):
        raise Conflict("alias: troppo lungo per un SMS / too long for one SMS")
    return text


@flow("discharge.tell_sentinels")
async def tell_sentinels(tx: Tx, *, discharge_id: int, sender: SmsSender) -> int:
    """Send the day of return to the sentinels of the person's building; how many will be told."""
    actor = tx.require_actor()
    discharge = await get_discharge(tx.session, discharge_id)
    case = await tx.session.get(Case, discharge.case_id)
    allowed = (
        await tx.session.exec(
            select(col(Person.id)).where(col(Person.id) == discharge.person_id, case_clause(actor, CaseAction.READ))
        )
    ).first() is not None
    if actor.role == Role.CASE_MANAGER:
        reason = None if case is not None and case.case_manager_id == actor.operator_id else "not the case's manager"
    elif actor.role not in NOTIFIERS:
        reason = f"role {actor.role} may not act on discharges"
    else:
        reason = None if allowed else case_refusal_reason(actor, CaseAction.READ)
    if reason is not None:
        raise await tx.deny(
            AuditAction.EXECUTE,
            "discharge.tell_sentinels",
            entity_type="Discharge",
            entity_id=discharge_id,
            person_id=discharge.person_id,
            reason=reason,
        )
    building = await building_of(tx.session, discharge.person_id)
    if building is None:
        raise Conflict("condominio: la persona non è seguita in un condominio solidale / not followed in a building")
    text = message(building.alias, discharge.expected_date)
    told = await _sentinels(tx.session, building.condominio_id)
    tx.audit(
        AuditAction.EXECUTE,
        "discharge.tell_sentinels",
        entity_type="Discharge",
        entity_id=discharge_id,
        person_id=discharge.person_id,
        outcome_desc=f"{len(told)} sentinelle del condominio {building.condominio_id}",
    )
    tx.emit(
        kind="discharge.sentinels_told",
        entity_type="Discharge",
        entity_id=discharge_id,
        person_id=discharge.person_id,
        payload={"discharge_id": discharge_id, "condominio_id": building.condominio_id, "told": len(told)},
    )
    day = discharge.expected_date.isoformat()
    outgoing = [OutgoingSms(to=s.phone, body=text, key=f"discharge.{discharge_id}.sentinel.{s.id}.{day}") for s in told]

    async def send() -> None:
        for sms in outgoing:
            await sender.send(sms)

    tx.after_commit(send)
    return len(told)
