"""A PUA and a coordinators' rota, for the tests of holes, hand-offs and escalation."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.clock import ROME
from centrale.events.service import commit
from centrale.operators.models import Operator, Role
from centrale.organisations.models import Organisation, OrgKind
from centrale.rota.models import RotaLayer
from tests import factories as f

FIRST_DAY = date(2026, 11, 30)  # a Monday, a week before the tests' week


def rome(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=ROME).astimezone(UTC)


async def operators(
    session: AsyncSession, role: Role, kind: OrgKind, count: int
) -> tuple[Organisation, list[Operator]]:
    org = await f.org(session, kind)
    made = [
        await f.operator(session, role, org, phone=f"+39333000{role == Role.COORDINATORE:d}{i:03d}")
        for i in range(count)
    ]
    return org, made


async def layer(session: AsyncSession, role: Role, ops: list[Operator], handoffs: list[str], **kw: object) -> RotaLayer:
    """A layer from Monday 30 November 2026, every day unless told."""
    row = RotaLayer(
        name=f"Turni dalle {handoffs[0]}",
        role=role,
        starts_on=FIRST_DAY,
        handoffs=handoffs,
        operator_ids=[op.id for op in ops if op.id is not None],
        **({"weekdays": []} | kw),
    )
    session.add(row)
    await commit(session)
    return row
