"""The demo's handover: the morning's 08:00 hand-off to the coordinator, so that the "Consegne" page
shows a digest when the demo starts. Seeding twice adds nothing (one handover per hand-off)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.handover.flows import build_and_store
from centrale.clock import ROME, to_rome, utcnow
from centrale.operators.models import Operator, Role
from centrale.uow import Tx

#: the demo's coordinator, who starts the morning shift
INCOMING = "coordinatore"


async def seed_demo_handover(session: AsyncSession) -> int:
    """The last 08:00 hand-off of the coordinator role to the demo's coordinator; 1 if added, else 0; commits."""
    incoming = (await session.exec(select(Operator).where(col(Operator.username) == INCOMING))).first()
    if incoming is None or incoming.id is None:
        return 0
    now = to_rome(utcnow())
    at = datetime.combine(now.date(), time(8, 0), tzinfo=ROME)
    if at > now:
        at -= timedelta(days=1)
    tx = Tx.within(session)
    handover = await build_and_store(
        tx, role=Role.COORDINATORE, incoming_id=incoming.id, outgoing_id=None, at=at, prepared_by=None
    )
    await tx.commit()
    return 0 if handover is None else 1
