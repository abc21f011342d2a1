"""Operator accounts (no HTTP here)."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.auth.passwords import hash_password
from centrale.common import Conflict
from centrale.operators.models import Operator, OperatorCreate, OperatorUpdate
from centrale.organisations.models import Organisation
from centrale.validators import normalise_phone


async def _check_org(session: AsyncSession, organisation_id: int) -> None:
    org = await session.get(Organisation, organisation_id)
    if org is None or org.deleted_at is not None:
        raise Conflict(f"organisation_id: organizzazione {organisation_id} inesistente / unknown organisation")


async def create_operator(session: AsyncSession, *, data: OperatorCreate) -> Operator:
    await _check_org(session, data.organisation_id)
    username = data.username.strip().lower()
    if (await session.exec(select(col(Operator.id)).where(col(Operator.username) == username))).first():
        raise Conflict(f"username: {username} esiste già / already taken")
    values = data.model_dump(exclude={"password"}) | {"username": username}
    if values.get("phone"):
        values["phone"] = normalise_phone(values["phone"])
    operator = Operator.model_validate(values | {"password_hash": hash_password(data.password)})
    session.add(operator)
    try:
        await session.flush()
    except IntegrityError as exc:
        await session.rollback()
        raise Conflict(f"username: {username} esiste già / already taken") from exc
    return operator


async def update_operator(session: AsyncSession, *, operator: Operator, data: OperatorUpdate) -> Operator:
    changes = data.model_dump(exclude_unset=True)
    if "organisation_id" in changes and changes["organisation_id"] is not None:
        await _check_org(session, changes["organisation_id"])
    if changes.get("phone"):
        changes["phone"] = normalise_phone(changes["phone"])
    password = changes.pop("password", None)
    if password:
        operator.password_hash = hash_password(password)
    for field, value in changes.items():
        setattr(operator, field, value)
    session.add(operator)
    await session.flush()
    return operator
