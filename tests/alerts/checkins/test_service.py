"""Heat-wave mode: level >= 2 moves the at-risk list to its denser schedule; level 0 moves it back."""

from __future__ import annotations

from datetime import datetime

import httpx
import time_machine
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.checkins.models import CheckinSchedule, CheckinScheduleCreate
from alerts.checkins.service import create_schedule, next_due
from centrale.clock import ROME
from centrale.events.service import commit
from centrale.operators.models import Role
from centrale.organisations.models import OrgKind
from tests import factories as f

DAILY = "FREQ=DAILY;BYHOUR=10;BYMINUTE=0"
DENSE = "FREQ=DAILY;BYHOUR=8,11,14,17,20;BYMINUTE=0"


def rome(day: int, hour: int) -> datetime:
    return datetime(2026, 7, day, hour, 0, tzinfo=ROME)


async def test_heat_wave_level_two_switches_the_at_risk_list_and_zero_switches_back(
    client: httpx.AsyncClient, session: AsyncSession
):
    centrale = await f.org(session, OrgKind.CENTRALE)
    token = await f.token_for(session, await f.operator(session, Role.COORDINATORE, centrale))
    tutor = await f.token_for(session, await f.operator(session, Role.TUTOR, centrale))
    who = await f.person(session, await f.org(session, OrgKind.MUNICIPIO))
    with time_machine.travel(rome(14, 12), tick=False):
        at_risk = await create_schedule(
            session,
            data=CheckinScheduleCreate(
                person_id=who.id, phone="+393331112233", rrule=DAILY, dense_rrule=DENSE, at_risk=True
            ),
        )
        calm = await create_schedule(
            session,
            data=CheckinScheduleCreate(
                person_id=who.id, phone="+393331112244", rrule=DAILY, dense_rrule=DENSE, at_risk=False
            ),
        )
        await commit(session)
        assert at_risk.next_at == calm.next_at == rome(15, 10)
        refused = await client.put("/api/v1/ondata-calore", json={"level": 2}, headers=f.bearer(tutor))
        assert refused.status_code == 403
        for level, expected in ((1, rome(15, 10)), (2, rome(14, 14)), (3, rome(14, 14)), (0, rome(15, 10))):
            r = await client.put("/api/v1/ondata-calore", json={"level": level}, headers=f.bearer(token))
            assert r.status_code == 200, r.text
            await session.refresh(at_risk)
            await session.refresh(calm)
            assert (level, at_risk.next_at) == (level, expected)
            assert calm.next_at == rome(15, 10)
    bad = await client.put("/api/v1/ondata-calore", json={"level": 4}, headers=f.bearer(token))
    assert bad.status_code == 422


def test_rules_keep_rome_wall_clock_time_across_the_dst_change() -> None:
    schedule = CheckinSchedule(phone="+393331112233", rrule=DAILY, created_at=datetime(2026, 3, 27, 9, tzinfo=ROME))
    summer = next_due(schedule, 0, datetime(2026, 3, 28, 12, tzinfo=ROME))
    assert summer is not None and summer.astimezone(ROME).hour == 10 and summer.hour == 8  # CEST: UTC+2
    winter = next_due(schedule, 0, datetime(2026, 3, 27, 12, tzinfo=ROME))
    assert winter is not None and winter.hour == 9  # still CET on 28 March: UTC+1


async def test_a_bad_rule_is_refused_naming_it(client: httpx.AsyncClient, session: AsyncSession):
    centrale = await f.org(session, OrgKind.CENTRALE)
    token = await f.token_for(session, await f.operator(session, Role.COORDINATORE, centrale))
    who = await f.person(session, centrale)
    r = await client.post(
        "/api/v1/checkins/schedules",
        headers=f.bearer(token),
        json={"person_id": who.id, "phone": "3331112233", "rrule": "FREQ=SOMETIMES"},
    )
    assert r.status_code == 422 and "rrule" in r.text
