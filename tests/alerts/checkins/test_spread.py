"""A campaign's check-ins go out spread over a window, each person always at the same place in it, and each
reply window runs from that person's own send time: the missed-reply alert comes when their own window
closes, not when the first one's does."""

from __future__ import annotations

from datetime import datetime, timedelta

import time_machine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.checkins.jobs import Pace, checkin_tick, spread_offset
from alerts.checkins.models import CheckinRequest, CheckinScheduleCreate
from alerts.checkins.service import create_schedule
from alerts.models import Alert, AlertSource
from alerts.sms.flows import receive_sms
from centrale.clock import ROME
from centrale.db import Database
from centrale.events.service import commit
from centrale.organisations.models import OrgKind
from integrations.console_sms import ConsoleSmsSender
from tests import factories as f

SPREAD = timedelta(seconds=100)
PACE = Pace(spread=SPREAD, per_second=100)


def rome(hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 7, 14, hour, minute, second, tzinfo=ROME)


def test_offsets_are_fixed_per_schedule_and_fill_the_window_evenly() -> None:
    offsets = [spread_offset(n, SPREAD) for n in range(1, 101)]
    assert offsets == [spread_offset(n, SPREAD) for n in range(1, 101)]  # the same every time
    assert all(timedelta(0) <= o < SPREAD for o in offsets)
    # 100 schedules over 100 s: every 10-second slice of the window holds about a tenth of them
    per_slice = [sum(1 for o in offsets if k * 10 <= o.total_seconds() < (k + 1) * 10) for k in range(10)]
    assert min(per_slice) >= 8 and max(per_slice) <= 12, per_slice


async def test_sends_spread_and_each_window_closes_on_its_own(database: Database, session: AsyncSession) -> None:
    org = await f.org(session, OrgKind.MUNICIPIO)
    with time_machine.travel(rome(8), tick=False):
        for n in range(10):
            who = await f.person(session, org)
            await create_schedule(
                session,
                data=CheckinScheduleCreate(
                    person_id=who.id, phone=f"+3933311100{n:02d}", rrule="FREQ=DAILY;BYHOUR=10", window_minutes=60
                ),
            )
        await commit(session)
    console = ConsoleSmsSender()
    sent_by: dict[int, int] = {}
    for second in range(0, 101, 10):  # the tick every ten seconds through the spread window
        with time_machine.travel(rome(10, second // 60, second % 60), tick=False):
            for request_id in (await checkin_tick(database, sender=console, pace=PACE)).sent:
                sent_by[request_id] = second
    assert len(console.sent) == 10 == len(sent_by)  # each once
    assert len(set(sent_by.values())) >= 5  # not all at one minute: over the window
    requests = (await session.exec(select(CheckinRequest).order_by(col(CheckinRequest.id)))).all()
    for request in requests:
        assert request.sent_at is not None
        # sent at the first tick at or after its planned time; its window an hour from its own send
        planned = request.due_at + spread_offset(request.schedule_id, SPREAD)
        assert request.sent_at == rome(10, sent_by[request.id or 0] // 60, sent_by[request.id or 0] % 60)
        assert timedelta(0) <= request.sent_at - planned < timedelta(seconds=10)
        assert request.window_ends_at == request.sent_at + timedelta(hours=1)

    # an hour and 30 s after 10:00: only those sent in the first 30 s have missed their reply
    with time_machine.travel(rome(11, 0, 30), tick=False):
        first = (await checkin_tick(database, sender=console, pace=PACE)).missed
    assert sorted(first) == sorted(rid for rid, at in sent_by.items() if at <= 30)
    with time_machine.travel(rome(11, 1, 40), tick=False):
        rest = (await checkin_tick(database, sender=console, pace=PACE)).missed
    assert sorted(first + rest) == sorted(sent_by)
    alerts = (await session.exec(select(Alert))).all()
    assert len(alerts) == 10 and {a.source for a in alerts} == {AlertSource.CHECKIN_MANCATO}


async def test_an_ok_before_the_planned_send_means_no_message_and_no_alert(
    database: Database, session: AsyncSession
) -> None:
    who = await f.person(session, await f.org(session, OrgKind.MUNICIPIO))
    with time_machine.travel(rome(8), tick=False):
        schedule = await create_schedule(
            session,
            data=CheckinScheduleCreate(
                person_id=who.id, phone="+393331119999", rrule="FREQ=DAILY;BYHOUR=10", window_minutes=60
            ),
        )
        await commit(session)
    assert schedule.id is not None
    pace = Pace(spread=timedelta(hours=1), per_second=100)
    planned = rome(10) + spread_offset(schedule.id, pace.spread)
    assert planned > rome(10)
    console = ConsoleSmsSender()
    with time_machine.travel(rome(10), tick=False):
        assert (await checkin_tick(database, sender=console, pace=pace)).sent == []  # issued, planned later
        await receive_sms(session, params={"MessageSid": "SM" + "d" * 32, "From": "+393331119999", "Body": "OK"})
        await commit(session)
    with time_machine.travel(planned + timedelta(hours=2), tick=False):
        tick = await checkin_tick(database, sender=console, pace=pace)
    assert (tick.sent, tick.missed, console.sent) == ([], [], [])
    assert (await session.exec(select(Alert))).all() == []
