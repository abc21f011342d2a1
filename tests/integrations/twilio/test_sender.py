"""The Twilio sender: opt-out respected, the right request, retries with backoff, definite failures."""

from __future__ import annotations

import httpx
import pytest
import requests
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.sms.models import SmsDelivery
from alerts.sms.service import is_opted_out
from centrale.db import Database
from centrale.ports import OutgoingSms
from centrale.settings import Settings
from integrations.twilio.sender import RateLimiter, TwilioSmsSender, twilio_client
from tests.integrations.conftest import fixture, post_signed
from tests.integrations.fake_twilio import FakeTwilioHttp, error_response

NUMBER = "+393330000101"


class FakeTime:
    """A monotonic clock that only moves when someone sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 3))
        self.now += seconds


def _sender(settings: Settings, database: Database, http: FakeTwilioHttp, clock: FakeTime) -> TwilioSmsSender:
    limiter = RateLimiter(settings.sms_per_second, sleep=clock.sleep, monotonic=clock.monotonic)
    return TwilioSmsSender(
        client=twilio_client(settings, http),
        database=database,
        settings=settings,
        limiter=limiter,
        sleep=clock.sleep,
        jitter=lambda: 1.0,  # the longest wait of each draw: the doubling is what these tests read
    )


def _sms(key: str = "alert-1-step-0", validity: int | None = 600) -> OutgoingSms:
    return OutgoingSms(to=NUMBER, body="Centrale: nuova allerta", key=key, validity_seconds=validity)


async def test_after_stop_nothing_is_sent_and_after_start_it_is(
    client: httpx.AsyncClient, settings: Settings, database: Database
):
    http, clock = FakeTwilioHttp(), FakeTime()
    sender = _sender(settings, database, http, clock)
    await post_signed(client, "/integrations/twilio/sms", fixture("inbound_sms") | {"Body": "STOP"})
    result = await sender.send(_sms())
    assert result.status == "blocked"
    assert http.sent_to(NUMBER) == []
    await post_signed(
        client,
        "/integrations/twilio/sms",
        fixture("inbound_sms") | {"Body": "start", "MessageSid": "SM" + "9" * 32},
    )
    result = await sender.send(_sms())
    assert result.status == "queued" and result.provider_id
    assert len(http.sent_to(NUMBER)) == 1


async def test_request_carries_sender_callback_and_validity(
    settings: Settings, database: Database, session: AsyncSession
):
    http, clock = FakeTwilioHttp(), FakeTime()
    result = await _sender(settings, database, http, clock).send(_sms())
    data = http.sent_to(NUMBER)[0].data or {}
    assert data["From"] == "+390699999999"
    assert data["StatusCallback"] == "https://centrale.example.org/integrations/twilio/status"
    assert data["ValidityPeriod"] == 600
    delivery = (await session.exec(select(SmsDelivery))).one()
    assert (delivery.provider_id, delivery.key, delivery.status) == (
        result.provider_id,
        "alert-1-step-0",
        "queued",
    )


async def test_messaging_service_replaces_the_from_number(settings: Settings, database: Database):
    settings = settings.model_copy(update={"twilio_messaging_service_sid": "MG" + "1" * 32})
    http = FakeTwilioHttp()
    await _sender(settings, database, http, FakeTime()).send(_sms(validity=None))
    data = http.sent_to(NUMBER)[0].data or {}
    assert data["MessagingServiceSid"] == "MG" + "1" * 32 and "From" not in data and "ValidityPeriod" not in data


async def test_5xx_and_timeouts_are_retried_with_backoff(settings: Settings, database: Database):
    http, clock = FakeTwilioHttp(), FakeTime()
    http.script = [
        error_response(503, 20503, "unavailable"),
        requests.exceptions.ReadTimeout("slow"),
        error_response(500, 20500, "error"),
    ]
    result = await _sender(settings, database, http, clock).send(_sms())
    assert result.status == "queued"
    assert len(http.sent_to(NUMBER)) == 4
    assert [s for s in clock.sleeps if s >= 1] == [1.0, 2.0, 4.0]  # backoff doubles between tries


async def test_definite_failure_is_reported_at_once(settings: Settings, database: Database):
    http = FakeTwilioHttp(script=[error_response(400, 21211, "The 'To' number is not a valid phone number.")])
    result = await _sender(settings, database, http, FakeTime()).send(_sms())
    assert (result.status, result.retryable) == ("failed", False)
    assert "21211" in (result.error or "") or "not a valid" in (result.error or "")
    assert len(http.requests) == 1


async def test_failure_after_every_retry_is_reported_so_escalation_moves_on(settings: Settings, database: Database):
    http = FakeTwilioHttp(script=[error_response(502, 20502, "bad gateway")] * 10)
    result = await _sender(settings, database, http, FakeTime()).send(_sms())
    assert (result.status, result.retryable) == ("failed", False)
    assert len(http.requests) == 4


async def test_twilio_unsubscribed_error_marks_the_number_opted_out(
    settings: Settings, database: Database, session: AsyncSession
):
    http = FakeTwilioHttp(script=[error_response(400, 21610, "Attempt to send to unsubscribed recipient")])
    await _sender(settings, database, http, FakeTime()).send(_sms())
    assert await is_opted_out(session, phone=NUMBER)


async def test_rate_limit_spaces_sends_by_the_configured_rate(settings: Settings, database: Database):
    http, clock = FakeTwilioHttp(), FakeTime()
    sender = _sender(settings.model_copy(update={"sms_per_second": 2.0}), database, http, clock)
    for n in range(3):
        await sender.send(_sms(key=f"k{n}"))
    assert clock.sleeps == [0.5, 0.5]


def test_needs_a_sender_identity(settings: Settings, database: Database):
    bare = settings.model_copy(update={"twilio_from_number": None})
    with pytest.raises(ValueError, match="TWILIO_FROM_NUMBER"):
        TwilioSmsSender(client=twilio_client(bare, FakeTwilioHttp()), database=database, settings=bare)
