"""Operator accounts: managed by administrators, listed by coordinators for assignment."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy import func
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select

from centrale.auth.actor import Actor
from centrale.common import NotFound, Page
from centrale.events.service import commit
from centrale.operators import service
from centrale.operators.models import Operator, OperatorCreate, OperatorPublic, OperatorUpdate, Role
from web.api.deps import PagingDep, SessionDep, require_roles

router = APIRouter(prefix="/operators", tags=["operatori"])
Admin = Annotated[Actor, Depends(require_roles(Role.AMMINISTRATORE))]
Lister = Annotated[Actor, Depends(require_roles(Role.AMMINISTRATORE, Role.COORDINATORE, Role.CASE_MANAGER))]


@router.get("", response_model=Page[OperatorPublic], summary="Elenco operatori")
async def list_operators(
    session: SessionDep,
    _actor: Lister,
    paging: PagingDep,
    role: Annotated[Role | None, Query()] = None,
    organisation_id: Annotated[int | None, Query()] = None,
) -> Page[OperatorPublic]:
    where: list[ColumnElement[bool]] = [col(Operator.deleted_at).is_(None)]
    if role:
        where.append(col(Operator.role) == role)
    if organisation_id:
        where.append(col(Operator.organisation_id) == organisation_id)
    total = (await session.exec(select(func.count()).select_from(Operator).where(*where))).one()
    rows = await session.exec(
        select(Operator).where(*where).order_by(col(Operator.full_name)).offset(paging.offset).limit(paging.limit)
    )
    return Page(data=[OperatorPublic.model_validate(o) for o in rows.all()], count=total)


@router.post("", response_model=OperatorPublic, status_code=201, summary="Crea un operatore")
async def create_operator(data: OperatorCreate, session: SessionDep, _admin: Admin) -> OperatorPublic:
    operator = await service.create_operator(session, data=data)
    await commit(session)
    return OperatorPublic.model_validate(operator)


@router.patch("/{operator_id}", response_model=OperatorPublic, summary="Aggiorna un operatore")
async def update_operator(operator_id: int, data: OperatorUpdate, session: SessionDep, _admin: Admin) -> OperatorPublic:
    operator = await session.get(Operator, operator_id)
    if operator is None or operator.deleted_at is not None:
        raise NotFound("Operatore", operator_id)
    await service.update_operator(session, operator=operator, data=data)
    await commit(session)
    return OperatorPublic.model_validate(operator)
