"""A small district for the discharge tests: a hospital, the PUA that receives its notices, a municipio."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.discharges.flows import Notified, notify
from alerts.discharges.models import DischargeNotice
from alerts.escalation.service import seed_default_policies
from centrale.auth.actor import Actor, actor_of
from centrale.db import Database
from centrale.operators.models import Operator, Role
from centrale.organisations.models import Organisation, OrgKind
from centrale.uow import Tx
from tests import factories as f
from tests.alerts.escalation.helpers import put_on_duty


@dataclass
class Ward:
    hospital: Organisation
    asl: Organisation
    municipio: Organisation
    centrale: Organisation
    pua: Operator
    case_manager: Operator
    coordinatore: Operator
    tutor: Operator


async def ward(session: AsyncSession, *, policies: bool = True) -> Ward:
    """The organisations and operators of a discharge; the PUA and the coordinator on duty."""
    hospital = await f.org(session, OrgKind.OSPEDALE, name="Ospedale San Filippo Neri")
    asl = await f.org(session, OrgKind.ASL_PUA)
    municipio = await f.org(session, OrgKind.MUNICIPIO)
    centrale = await f.org(session, OrgKind.CENTRALE)
    pua = await f.operator(session, Role.OPERATORE_PUA, asl, phone="+393330000303")
    case_manager = await f.operator(session, Role.CASE_MANAGER, municipio, phone="+393330000302")
    coordinatore = await f.operator(session, Role.COORDINATORE, centrale, phone="+393330000301")
    tutor = await f.operator(session, Role.TUTOR, municipio, phone="+393330000304")
    for op in (pua, coordinatore):
        await put_on_duty(session, op)
    if policies:
        await seed_default_policies(session)
    return Ward(hospital, asl, municipio, centrale, pua, case_manager, coordinatore, tutor)


def notice(w: Ward, *, cf: str, expected: date, ref: str | None = None, **extra: object) -> DischargeNotice:
    data = {
        "codice_fiscale": cf,
        "cognome": "Rossi",
        "nome": "Maria",
        "sesso": "F",
        "data_nascita": date(1938, 5, 1),
        "indirizzo": "Via Pescaglia 10",
        "municipio": "XI",
        "hospital_org_id": w.hospital.id,
        "ward": "Medicina interna",
        "expected_date": expected,
        "needs": "Ossigeno a domicilio, letto articolato",
        "hospital_contact": "Dott.ssa Neri, 06 1234567",
        "hospital_ref": ref,
        "case_manager_id": w.case_manager.id,
    }
    return DischargeNotice.model_validate(data | extra)


async def actor(session: AsyncSession, op: Operator) -> Actor:
    assert op.id is not None
    found = await actor_of(session, op.id)
    assert found is not None
    return found


async def notify_as(database: Database, who: Actor, data: DischargeNotice) -> Notified:
    async with Tx.open(database, actor=who) as tx:
        done = await notify(tx, notice=data)
        await tx.commit()
        return done
