"""Builders shared by the escalation tests: a small district and a policy with short steps."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.escalation.models import EscalationPolicyCreate, PolicyRole, PolicyStep
from alerts.escalation.service import create_policy
from alerts.models import AlertSource, Channel, Severity
from centrale.condomini.models import Condominio
from centrale.events.service import commit
from centrale.operators.models import Operator, Role
from centrale.organisations.models import OrgKind
from centrale.persons.models import Person
from tests import factories as f
from tests.centrale.rota.helpers import put_on_duty


@dataclass
class District:
    tutor: Operator
    coordinatore: Operator
    pua: Operator
    condominio: Condominio
    person: Person


async def district(session: AsyncSession) -> District:
    centrale = await f.org(session, OrgKind.CENTRALE)
    municipio = await f.org(session, OrgKind.MUNICIPIO)
    asl = await f.org(session, OrgKind.ASL_PUA)
    tutor = await f.operator(session, Role.TUTOR, municipio, phone="+393330000211")
    coordinatore = await f.operator(session, Role.COORDINATORE, centrale, phone="+393330000201")
    pua = await f.operator(session, Role.OPERATORE_PUA, asl, phone="+393330000203")
    for op in (coordinatore, pua):
        await put_on_duty(session, op)
    cond = await f.condominio(session, tutor)
    person = await f.person(session, municipio)
    await f.assisted(session, cond, person)
    return District(tutor, coordinatore, pua, cond, person)


async def three_step_policy(
    session: AsyncSession,
    *,
    name: str = "Prova",
    office_first: bool = False,
    repeat_last: int = 0,
    ack_minutes: int = 30,
    source: AlertSource | None = None,
    severity: Severity | None = Severity.ALTA,
) -> int:
    policy = await create_policy(
        session,
        data=EscalationPolicyCreate(
            name=name,
            severity=severity,
            source=source,
            ack_timeout_minutes=ack_minutes,
            repeat_last=repeat_last,
            steps=[
                PolicyStep(
                    role=PolicyRole.TUTOR,
                    channels=[Channel.PERSONALE, Channel.SMS],
                    wait_minutes=5,
                    office_hours=office_first,
                ),
                PolicyStep(
                    role=PolicyRole.COORDINATORE_DI_TURNO,
                    channels=[Channel.BACHECA, Channel.SMS],
                    wait_minutes=10,
                ),
                PolicyStep(role=PolicyRole.OPERATORE_PUA, channels=[Channel.SMS], wait_minutes=15),
            ],
        ),
    )
    await commit(session)
    assert policy.id is not None
    return policy.id
