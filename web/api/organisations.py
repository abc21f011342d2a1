"""Organisations: read by every operator, managed by administrators."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy import func
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select

from centrale.auth.actor import Actor
from centrale.clock import utcnow
from centrale.common import NotFound, Page
from centrale.events.service import commit
from centrale.operators.models import Role
from centrale.organisations.models import (
    Organisation,
    OrganisationCreate,
    OrganisationPublic,
    OrganisationUpdate,
    OrgKind,
)
from web.api.deps import CurrentActor, PagingDep, SessionDep, require_roles

router = APIRouter(prefix="/organisations", tags=["organizzazioni"])
Admin = Annotated[Actor, Depends(require_roles(Role.AMMINISTRATORE))]


@router.get("", response_model=Page[OrganisationPublic], summary="Elenco organizzazioni")
async def list_organisations(
    session: SessionDep,
    _actor: CurrentActor,
    paging: PagingDep,
    kind: Annotated[OrgKind | None, Query()] = None,
    municipio: Annotated[str | None, Query(max_length=5)] = None,
) -> Page[OrganisationPublic]:
    where: list[ColumnElement[bool]] = [col(Organisation.deleted_at).is_(None)]
    if kind:
        where.append(col(Organisation.kind) == kind)
    if municipio:
        where.append(col(Organisation.municipio) == municipio)
    total = (await session.exec(select(func.count()).select_from(Organisation).where(*where))).one()
    rows = await session.exec(
        select(Organisation).where(*where).order_by(col(Organisation.name)).offset(paging.offset).limit(paging.limit)
    )
    return Page(data=[OrganisationPublic.model_validate(o) for o in rows.all()], count=total)


async def _get(session: SessionDep, organisation_id: int) -> Organisation:
    org = await session.get(Organisation, organisation_id)
    if org is None or org.deleted_at is not None:
        raise NotFound("Organizzazione", organisation_id)
    return org


@router.get("/{organisation_id}", response_model=OrganisationPublic)
async def read_organisation(organisation_id: int, session: SessionDep, _actor: CurrentActor) -> OrganisationPublic:
    return OrganisationPublic.model_validate(await _get(session, organisation_id))


@router.post("", response_model=OrganisationPublic, status_code=201)
async def create_organisation(data: OrganisationCreate, session: SessionDep, _admin: Admin) -> OrganisationPublic:
    org = Organisation.model_validate(data)
    session.add(org)
    await commit(session)
    return OrganisationPublic.model_validate(org)


@router.patch("/{organisation_id}", response_model=OrganisationPublic)
async def update_organisation(
    organisation_id: int, data: OrganisationUpdate, session: SessionDep, _admin: Admin
) -> OrganisationPublic:
    org = await _get(session, organisation_id)
    for field, value in data.model_dump(exclude_unset=True).items():
        setattr(org, field, value)
    session.add(org)
    await commit(session)
    return OrganisationPublic.model_validate(org)


@router.delete("/{organisation_id}", status_code=204)
async def delete_organisation(organisation_id: int, session: SessionDep, _admin: Admin) -> None:
    org = await _get(session, organisation_id)
    org.deleted_at = utcnow()
    session.add(org)
    await commit(session)
