"""The sending rate is shared by every instance through Redis: never more than the rate in any second,
whatever the number of instances, and nothing lost (every message starts)."""

from __future__ import annotations

import asyncio
import collections
import uuid

import pytest
from redis.asyncio import Redis

from integrations.twilio.rate import SharedRateLimiter
from tests.conftest import REDIS_URL, service_missing

pytestmark = pytest.mark.redis


async def _redis() -> Redis:
    client = Redis.from_url(REDIS_URL)
    try:
        await client.ping()
    except Exception as exc:
        await client.aclose()
        service_missing("Redis", exc)
    return client


async def test_three_instances_never_start_more_than_the_rate_in_any_second() -> None:
    clients = [await _redis() for _ in range(3)]  # three instances: three connections, one Redis
    key = f"test:rate:{uuid.uuid4().hex}"
    try:
        limiters = [SharedRateLimiter(client, 10, key=key) for client in clients]
        # 45 messages, 15 per instance, all wanting to go at once
        seconds = await asyncio.gather(*(limiters[n % 3].take() for n in range(45)))
    finally:
        for client in clients:
            await client.aclose()
    per_second = collections.Counter(seconds)
    assert sum(per_second.values()) == 45
    assert max(per_second.values()) <= 10, per_second
    assert len(per_second) >= 5  # 45 at 10 a second need at least five seconds' windows (a partial one first)


async def test_a_rate_under_one_a_second_takes_whole_windows() -> None:
    client = await _redis()
    key = f"test:rate:{uuid.uuid4().hex}"
    waits: list[float] = []

    async def no_sleep(seconds: float) -> None:  # record the wait, and let Redis's clock decide
        waits.append(seconds)
        await asyncio.sleep(seconds)

    try:
        limiter = SharedRateLimiter(client, 0.5, key=key, sleep=no_sleep)
        first = await limiter.take()
        second = await limiter.take()
    finally:
        await client.aclose()
    assert first % 2 == 0 and second == first + 2  # one message per two-second window
    assert waits and 0 < waits[0] <= 2
