"""The Twilio adapter of ``SmsSender``: opt-out respected, rate-limited, retried on 5xx, timeouts, 429 and a
full queue, with jittered backoff so instances that were refused together do not come back together."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any

from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from alerts.sms.service import is_opted_out, record_delivery, set_opt_out
from centrale.db import Database
from centrale.events.service import commit
from centrale.ports import OutgoingSms, SmsResult
from centrale.settings import Settings
from integrations.twilio.rate import Limiter

log = logging.getLogger(__name__)

STATUS_PATH = "/integrations/twilio/status"
UNSUBSCRIBED = 21610  # Twilio: the recipient replied STOP
#: Twilio's answers that mean "not now, the message was not taken": too many requests (20429, HTTP 429), the
#: sender's queue is full (21611, HTTP 400) or overflowed (30001). Retrying them cannot duplicate a message.
BUSY_CODES = frozenset({20429, 21611, 30001})


class RateLimiter:
    """At most ``per_second`` starts per second, shared by every send of this process (one instance alone;
    several instances share ``integrations.twilio.rate.SharedRateLimiter`` through Redis)."""

    def __init__(
        self,
        per_second: float,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._interval = 1.0 / per_second
        self._sleep = sleep
        self._monotonic = monotonic
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        async with self._lock:
            now = self._monotonic()
            if self._next > now:
                await self._sleep(self._next - now)
                now = self._next
            self._next = now + self._interval


def _retryable(exc: Exception) -> bool:
    """5xx, 429, a full queue and transport trouble are worth another try; other 4xx are definite."""
    if isinstance(exc, TwilioRestException):
        return exc.status >= 500 or exc.status == 429 or exc.code in BUSY_CODES
    # requests' Timeout and ConnectionError derive from OSError, as do socket timeouts
    return isinstance(exc, TimeoutError | OSError)


class TwilioSmsSender:
    """Sends through Twilio's REST API; called by the escalation ticks, never inside a request."""

    def __init__(
        self,
        *,
        client: Client,
        database: Database,
        settings: Settings,
        max_attempts: int = 4,
        backoff_seconds: float = 1.0,
        limiter: Limiter | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        if not (settings.twilio_messaging_service_sid or settings.twilio_from_number):
            raise ValueError("TWILIO_FROM_NUMBER o TWILIO_MESSAGING_SERVICE_SID necessario")
        self._client = client
        self._db = database
        self._settings = settings
        self._max_attempts = max_attempts
        self._backoff = backoff_seconds
        self._sleep = sleep
        self._jitter = jitter
        self._limiter: Limiter = limiter or RateLimiter(settings.sms_per_second, sleep=sleep)

    def _create_kwargs(self, message: OutgoingSms) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"to": message.to, "body": message.body}
        if self._settings.twilio_messaging_service_sid:
            kwargs["messaging_service_sid"] = self._settings.twilio_messaging_service_sid
        else:
            kwargs["from_"] = self._settings.twilio_from_number
        if message.status_callback:
            kwargs["status_callback"] = self._settings.public_url.rstrip("/") + STATUS_PATH
        if message.validity_seconds:
            kwargs["validity_period"] = message.validity_seconds
        return kwargs

    async def send(self, message: OutgoingSms) -> SmsResult:
        """Send one SMS unless the number opted out; a definite failure comes back as ``failed``."""
        async with self._db.sessionmaker() as session:
            if await is_opted_out(session, phone=message.to):
                return SmsResult(provider_id=None, status="blocked", error="opt-out", retryable=False)
        kwargs = self._create_kwargs(message)
        error = "nessun tentativo"
        for attempt in range(self._max_attempts):
            if attempt:  # exponential, each wait drawn between half and all of it
                await self._sleep(self._backoff * 2 ** (attempt - 1) * (0.5 + self._jitter() / 2))
            await self._limiter.wait()
            try:
                sent = await asyncio.to_thread(self._client.messages.create, **kwargs)
            except Exception as exc:
                error = f"{type(exc).__name__}: {getattr(exc, 'msg', exc)}"[:200]
                if isinstance(exc, TwilioRestException) and exc.code == UNSUBSCRIBED:
                    await self._mark_opted_out(message.to)
                if not _retryable(exc):
                    log.warning("SMS non inviato (definitivo), chiave %s: %s", message.key, error)
                    return SmsResult(provider_id=None, status="failed", error=error, retryable=False)
                log.info("SMS non inviato (tentativo %s), chiave %s: %s", attempt + 1, message.key, error)
                continue
            async with self._db.sessionmaker() as session:
                await record_delivery(
                    session,
                    provider_id=str(sent.sid),
                    status=str(sent.status or "queued"),
                    to_number=message.to,
                    key=message.key,
                )
                await commit(session)
            return SmsResult(provider_id=str(sent.sid), status=str(sent.status or "queued"))
        # out of attempts: report it, so the escalation moves on to the next channel
        return SmsResult(provider_id=None, status="failed", error=error, retryable=False)

    async def _mark_opted_out(self, phone: str) -> None:
        async with self._db.sessionmaker() as session:
            await set_opt_out(session, phone=phone, opted_out=True, word="STOP")
            await commit(session)


def twilio_client(settings: Settings, http_client: Any = None) -> Client:
    """A REST client for the configured account (tests pass a fake ``http_client``)."""
    return Client(settings.twilio_account_sid, settings.twilio_auth_token, http_client=http_client)
