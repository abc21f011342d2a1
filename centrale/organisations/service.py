"""Organisations of the care network (no HTTP here)."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.clock import utcnow
from centrale.errors import NotFound
from centrale.organisations.models import Organisation, OrganisationCreate, OrganisationUpdate


async def get_organisation(session: AsyncSession, *, organisation_id: int) -> Organisation:
    """The organisation (404 when unknown or deleted)."""
    org = await session.get(Organisation, organisation_id)
    if org is None or org.deleted_at is not None:
        raise NotFound("Organizzazione", organisation_id)
    return org


async def create_organisation(session: AsyncSession, *, data: OrganisationCreate) -> Organisation:
    org = Organisation.model_validate(data)
    session.add(org)
    await session.flush()
    return org


async def update_organisation(session: AsyncSession, *, org: Organisation, data: OrganisationUpdate) -> Organisation:
    for field, value in data.model_dump(exclude_unset=True).items():
        setattr(org, field, value)
    session.add(org)
    await session.flush()
    return org


async def delete_organisation(session: AsyncSession, *, org: Organisation) -> None:
    org.deleted_at = utcnow()
    session.add(org)
