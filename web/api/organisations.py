"""Organisations: read by every operator, managed by administrators."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import func
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select

from centrale.common import Page
from centrale.organisations import flows, service
from centrale.organisations.models import (
    Organisation,
    OrganisationCreate,
    OrganisationPublic,
    OrganisationUpdate,
    OrgKind,
)
from web.api.deps import CurrentActor, PagingDep, SessionDep, TxDep, flow_route

router = APIRouter(prefix="/organisations", tags=["organizzazioni"])


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


@router.get("/{organisation_id}", response_model=OrganisationPublic)
async def read_organisation(organisation_id: int, session: SessionDep, _actor: CurrentActor) -> OrganisationPublic:
    org = await service.get_organisation(session, organisation_id=organisation_id)
    return OrganisationPublic.model_validate(org)


@router.post("", response_model=OrganisationPublic, status_code=201, openapi_extra=flow_route("organisation.create"))
async def create_organisation(data: OrganisationCreate, tx: TxDep) -> OrganisationPublic:
    org = await flows.create_organisation(tx, data=data)
    await tx.commit()
    return OrganisationPublic.model_validate(org)


@router.patch("/{organisation_id}", response_model=OrganisationPublic, openapi_extra=flow_route("organisation.update"))
async def update_organisation(organisation_id: int, data: OrganisationUpdate, tx: TxDep) -> OrganisationPublic:
    org = await flows.update_organisation(tx, organisation_id=organisation_id, data=data)
    await tx.commit()
    return OrganisationPublic.model_validate(org)


@router.delete("/{organisation_id}", status_code=204, openapi_extra=flow_route("organisation.delete"))
async def delete_organisation(organisation_id: int, tx: TxDep) -> None:
    await flows.delete_organisation(tx, organisation_id=organisation_id)
    await tx.commit()
