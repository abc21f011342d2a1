"""The demo district: what it contains, valid codes, and seeding twice changes nothing."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession
from stdnum.it import codicefiscale

from centrale.condomini.models import AssistedPerson, Condominio, Sentinel
from centrale.demo import seed_demo
from centrale.operators.models import Operator, Role
from centrale.organisations.models import Organisation
from centrale.persons.models import Person


async def _counts(session: AsyncSession) -> dict[str, int]:
    out = {}
    for model in (Organisation, Operator, Person, Condominio, AssistedPerson, Sentinel):
        out[model.__name__] = (await session.exec(select(func.count()).select_from(model))).one()
    return out


async def test_seed_demo_is_complete_and_idempotent(session: AsyncSession) -> None:
    await seed_demo(session)
    first = await _counts(session)
    assert first["Condominio"] == 3 and first["Sentinel"] == 6
    roles = [op.role for op in (await session.exec(select(Operator))).all()]
    assert roles.count(Role.TUTOR) == 4 and Role.CASE_MANAGER in roles and Role.COORDINATORE in roles
    per_building = [
        (
            await session.exec(
                select(func.count()).select_from(AssistedPerson).where(AssistedPerson.condominio_id == c.id)
            )
        ).one()
        for c in (await session.exec(select(Condominio))).all()
    ]
    assert all(3 <= n <= 4 for n in per_building)
    for person in (await session.exec(select(Person))).all():
        assert codicefiscale.is_valid(person.codice_fiscale), person.codice_fiscale
    added = await seed_demo(session)
    assert set(added.values()) == {0}
    assert await _counts(session) == first
