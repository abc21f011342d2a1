"""Check-ins: sent when due (Rome time), a missed reply raises an alert when its window ends, OK answers."""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.checkins.jobs import checkin_tick
from alerts.checkins.models import CheckinRequest, CheckinScheduleCreate, CheckinState
from alerts.checkins.service import create_schedule
from alerts.models import Alert, AlertSource
from alerts.sms.flows import receive_sms
from centrale.clock import ROME
from centrale.db import Database
from centrale.events.service import commit
from centrale.organisations.models import OrgKind
from integrations.console_sms import ConsoleSmsSender
from tests import factories as f

PHONE = "+393331112233"


def rome(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 7, 14, hour, minute, tzinfo=ROME)


async def _daily_at_ten(session: AsyncSession) -> int:
    who = await f.person(session, await f.org(session, OrgKind.MUNICIPIO))
    with time_machine.travel(rome(8), tick=False):
        schedule = await create_schedule(
            session,
            data=CheckinScheduleCreate(
                person_id=who.id, phone=PHONE, rrule="FREQ=DAILY;BYHOUR=10;BYMINUTE=0", window_minutes=60
            ),
        )
        await commit(session)
    assert schedule.next_at == rome(10)
    assert who.id is not None
    return who.id


async def test_a_missed_check_in_raises_an_alert_at_the_end_of_its_window(database: Database, session: AsyncSession):
    person_id = await _daily_at_ten(session)
    console = ConsoleSmsSender()
    with time_machine.travel(rome(9, 59), tick=False):
        assert (await checkin_tick(database, sender=console)).sent == []
    with time_machine.travel(rome(10), tick=False):
        assert len((await checkin_tick(database, sender=console)).sent) == 1
        assert len((await checkin_tick(database, sender=console)).sent) == 0  # sent once
    assert [m.to for m in console.sent] == [PHONE]
    assert "Rispondi OK se va tutto bene" in console.sent[0].body
    with time_machine.travel(rome(10, 59), tick=False):
        assert (await checkin_tick(database, sender=console)).missed == []
    with time_machine.travel(rome(11), tick=False):
        assert len((await checkin_tick(database, sender=console)).missed) == 1
    (alert,) = (await session.exec(select(Alert))).all()
    assert (alert.source, alert.person_id) == (AlertSource.CHECKIN_MANCATO, person_id)
    (request,) = (await session.exec(select(CheckinRequest))).all()
    assert (request.state, request.alert_id) == (CheckinState.MANCATO, alert.id)


# "ok grazie" has the shape of an operator's "OK <code>", but from a phone that is not an operator's it is an answer
@pytest.mark.parametrize("body", ["Ok", "ok grazie"])
async def test_an_ok_within_the_window_means_no_alert(database: Database, session: AsyncSession, body: str):
    await _daily_at_ten(session)
    console = ConsoleSmsSender()
    with time_machine.travel(rome(10), tick=False):
        await checkin_tick(database, sender=console)
    with time_machine.travel(rome(10, 30), tick=False):
        message = await receive_sms(session, params={"MessageSid": "SM" + "c" * 32, "From": PHONE, "Body": body})
        await commit(session)
    assert "abbiamo ricevuto la tua risposta" in (message.reply or "")
    with time_machine.travel(rome(11, 5), tick=False):
        assert (await checkin_tick(database, sender=console)).missed == []
    assert (await session.exec(select(Alert))).all() == []
    (request,) = (await session.exec(select(CheckinRequest))).all()
    assert request.state == CheckinState.RISPOSTO
