"""The demo district's rota: the Centrale's coordinator in three daily shifts, the PUA in office hours,
and a cover next week (the second coordinator takes a morning), so that every page has something to show."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.clock import ROME, to_rome, utcnow
from centrale.operators.models import Operator, Role
from centrale.rota.models import HolidayRule, OverrideKind, RotaLayer, RotaOverride, Rotation

FIRST_DAY = date(2026, 1, 5)  # a Monday


async def seed_demo_rota(session: AsyncSession, operators: dict[str, Operator]) -> int:
    """Add the demo layers once (by name), and the cover when there is none; how many rows were added."""
    coordinator, second, pua = operators["coordinatore"].id, operators["coordinatore2"].id, operators["pua"].id
    assert coordinator is not None and second is not None and pua is not None
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
    if (await session.exec(select(RotaOverride.id))).first() is None:
        day = to_rome(utcnow()).date() + timedelta(days=6)
        start = datetime(day.year, day.month, day.day, 8, tzinfo=ROME)
        session.add(
            RotaOverride(
                role=Role.COORDINATORE,
                kind=OverrideKind.COPERTURA,
                starts_at=start,
                ends_at=start + timedelta(hours=3),
                operator_id=second,
                replaces_id=coordinator,
                created_by_id=coordinator,
            )
        )
        added += 1
    await session.flush()
    return added
