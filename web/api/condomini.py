"""Condomini solidali, assisted people (person data: policy and audit) and sentinels."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from sqlmodel import col

from centrale.audit.models import AuditAction
from centrale.audit.service import build_event
from centrale.auth.actor import Actor
from centrale.authz.policy import visibility_clause
from centrale.common import Page
from centrale.condomini import flows, service
from centrale.condomini.models import (
    AssistedPersonIn,
    AssistedPersonPublic,
    Condominio,
    CondominioCreate,
    CondominioPublic,
    CondominioUpdate,
    SentinelCreate,
    SentinelPublic,
    SentinelUpdate,
)
from centrale.events.service import commit
from centrale.operators.models import Role
from web.api.deps import CurrentActor, PagingDep, SessionDep, TxDep, flow_route, require_roles

router = APIRouter(prefix="/condomini", tags=["condomini"])
Viewer = Annotated[
    Actor,
    Depends(require_roles(Role.COORDINATORE, Role.AMMINISTRATORE, Role.TUTOR, Role.CASE_MANAGER, Role.OPERATORE_PUA)),
]


async def _get(session: SessionDep, condominio_id: int) -> Condominio:
    return await service.get_condominio(session, condominio_id=condominio_id)


@router.get("", response_model=Page[CondominioPublic], summary="Elenco condomini solidali")
async def list_condomini(
    session: SessionDep,
    actor: Viewer,
    paging: PagingDep,
    municipio: str | None = None,
) -> Page[CondominioPublic]:
    where = []
    if municipio:
        where.append(col(Condominio.municipio) == municipio)
    if actor.role == Role.TUTOR:
        where.append(col(Condominio.operator_id) == actor.operator_id)
    rows, total = await service.list_condomini(session, where=where, offset=paging.offset, limit=paging.limit)
    return Page(data=[CondominioPublic.model_validate(r) for r in rows], count=total)


@router.post(
    "",
    response_model=CondominioPublic,
    status_code=201,
    summary="Crea un condominio solidale",
    openapi_extra=flow_route("condominio.create"),
)
async def create_condominio(data: CondominioCreate, tx: TxDep) -> CondominioPublic:
    row = await flows.create_condominio(tx, data=data)
    await tx.commit()
    return CondominioPublic.model_validate(row)


@router.get("/{condominio_id}", response_model=CondominioPublic)
async def read_condominio(condominio_id: int, session: SessionDep, _actor: Viewer) -> CondominioPublic:
    return CondominioPublic.model_validate(await _get(session, condominio_id))


@router.patch("/{condominio_id}", response_model=CondominioPublic, openapi_extra=flow_route("condominio.update"))
async def update_condominio(condominio_id: int, data: CondominioUpdate, tx: TxDep) -> CondominioPublic:
    row = await flows.update_condominio(tx, condominio_id=condominio_id, data=data)
    await tx.commit()
    return CondominioPublic.model_validate(row)


@router.get(
    "/{condominio_id}/assistiti",
    response_model=list[AssistedPersonPublic],
    summary="Persone assistite (solo quelle visibili) / assisted people",
)
async def list_assisted(condominio_id: int, session: SessionDep, actor: CurrentActor) -> list[AssistedPersonPublic]:
    await _get(session, condominio_id)
    rows = await service.assisted_people(session, condominio_id=condominio_id, visible=visibility_clause(actor))
    for row in rows:
        session.add(
            build_event(
                agent=actor.agent(),
                action=AuditAction.READ,
                subtype="condominio.assisted",
                entity_type="AssistedPerson",
                entity_id=row.id,
                person_id=row.person_id,
            )
        )
    await commit(session)
    return [AssistedPersonPublic.model_validate(r) for r in rows]


@router.post(
    "/{condominio_id}/assistiti",
    response_model=AssistedPersonPublic,
    status_code=201,
    summary="Aggiungi una persona assistita / add an assisted person",
    openapi_extra=flow_route("condominio.assisted_add"),
)
async def add_assisted(condominio_id: int, data: AssistedPersonIn, tx: TxDep) -> AssistedPersonPublic:
    row = await flows.add_assisted(tx, condominio_id=condominio_id, data=data)
    await tx.commit()
    return AssistedPersonPublic.model_validate(row)


@router.get("/{condominio_id}/sentinelle", response_model=list[SentinelPublic], summary="Sentinelle")
async def list_sentinels(condominio_id: int, session: SessionDep, actor: Viewer) -> list[SentinelPublic]:
    row = await _get(session, condominio_id)
    if actor.role == Role.TUTOR and row.operator_id != actor.operator_id:
        return []
    return [SentinelPublic.model_validate(s) for s in await service.sentinels_of(session, condominio_id=condominio_id)]


sentinels_router = APIRouter(prefix="/sentinels", tags=["condomini"])


@sentinels_router.post(
    "",
    response_model=SentinelPublic,
    status_code=201,
    summary="Registra una sentinella",
    openapi_extra=flow_route("sentinel.create"),
)
async def create_sentinel(data: SentinelCreate, tx: TxDep) -> SentinelPublic:
    sentinel = await flows.create_sentinel(tx, data=data)
    await tx.commit()
    return SentinelPublic.model_validate(sentinel)


@sentinels_router.patch(
    "/{sentinel_id}",
    response_model=SentinelPublic,
    summary="Aggiorna una sentinella",
    openapi_extra=flow_route("sentinel.update"),
)
async def update_sentinel(sentinel_id: int, data: SentinelUpdate, tx: TxDep) -> SentinelPublic:
    sentinel = await flows.update_sentinel(tx, sentinel_id=sentinel_id, data=data)
    await tx.commit()
    return SentinelPublic.model_validate(sentinel)
