"""Database work on persons, households and networks (no HTTP here)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, or_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.clock import utcnow
from centrale.common import Conflict
from centrale.persons.models import (
    Household,
    HouseholdIn,
    HouseholdMember,
    HouseholdMemberIn,
    HouseholdPublic,
    NetworkLink,
    NetworkLinkCreate,
    Person,
    PersonCreate,
    PersonUpdate,
)
from centrale.validators import classify_codice_fiscale


async def _cf_taken(session: AsyncSession, codice_fiscale: str, *, except_id: int | None = None) -> bool:
    query = select(col(Person.id)).where(col(Person.codice_fiscale) == codice_fiscale)
    if except_id is not None:
        query = query.where(col(Person.id) != except_id)
    return (await session.exec(query)).first() is not None


def _duplicate(codice_fiscale: str) -> Conflict:
    return Conflict(f"codice_fiscale: esiste già una persona con codice fiscale {codice_fiscale} / already registered")


async def create_person(session: AsyncSession, *, data: PersonCreate, registered_by_org_id: int) -> Person:
    """Register a person; 409 when the codice fiscale is already known (also under a race)."""
    code, kind = classify_codice_fiscale(data.codice_fiscale)
    if await _cf_taken(session, code):
        raise _duplicate(code)
    person = Person.model_validate(
        data.model_dump() | {"codice_fiscale": code, "cf_kind": kind, "registered_by_org_id": registered_by_org_id}
    )
    session.add(person)
    try:
        await session.flush()
    except IntegrityError as exc:
        await session.rollback()
        raise _duplicate(code) from exc
    return person


async def update_person(session: AsyncSession, *, person: Person, data: PersonUpdate) -> Person:
    changes = data.model_dump(exclude_unset=True)
    if changes.get("codice_fiscale"):
        code, kind = classify_codice_fiscale(changes["codice_fiscale"])
        if await _cf_taken(session, code, except_id=person.id):
            raise _duplicate(code)
        changes["codice_fiscale"], changes["cf_kind"] = code, kind
    for field, value in changes.items():
        setattr(person, field, value)
    person.updated_at = utcnow()
    session.add(person)
    code = person.codice_fiscale  # read before a rollback expires the row (no lazy load in async)
    try:
        await session.flush()
    except IntegrityError as exc:
        await session.rollback()
        raise _duplicate(code) from exc
    return person


async def soft_delete_person(session: AsyncSession, *, person: Person) -> None:
    person.deleted_at = utcnow()
    session.add(person)


async def list_persons(
    session: AsyncSession,
    *,
    visible: ColumnElement[bool],
    q: str | None,
    municipio: str | None,
    offset: int,
    limit: int,
) -> tuple[Sequence[Person], int]:
    """Persons the caller may see, filtered by name/codice fiscale text and municipio."""
    where: list[ColumnElement[bool]] = [col(Person.deleted_at).is_(None), visible]
    if q:
        like = f"%{q.strip().lower()}%"
        where.append(
            or_(
                func.lower(col(Person.cognome)).like(like),
                func.lower(col(Person.nome)).like(like),
                func.lower(col(Person.codice_fiscale)).like(like),
            )
        )
    if municipio:
        where.append(col(Person.municipio) == municipio)
    total = (await session.exec(select(func.count()).select_from(Person).where(*where))).one()
    rows = await session.exec(
        select(Person)
        .where(*where)
        .order_by(col(Person.cognome), col(Person.nome), col(Person.id))
        .offset(offset)
        .limit(limit)
    )
    return rows.all(), total


async def household_of(session: AsyncSession, *, person_id: int) -> HouseholdPublic | None:
    membership = (
        await session.exec(select(HouseholdMember).where(col(HouseholdMember.person_id) == person_id))
    ).first()
    if membership is None:
        return None
    household = await session.get(Household, membership.household_id)
    assert household is not None and household.id is not None
    members = await session.exec(select(HouseholdMember).where(col(HouseholdMember.household_id) == household.id))
    return HouseholdPublic(
        id=household.id,
        indirizzo=household.indirizzo,
        members=[HouseholdMemberIn(person_id=m.person_id, relation=m.relation) for m in members.all()],
    )


async def set_household(session: AsyncSession, *, person_id: int, data: HouseholdIn) -> HouseholdPublic:
    """Replace the person's household with the given members (the person is always one of them)."""
    ids = {m.person_id for m in data.members}
    if person_id not in ids:
        raise Conflict("members: il nucleo deve includere la persona / the household must include the person")
    existing = (await session.exec(select(col(Person.id)).where(col(Person.id).in_(ids)))).all()
    missing = ids - set(existing)
    if missing:
        raise Conflict(f"members: persone inesistenti / unknown persons {sorted(missing)}")
    old = (await session.exec(select(HouseholdMember).where(col(HouseholdMember.person_id).in_(ids)))).all()
    for row in old:
        await session.delete(row)
    household = Household(indirizzo=data.indirizzo)
    session.add(household)
    await session.flush()
    assert household.id is not None
    for member in data.members:
        session.add(HouseholdMember(household_id=household.id, person_id=member.person_id, relation=member.relation))
    await session.flush()
    return HouseholdPublic(id=household.id, indirizzo=household.indirizzo, members=data.members)


async def network_of(session: AsyncSession, *, person_id: int) -> Sequence[NetworkLink]:
    rows = await session.exec(
        select(NetworkLink)
        .where(col(NetworkLink.person_id) == person_id, col(NetworkLink.deleted_at).is_(None))
        .order_by(col(NetworkLink.id))
    )
    return rows.all()


async def add_network_link(session: AsyncSession, *, person_id: int, data: NetworkLinkCreate) -> NetworkLink:
    link = NetworkLink.model_validate(data.model_dump() | {"person_id": person_id})
    session.add(link)
    await session.flush()
    return link


async def remove_network_link(session: AsyncSession, *, person_id: int, link_id: int) -> NetworkLink | None:
    link = await session.get(NetworkLink, link_id)
    if link is None or link.person_id != person_id or link.deleted_at is not None:
        return None
    link.deleted_at = utcnow()
    session.add(link)
    return link
