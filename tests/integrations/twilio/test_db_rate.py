"""Without Redis, instances share the sending rate through PostgreSQL: never more than the rate in any
second of the database's clock, whatever the number of instances, and every message starts. With Redis
and PostgreSQL both there, the instances use Redis, and the same holds."""

from __future__ import annotations

import asyncio
import collections

from redis.asyncio import Redis

from centrale.db import Database
from centrale.ports import OutgoingSms
from centrale.settings import Settings
from integrations.twilio.dbrate import DatabaseRateLimiter
from integrations.twilio.rate import SharedRateLimiter
from integrations.twilio.sender import TwilioSmsSender
from tests.integrations.fake_twilio import FakeTwilioHttp
from web.app import make_sms_sender


def _twilio(database: Database, **update: object) -> Settings:
    return Settings(
        environment="test",
        database_url=database.url,
        public_url="http://testserver",
        scheduler_enabled=False,
        sms_backend="twilio",
        twilio_account_sid="AC" + "0" * 32,
        twilio_auth_token="x" * 32,
        twilio_messaging_service_sid="MG" + "3" * 32,
        **update,
    )


async def test_three_instances_on_postgresql_never_start_more_than_the_rate_in_any_second(pg_database: Database):
    instances = [Database(pg_database.url, pool_size=4, max_overflow=0) for _ in range(3)]  # three pools
    try:
        limiters = [DatabaseRateLimiter(db.engine, 10) for db in instances]
        seconds = await asyncio.gather(*(limiters[n % 3].take() for n in range(45)))
    finally:
        for db in instances:
            await db.dispose()
    per_second = collections.Counter(seconds)
    assert sum(per_second.values()) == 45
    assert max(per_second.values()) <= 10, per_second
    assert len(per_second) >= 5


async def test_instances_without_redis_send_through_twilio_at_the_shared_rate(pg_database: Database):
    """Three senders as make_sms_sender builds them on PostgreSQL alone: each message starts in a second of
    the database's clock that holds at most the rate, and is created once at the (faked) Twilio."""
    settings = _twilio(pg_database, sms_per_second=5.0)
    http = FakeTwilioHttp()
    senders = [make_sms_sender(settings, pg_database, http_client=http) for _ in range(3)]
    windows: list[int] = []
    for sender in senders:
        assert isinstance(sender, TwilioSmsSender) and isinstance(sender._limiter, DatabaseRateLimiter)
        limiter = sender._limiter

        async def noted(limiter: DatabaseRateLimiter = limiter) -> None:
            windows.append(await limiter.take())

        limiter.wait = noted  # type: ignore[method-assign]
    sms = [
        OutgoingSms(to=f"+39333000{n:04d}", body="Rispondi OK", key=f"k{n}", validity_seconds=None) for n in range(18)
    ]
    results = await asyncio.gather(*(senders[n % 3].send(m) for n, m in enumerate(sms)))
    assert all(r.status == "queued" for r in results)
    assert len({r.provider_id for r in results}) == 18 == len(http.requests)  # none lost, none doubled
    per_second = collections.Counter(windows)
    assert len(windows) == 18 and max(per_second.values()) <= 5, per_second


async def test_with_redis_the_instances_share_redis_s_counter(pg_database: Database, redis_url: str):
    settings = _twilio(pg_database, sms_per_second=10.0, redis_url=redis_url)
    redis = Redis.from_url(redis_url)
    try:
        sender = make_sms_sender(settings, pg_database, http_client=FakeTwilioHttp(), redis=redis)
        assert isinstance(sender, TwilioSmsSender) and isinstance(sender._limiter, SharedRateLimiter)
        limiters = [DatabaseRateLimiter(pg_database.engine, 10), SharedRateLimiter(redis, 10, key="test:rate:both")]
        for limiter in limiters:  # each keeps the rate under concurrent starts
            seconds = collections.Counter(await asyncio.gather(*(limiter.take() for _ in range(25))))
            assert sum(seconds.values()) == 25 and max(seconds.values()) <= 10
    finally:
        await redis.aclose()
