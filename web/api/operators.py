"""Operator accounts: managed by administrators, listed by coordinators for assignment."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy import func
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select

from centrale.auth.actor import Actor
from centrale.common import Page
from centrale.operators import flows
from centrale.operators.models import Operator, OperatorCreate, OperatorPublic, OperatorUpdate, PasswordSet, Role
from web.api.deps import PagingDep, SessionDep, TxDep, flow_route, require_roles

router = APIRouter(prefix="/operators", tags=["operatori"])
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


@router.post(
    "",
    response_model=OperatorPublic,
    status_code=201,
    summary="Crea un operatore",
    openapi_extra=flow_route("operator.create"),
)
async def create_operator(data: OperatorCreate, tx: TxDep) -> OperatorPublic:
    operator = await flows.create_operator(tx, data=data)
    await tx.commit()
    return OperatorPublic.model_validate(operator)


@router.patch(
    "/{operator_id}",
    response_model=OperatorPublic,
    summary="Aggiorna un operatore (una nuova password chiude le sue sessioni)",
    openapi_extra=flow_route("operator.update"),
)
async def update_operator(operator_id: int, data: OperatorUpdate, tx: TxDep) -> OperatorPublic:
    operator = await flows.update_operator(tx, operator_id=operator_id, data=data)
    await tx.commit()
    return OperatorPublic.model_validate(operator)


@router.put(
    "/{operator_id}/password",
    status_code=204,
    summary="Imposta la password di un operatore (chiude tutte le sue sessioni) / reset a password",
    openapi_extra=flow_route("operator.set_password"),
)
async def reset_password(operator_id: int, data: PasswordSet, tx: TxDep) -> Response:
    await flows.set_password(tx, operator_id=operator_id, password=data.password)
    await tx.commit()
    return Response(status_code=204)
