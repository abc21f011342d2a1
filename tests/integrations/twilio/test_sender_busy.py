"""Twilio answers "too many requests" or "queue full" at campaign volume: the sender waits (exponential,
jittered so instances refused together spread out) and tries again, and the message is created exactly once
and recorded once under its idempotency key. The twilio library's HTTP client is faked."""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.sms.models import SmsDelivery
from centrale.db import Database
from centrale.ports import OutgoingSms
from centrale.settings import Settings
from integrations.twilio.sender import RateLimiter, TwilioSmsSender, twilio_client
from tests.integrations.fake_twilio import FakeTwilioHttp, error_response
from tests.integrations.twilio.test_sender import FakeTime

NUMBER = "+393330000102"
SERVICE = "MG" + "2" * 32


def _sender(settings: Settings, database: Database, http: FakeTwilioHttp, clock: FakeTime, draws: list[float]):
    return TwilioSmsSender(
        client=twilio_client(settings, http),
        database=database,
        settings=settings,
        limiter=RateLimiter(100, sleep=clock.sleep, monotonic=clock.monotonic),
        sleep=clock.sleep,
        jitter=lambda: draws.pop(0),
    )


async def test_429_and_queue_full_are_retried_with_jitter_and_the_message_sent_once(
    settings: Settings, database: Database, session: AsyncSession
):
    settings = settings.model_copy(update={"twilio_messaging_service_sid": SERVICE})
    http, clock = FakeTwilioHttp(), FakeTime()
    http.script = [
        error_response(429, 20429, "Too Many Requests"),
        error_response(400, 21611, "This 'From' number has exceeded the maximum number of queued messages"),
        error_response(429, 20429, "Too Many Requests"),
    ]
    draws = [0.0, 1.0, 0.5]
    sender = _sender(settings, database, http, clock, draws)
    result = await sender.send(OutgoingSms(to=NUMBER, body="Rispondi OK", key="checkin.7", validity_seconds=None))

    assert result.status == "queued" and result.provider_id
    # four requests to Twilio, every one through the Messaging Service, never a from number
    posted = http.sent_to(NUMBER)
    assert len(posted) == 4
    assert all((r.data or {}).get("MessagingServiceSid") == SERVICE and "From" not in (r.data or {}) for r in posted)
    # each wait between half and all of 1, 2, 4 seconds, as drawn
    assert [s for s in clock.sleeps if s >= 0.1] == [0.5, 2.0, 3.0]
    deliveries = (await session.exec(select(SmsDelivery))).all()
    assert [(d.key, d.provider_id) for d in deliveries] == [("checkin.7", result.provider_id)]


async def test_a_queue_that_stays_full_fails_once_so_the_escalation_moves_on(settings: Settings, database: Database):
    http, clock = FakeTwilioHttp(), FakeTime()
    http.script = [error_response(400, 21611, "queue full")] * 10
    result = await _sender(settings, database, http, clock, [0.5] * 10).send(
        OutgoingSms(to=NUMBER, body="Rispondi OK", key="checkin.8", validity_seconds=None)
    )
    assert (result.status, result.retryable) == ("failed", False)
    assert len(http.requests) == 4
