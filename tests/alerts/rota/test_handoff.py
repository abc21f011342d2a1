"""The hand-off notice goes to the incoming and the outgoing operator exactly once, with the consegne prepared."""

from __future__ import annotations

import asyncio

import time_machine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.handover.models import Handover
from alerts.rota.handoff import notify_handoffs
from centrale.db import Database
from centrale.events.models import Event
from centrale.operators.models import Role
from centrale.organisations.models import OrgKind
from centrale.rota.models import RotaHandoff
from tests.alerts.rota.helpers import layer, operators, rome


async def test_the_hand_off_notice_goes_out_exactly_once_even_from_several_instances(
    database: Database, session: AsyncSession
) -> None:
    _, (morning, afternoon) = await operators(session, Role.COORDINATORE, OrgKind.CENTRALE, 2)
    await layer(session, Role.COORDINATORE, [morning, afternoon], ["08:00", "14:00"], ends_at="20:00")

    with time_machine.travel(rome(2026, 12, 9, 13, 58), tick=False) as clock:
        assert await notify_handoffs(database) == 0  # nothing has changed hands since 13:43
        clock.move_to(rome(2026, 12, 9, 14, 1))
        runs = await asyncio.gather(notify_handoffs(database), notify_handoffs(database))
        clock.move_to(rome(2026, 12, 9, 14, 5))
        assert [*sorted(runs), await notify_handoffs(database)] == [0, 1, 0]

    handoffs = (await session.exec(select(RotaHandoff))).all()
    assert [(h.role, h.at, h.incoming_ids, h.outgoing_ids) for h in handoffs] == [
        (Role.COORDINATORE, rome(2026, 12, 9, 14), [afternoon.id], [morning.id])
    ]
    events = (await session.exec(select(Event).where(col(Event.kind) == "rota.handoff"))).all()
    assert sorted((e.recipient_operator_id or 0, e.payload["incoming"]) for e in events) == sorted(
        [(afternoon.id or 0, True), (morning.id or 0, False)]
    )
    assert all("14:00" in e.payload["text"] for e in events)
    digests = (await session.exec(select(Handover))).all()
    assert [(d.incoming_id, d.outgoing_id, d.handoff_at) for d in digests] == [
        (afternoon.id, morning.id, rome(2026, 12, 9, 14))
    ]
