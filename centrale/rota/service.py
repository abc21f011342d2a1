"""Database work of the rota: load layers and overrides, answer "who is on duty at time t"."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.clock import as_utc
from centrale.operators.models import Operator, Role
from centrale.rota.models import RotaLayer, RotaOverride
from centrale.rota.schedule import segments, who_at


async def layers_of(session: AsyncSession, role: Role) -> Sequence[RotaLayer]:
    query = select(RotaLayer).where(col(RotaLayer.role) == role, col(RotaLayer.active).is_(True))
    return (await session.exec(query.order_by(col(RotaLayer.id)))).all()


async def overrides_of(session: AsyncSession, role: Role, start: datetime, end: datetime) -> Sequence[RotaOverride]:
    """The overrides of ``role`` in force at some moment of [start, end)."""
    query = select(RotaOverride).where(
        col(RotaOverride.role) == role,
        col(RotaOverride.removed_at).is_(None),
        col(RotaOverride.starts_at) < as_utc(end),
        col(RotaOverride.ends_at) > as_utc(start),
    )
    return (await session.exec(query.order_by(col(RotaOverride.id)))).all()


async def roles_with_rota(session: AsyncSession) -> set[Role]:
    found = await session.exec(select(col(RotaLayer.role)).where(col(RotaLayer.active).is_(True)).distinct())
    return set(found.all())


async def _operators(session: AsyncSession, ids: Sequence[int]) -> list[Operator]:
    if not ids:
        return []
    query = select(Operator).where(
        col(Operator.id).in_(ids), col(Operator.active).is_(True), col(Operator.deleted_at).is_(None)
    )
    by_id = {op.id: op for op in (await session.exec(query)).all()}
    return [by_id[i] for i in ids if i in by_id]


async def on_duty(session: AsyncSession, role: Role, at: datetime) -> list[Operator]:
    """Who is on duty for ``role`` at ``at``: the rota's shifts with their covers and swaps (active operators)."""
    layers = await layers_of(session, role)
    overrides = await overrides_of(session, role, at, at + timedelta(microseconds=1))
    return await _operators(session, who_at(layers, overrides, at))


async def duty_segments(
    session: AsyncSession, role: Role, start: datetime, end: datetime
) -> list[tuple[datetime, datetime, list[Operator]]]:
    """[start, end) cut where the holders of ``role`` change, each piece with its (active) holders."""
    pieces = segments(await layers_of(session, role), await overrides_of(session, role, start, end), start, end)
    ids = sorted({i for _, _, held in pieces for i in held})
    known = {op.id: op for op in await _operators(session, ids)}
    return [(a, b, [known[i] for i in held if i in known]) for a, b, held in pieces]
