"""Condomini solidali, their assisted people and sentinels (no HTTP here)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.clock import utcnow
from centrale.common import Conflict, NotFound
from centrale.condomini.models import (
    AssistedPerson,
    AssistedPersonIn,
    Condominio,
    CondominioCreate,
    CondominioUpdate,
    Sentinel,
    SentinelCreate,
    SentinelUpdate,
)
from centrale.persons.models import Person


async def list_condomini(
    session: AsyncSession, *, where: list[ColumnElement[bool]], offset: int, limit: int
) -> tuple[Sequence[Condominio], int]:
    where = [col(Condominio.deleted_at).is_(None), *where]
    total = (await session.exec(select(func.count()).select_from(Condominio).where(*where))).one()
    rows = await session.exec(
        select(Condominio).where(*where).order_by(col(Condominio.name)).offset(offset).limit(limit)
    )
    return rows.all(), total


async def assisted_people(
    session: AsyncSession, *, condominio_id: int, visible: ColumnElement[bool]
) -> Sequence[AssistedPerson]:
    rows = await session.exec(
        select(AssistedPerson)
        .join(Person, col(Person.id) == col(AssistedPerson.person_id))
        .where(col(AssistedPerson.condominio_id) == condominio_id, col(AssistedPerson.active).is_(True), visible)
        .order_by(col(AssistedPerson.alias))
    )
    return rows.all()


async def add_assisted(session: AsyncSession, *, condominio_id: int, data: AssistedPersonIn) -> AssistedPerson:
    alias = data.alias.strip().upper()
    already = (
        await session.exec(
            select(col(AssistedPerson.id)).where(
                col(AssistedPerson.condominio_id) == condominio_id,
                col(AssistedPerson.person_id) == data.person_id,
                col(AssistedPerson.active).is_(True),
            )
        )
    ).first()
    if already is not None:
        raise Conflict("person_id: la persona è già assistita in questo condominio / already assisted here")
    clash = (
        await session.exec(
            select(AssistedPerson).where(
                col(AssistedPerson.condominio_id) == condominio_id, col(AssistedPerson.alias) == alias
            )
        )
    ).first()
    if clash is not None:
        raise Conflict(f"alias: {alias} è già usato in questo condominio / alias already used")
    row = AssistedPerson(condominio_id=condominio_id, person_id=data.person_id, alias=alias)
    session.add(row)
    await session.flush()
    return row


async def sentinels_of(session: AsyncSession, *, condominio_id: int) -> Sequence[Sentinel]:
    rows = await session.exec(
        select(Sentinel)
        .where(col(Sentinel.condominio_id) == condominio_id, col(Sentinel.deleted_at).is_(None))
        .order_by(col(Sentinel.name))
    )
    return rows.all()


def _phone_taken(phone: str) -> Conflict:
    return Conflict(f"phone: il numero {phone} è già di una sentinella / number already registered")


async def create_sentinel(session: AsyncSession, *, data: SentinelCreate) -> Sentinel:
    if (await session.exec(select(col(Sentinel.id)).where(col(Sentinel.phone) == data.phone))).first():
        raise _phone_taken(data.phone)
    sentinel = Sentinel.model_validate(data.model_dump() | {"consent_at": utcnow() if data.consent_sms else None})
    session.add(sentinel)
    try:
        await session.flush()
    except IntegrityError as exc:
        await session.rollback()
        raise _phone_taken(data.phone) from exc
    return sentinel


async def update_sentinel(session: AsyncSession, *, sentinel: Sentinel, data: SentinelUpdate) -> Sentinel:
    changes = data.model_dump(exclude_unset=True)
    if changes.get("phone") and changes["phone"] != sentinel.phone:
        clash = (await session.exec(select(col(Sentinel.id)).where(col(Sentinel.phone) == changes["phone"]))).first()
        if clash:
            raise _phone_taken(changes["phone"])
    if changes.get("consent_sms") and not sentinel.consent_sms:
        sentinel.consent_at = utcnow()
    for field, value in changes.items():
        setattr(sentinel, field, value)
    session.add(sentinel)
    await session.flush()
    return sentinel


async def sentinel_by_phone(session: AsyncSession, *, phone: str) -> Sentinel | None:
    return (
        await session.exec(select(Sentinel).where(col(Sentinel.phone) == phone, col(Sentinel.deleted_at).is_(None)))
    ).first()


async def get_condominio(session: AsyncSession, *, condominio_id: int) -> Condominio:
    """The condominio (404 when unknown or deleted)."""
    row = await session.get(Condominio, condominio_id)
    if row is None or row.deleted_at is not None:
        raise NotFound("Condominio", condominio_id)
    return row


async def get_sentinel(session: AsyncSession, *, sentinel_id: int) -> Sentinel:
    """The sentinel (404 when unknown or deleted)."""
    sentinel = await session.get(Sentinel, sentinel_id)
    if sentinel is None or sentinel.deleted_at is not None:
        raise NotFound("Sentinella", sentinel_id)
    return sentinel


async def create_condominio(session: AsyncSession, *, data: CondominioCreate) -> Condominio:
    row = Condominio.model_validate(data)
    session.add(row)
    await session.flush()
    return row


async def update_condominio(session: AsyncSession, *, row: Condominio, data: CondominioUpdate) -> Condominio:
    for field, value in data.model_dump(exclude_unset=True).items():
        setattr(row, field, value)
    session.add(row)
    await session.flush()
    return row
