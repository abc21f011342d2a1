"""Who a policy role means for one alert: through the case, the condominio, or the district.

The case-management domain adds tutor and case manager of the case's care team; until then (and
for alerts without a case) the tutor is the operator of the person's condominio and the case
manager is one of the registering organisation's case managers. The coordinatore di turno and the PUA
on call come from the rota at the moment of the step (``centrale.rota.service.on_duty``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.escalation.models import PolicyRole
from alerts.models import Alert
from centrale.cases.models import Case
from centrale.clock import utcnow
from centrale.condomini.models import AssistedPerson, Condominio
from centrale.operators.models import Operator, Role
from centrale.persons.models import Person
from centrale.rota.service import on_duty, roles_with_rota

Resolver = Callable[[AsyncSession, Alert], Awaitable[Sequence[Operator]]]


def _active() -> tuple[object, ...]:
    return (col(Operator.active).is_(True), col(Operator.deleted_at).is_(None))


async def _operators(session: AsyncSession, *where: object) -> Sequence[Operator]:
    query = select(Operator).where(*_active(), *where).order_by(col(Operator.id))  # type: ignore[arg-type]
    return (await session.exec(query)).all()


async def _tutor(session: AsyncSession, alert: Alert) -> Sequence[Operator]:
    condominio_ids: list[int] = []
    if alert.condominio_id is not None:
        condominio_ids.append(alert.condominio_id)
    elif alert.person_id is not None:
        found = await session.exec(
            select(col(AssistedPerson.condominio_id)).where(
                col(AssistedPerson.person_id) == alert.person_id, col(AssistedPerson.active).is_(True)
            )
        )
        condominio_ids.extend(found.all())
    if not condominio_ids:
        return []
    tutors = select(col(Condominio.operator_id)).where(
        col(Condominio.id).in_(condominio_ids), col(Condominio.deleted_at).is_(None)
    )
    return await _operators(session, col(Operator.id).in_(tutors))


async def _person(session: AsyncSession, alert: Alert) -> Person | None:
    return None if alert.person_id is None else await session.get(Person, alert.person_id)


async def _case_manager(session: AsyncSession, alert: Alert) -> Sequence[Operator]:
    """The manager of the alert's case when it names one (a discharge's deadline), else the registering org's."""
    if alert.case_id is not None:
        managers = select(col(Case.case_manager_id)).where(col(Case.id) == alert.case_id)
        found = await _operators(session, col(Operator.id).in_(managers))
        if found:
            return found
    person = await _person(session, alert)
    if person is None:
        return []
    return await _operators(
        session,
        col(Operator.role) == Role.CASE_MANAGER,
        col(Operator.organisation_id) == person.registered_by_org_id,
    )


async def _coordinatore_di_turno(session: AsyncSession, alert: Alert) -> Sequence[Operator]:
    return await on_duty(session, Role.COORDINATORE, utcnow())


async def _operatore_pua(session: AsyncSession, alert: Alert) -> Sequence[Operator]:
    return await on_duty(session, Role.OPERATORE_PUA, utcnow())


async def _mmg(session: AsyncSession, alert: Alert) -> Sequence[Operator]:
    person = await _person(session, alert)
    if person is None or person.mmg_organisation_id is None:
        return []
    return await _operators(
        session, col(Operator.role) == Role.MMG, col(Operator.organisation_id) == person.mmg_organisation_id
    )


async def _amministratore(session: AsyncSession, alert: Alert) -> Sequence[Operator]:
    if Role.AMMINISTRATORE in await roles_with_rota(session):  # administrators on call, when they keep a rota
        return await on_duty(session, Role.AMMINISTRATORE, utcnow())
    return await _operators(session, col(Operator.role) == Role.AMMINISTRATORE)


#: the policy roles that the rota decides, with the operators' role whose rota it is
ROTA_ROLES: dict[PolicyRole, Role] = {
    PolicyRole.COORDINATORE_DI_TURNO: Role.COORDINATORE,
    PolicyRole.OPERATORE_PUA: Role.OPERATORE_PUA,
    PolicyRole.AMMINISTRATORE: Role.AMMINISTRATORE,
}

RESOLVERS: dict[PolicyRole, Resolver] = {
    PolicyRole.TUTOR: _tutor,
    PolicyRole.CASE_MANAGER: _case_manager,
    PolicyRole.COORDINATORE_DI_TURNO: _coordinatore_di_turno,
    PolicyRole.OPERATORE_PUA: _operatore_pua,
    PolicyRole.MMG: _mmg,
    PolicyRole.AMMINISTRATORE: _amministratore,
}
