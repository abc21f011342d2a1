"""HTTP routes of the rota for other systems: layers, covers and swaps, who is on duty, the week's holes."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlmodel import col, select

from alerts.rota import flows
from alerts.rota.holes import week_holes
from centrale.clock import utcnow
from centrale.common import Page
from centrale.operators.models import Role
from centrale.rota.models import (
    CoverCreate,
    RotaLayer,
    RotaLayerCreate,
    RotaLayerPublic,
    RotaLayerUpdate,
    RotaOverride,
    RotaOverridePublic,
    SwapCreate,
)
from centrale.rota.service import on_duty, overrides_of
from web.api.deps import CurrentActor, SessionDep, TxDep, flow_route

router = APIRouter(prefix="/rota", tags=["turni"])


class OnDuty(BaseModel):
    id: int
    full_name: str
    role: Role


class HolePublic(BaseModel):
    role: Role
    starts_at: datetime
    ends_at: datetime
    words: str


def _layer(layer: RotaLayer) -> RotaLayerPublic:
    return RotaLayerPublic.model_validate(layer.model_dump())


def _override(override: RotaOverride) -> RotaOverridePublic:
    return RotaOverridePublic.model_validate(override.model_dump())


@router.get("/layers", response_model=Page[RotaLayerPublic], summary="Livelli dei turni")
async def list_layers(session: SessionDep, actor: CurrentActor) -> Page[RotaLayerPublic]:
    rows = (await session.exec(select(RotaLayer).order_by(col(RotaLayer.role), col(RotaLayer.id)))).all()
    return Page(data=[_layer(r) for r in rows], count=len(rows))


@router.post("/layers", response_model=RotaLayerPublic, status_code=201, openapi_extra=flow_route("rota.layer_create"))
async def create_layer(data: RotaLayerCreate, tx: TxDep) -> RotaLayerPublic:
    """Nuovo livello dei turni (coordinatore, amministratore) / a new rota layer."""
    layer = await flows.create_layer(tx, data=data)
    await tx.commit()
    await tx.session.refresh(layer)
    return _layer(layer)


@router.put("/layers/{layer_id}", response_model=RotaLayerPublic, openapi_extra=flow_route("rota.layer_update"))
async def update_layer(layer_id: int, data: RotaLayerUpdate, tx: TxDep) -> RotaLayerPublic:
    """Modifica un livello (coordinatore, amministratore) / change a rota layer."""
    layer = await flows.update_layer(tx, layer_id=layer_id, data=data)
    await tx.commit()
    await tx.session.refresh(layer)
    return _layer(layer)


@router.get("/on-duty", response_model=list[OnDuty], summary="Chi è di turno (adesso o all'ora indicata)")
async def who_is_on_duty(
    session: SessionDep, actor: CurrentActor, role: Role = Query(), at: datetime | None = Query(default=None)
) -> list[OnDuty]:
    found = await on_duty(session, role, at or utcnow())
    return [OnDuty(id=op.id or 0, full_name=op.full_name, role=op.role) for op in found]


@router.get("/overrides", response_model=list[RotaOverridePublic], summary="Coperture e scambi in un intervallo")
async def list_overrides(
    session: SessionDep, actor: CurrentActor, role: Role = Query(), start: datetime = Query(), end: datetime = Query()
) -> list[RotaOverridePublic]:
    return [_override(o) for o in await overrides_of(session, role, start, end)]


@router.post("/covers", response_model=RotaOverridePublic, status_code=201, openapi_extra=flow_route("rota.cover"))
async def cover(data: CoverCreate, tx: TxDep) -> RotaOverridePublic:
    """Prendere un turno (per sé, o un coordinatore per altri) / take a shift."""
    override = await flows.cover_shift(tx, data=data)
    await tx.commit()
    await tx.session.refresh(override)
    return _override(override)


@router.post("/swaps", response_model=list[RotaOverridePublic], status_code=201, openapi_extra=flow_route("rota.swap"))
async def swap(data: SwapCreate, tx: TxDep) -> list[RotaOverridePublic]:
    """Scambiare un turno (il proprio, o un coordinatore per altri) / swap shifts."""
    made = await flows.swap_shifts(tx, data=data)
    await tx.commit()
    for override in made:
        await tx.session.refresh(override)
    return [_override(o) for o in made]


@router.delete("/overrides/{override_id}", status_code=204, openapi_extra=flow_route("rota.override_remove"))
async def remove(override_id: int, tx: TxDep) -> None:
    """Annulla una copertura o uno scambio / undo a cover or a swap."""
    await flows.remove_override(tx, override_id=override_id)
    await tx.commit()


@router.get("/holes", response_model=list[HolePublic], summary="Turni scoperti nei prossimi 7 giorni")
async def holes(session: SessionDep, actor: CurrentActor) -> list[HolePublic]:
    found = await week_holes(session, start=utcnow())
    return [HolePublic(role=h.role, starts_at=h.starts_at, ends_at=h.ends_at, words=h.words) for h in found]
