"""Putting operators on and off duty through the rota, for tests of what the rota decides elsewhere."""

from __future__ import annotations

from datetime import date

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.events.service import commit
from centrale.operators.models import Operator
from centrale.rota.models import RotaLayer


def _name(operator: Operator) -> str:
    return f"Sempre di turno {operator.id}"


async def put_on_duty(session: AsyncSession, operator: Operator) -> RotaLayer:
    """A layer of the operator's role in which they alone are on duty, day and night, from 2000 on."""
    assert operator.id is not None
    found = (await session.exec(select(RotaLayer).where(col(RotaLayer.name) == _name(operator)))).first()
    layer = found or RotaLayer(
        name=_name(operator),
        role=operator.role,
        starts_on=date(2000, 1, 1),
        handoffs=["00:00"],
        weekdays=[],
        operator_ids=[operator.id],
    )
    layer.active = True
    session.add(layer)
    await commit(session)
    return layer


async def take_off_duty(session: AsyncSession, operator: Operator) -> None:
    """Stop the layer ``put_on_duty`` gave the operator."""
    for layer in (await session.exec(select(RotaLayer).where(col(RotaLayer.name) == _name(operator)))).all():
        layer.active = False
        session.add(layer)
    await commit(session)
