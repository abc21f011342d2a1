"""With Redis, a campaign's flood of delivery-status callbacks is queued (in Redis before the 2xx) and applied
in batches: an inbound SMS that arrives in the middle of the flood still opens its alert within a bound
measured against the same SMS without the flood, and every callback is applied in the end, none lost, even
those a dead instance had read and not applied."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator

import httpx
import pytest
from redis.asyncio import Redis
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.models import Alert
from alerts.sms.models import SmsDelivery
from centrale.db import Database
from centrale.settings import Settings
from integrations.twilio import status_queue
from integrations.twilio.status_queue import GROUP, StatusQueue
from tests import factories as f
from tests.integrations.conftest import fixture, post_signed
from web.app import create_app

pytestmark = pytest.mark.redis
STATUS = "/integrations/twilio/status"
SMS = "/integrations/twilio/sms"
FLOOD = 400


@pytest.fixture
async def queued_client(settings: Settings, database: Database, redis_url: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings.model_copy(update={"redis_url": redis_url}), database=database)
    async with app.router.lifespan_context(app):
        assert isinstance(app.state.status_queue, StatusQueue)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            client.app = app  # type: ignore[attr-defined]
            yield client


def _status(n: int, status: str = "delivered") -> dict[str, str]:
    return fixture("status_delivered") | {"MessageSid": f"SM{n:032d}", "MessageStatus": status, "SmsStatus": status}


async def _inbound_seconds(client: httpx.AsyncClient, sid: str) -> float:
    started = time.perf_counter()
    answer = await post_signed(client, SMS, fixture("inbound_sms") | {"MessageSid": sid, "SmsMessageSid": sid})
    assert answer.status_code == 200, answer.text
    return time.perf_counter() - started


async def _applied(session: AsyncSession, status: str = "delivered") -> int:
    return int((await session.exec(select(func.count()).where(col(SmsDelivery.status) == status))).one())


async def test_a_status_flood_does_not_hold_up_an_inbound_sms_and_nothing_is_lost(
    queued_client: httpx.AsyncClient, session: AsyncSession
):
    await f.sentinel(session, await f.condominio(session))  # the inbound SMS's sender: its SMS opens an alert
    alone = min([await _inbound_seconds(queued_client, f"SM{'a' * 31}{n}") for n in range(3)])

    flood = [asyncio.create_task(post_signed(queued_client, STATUS, _status(n))) for n in range(FLOOD)]
    await asyncio.sleep(0)  # the flood is under way
    during = await _inbound_seconds(queued_client, "SM" + "b" * 32)
    answers = await asyncio.gather(*flood)
    # a callback the queue could not take in time is answered 503 and Twilio sends it again: so does this test
    codes = Counter(answer.status_code for answer in answers)
    assert set(codes) <= {200, 503}, codes
    retry = [n for n, answer in enumerate(answers) if answer.status_code == 503]
    for _ in range(5):
        again = await asyncio.gather(*(post_signed(queued_client, STATUS, _status(n)) for n in retry))
        retry = [n for n, answer in zip(retry, again, strict=True) if answer.status_code != 200]
    assert retry == []

    # the bound: the SMS in the flood waits for at most its own work and a share of the status routes' quick
    # answers (signature and XADD), not for the flood's database work; measured here, as a multiple
    print(f"inbound alone {alone * 1000:.1f} ms, during a flood of {FLOOD} status callbacks {during * 1000:.1f} ms")
    assert during < max(0.5, 10 * alone) + FLOOD * 0.002
    alerts = (await session.exec(select(Alert))).all()
    assert len(alerts) == 1  # the four SMS from the sentinel joined one alert

    queue: StatusQueue = queued_client.app.state.status_queue  # type: ignore[attr-defined]
    for _ in range(200):  # applied in batches in the background
        if await _applied(session) == FLOOD:
            break
        await asyncio.sleep(0.05)
    assert await _applied(session) == FLOOD
    assert queue.applied == FLOOD


async def test_entries_read_by_a_dead_instance_are_applied_by_another(
    database: Database, session: AsyncSession, redis_url: str, monkeypatch: pytest.MonkeyPatch
):
    redis = Redis.from_url(redis_url)
    stream = "test:status:dead"
    try:
        dead = StatusQueue(redis, database, consumer="dead", stream=stream)
        await dead.start()
        await dead.stop()  # its consumer is gone; the group exists
        for n in range(5):
            await dead.put(_status(n, "sent"))
        # the dead instance had read them (pending, never acknowledged) when it died
        await redis.xreadgroup(GROUP, "dead", {stream: ">"}, count=10)
        monkeypatch.setattr(status_queue, "CLAIM_IDLE_MS", 1)
        await asyncio.sleep(0.01)
        alive = StatusQueue(redis, database, consumer="alive", stream=stream)
        assert await alive.apply_once(block_ms=50) == 5
        assert await _applied(session, "sent") == 5
        assert await redis.xlen(stream) == 0  # acknowledged and removed once applied
    finally:
        await redis.delete(stream)
        await redis.aclose()
