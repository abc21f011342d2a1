"""Escalation asks the rota at the moment of the step: a swap made at 13:59 for 14:00 changes the next target."""

from __future__ import annotations

import time_machine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.escalation.models import PolicyRole
from alerts.escalation.roles import RESOLVERS
from alerts.models import Alert
from alerts.rota.flows import swap_shifts
from centrale.auth.actor import actor_from
from centrale.db import Database
from centrale.events.models import Event
from centrale.operators.models import Role
from centrale.organisations.models import OrgKind
from centrale.rota.models import SwapCreate
from centrale.uow import Tx
from tests.alerts.rota.helpers import layer, operators, rome


async def test_a_swap_at_14_makes_the_afternoon_one_the_target_of_the_next_step(
    database: Database, session: AsyncSession
) -> None:
    org, (morning, afternoon, colleague) = await operators(session, Role.COORDINATORE, OrgKind.CENTRALE, 3)
    await layer(session, Role.COORDINATORE, [morning, afternoon], ["08:00", "14:00"], ends_at="20:00")
    resolve = RESOLVERS[PolicyRole.COORDINATORE_DI_TURNO]
    alert = Alert.model_construct()  # the coordinator on duty does not depend on the alert

    with time_machine.travel(rome(2026, 12, 9, 13, 59), tick=False) as clock:
        assert [op.id for op in await resolve(session, alert)] == [morning.id]
        async with Tx.open(database, actor=actor_from(afternoon, org)) as tx:  # the afternoon one asks
            await swap_shifts(
                tx,
                data=SwapCreate(
                    role=Role.COORDINATORE,
                    operator_id=afternoon.id or 0,
                    with_operator_id=colleague.id or 0,
                    starts_at=rome(2026, 12, 9, 14),
                    ends_at=rome(2026, 12, 9, 20),
                ),
            )
            await tx.commit()
        assert [op.id for op in await resolve(session, alert)] == [morning.id]  # 13:59: still the morning's
        clock.move_to(rome(2026, 12, 9, 14))
        assert [op.id for op in await resolve(session, alert)] == [colleague.id]
        clock.move_to(rome(2026, 12, 10, 14))
        assert [op.id for op in await resolve(session, alert)] == [afternoon.id]  # the next day as the rota says

    notices = (await session.exec(select(Event).where(col(Event.kind) == "rota.notice"))).all()
    assert sorted(e.recipient_operator_id or 0 for e in notices) == sorted([afternoon.id or 0, colleague.id or 0])
    assert all("mercoledì 9 dicembre dalle 14:00 alle 20:00" in e.payload["text"] for e in notices)
