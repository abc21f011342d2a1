"""The demo district's rota: the Centrale's coordinator in three daily shifts, the PUA in office hours."""

from __future__ import annotations

from datetime import date

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.operators.models import Operator, Role
from centrale.rota.models import HolidayRule, RotaLayer, Rotation

FIRST_DAY = date(2026, 1, 5)  # a Monday


async def seed_demo_rota(session: AsyncSession, operators: dict[str, Operator]) -> int:
    """Add the demo layers once (by name); how many were added."""
    coordinator, pua = operators["coordinatore"].id, operators["pua"].id
    assert coordinator is not None and pua is not None
    wanted = [
        RotaLayer(
            name="Coordinamento della Centrale",
            role=Role.COORDINATORE,
            starts_on=FIRST_DAY,
            handoffs=["08:00", "14:00", "20:00"],
            weekdays=[],
            holidays=HolidayRule.ANCHE,
            rotation=Rotation.TURNO,
            operator_ids=[coordinator],
        ),
        RotaLayer(
            name="PUA in orario d'ufficio",
            role=Role.OPERATORE_PUA,
            starts_on=FIRST_DAY,
            handoffs=["08:00"],
            ends_at="18:00",
            weekdays=[0, 1, 2, 3, 4],
            holidays=HolidayRule.ESCLUSI,
            rotation=Rotation.SETTIMANA,
            operator_ids=[pua],
        ),
    ]
    added = 0
    for layer in wanted:
        found = await session.exec(select(RotaLayer.id).where(col(RotaLayer.name) == layer.name))
        if found.first() is None:
            session.add(layer)
            added += 1
    await session.flush()
    return added
