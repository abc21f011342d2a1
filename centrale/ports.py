"""Ports: what the care network needs from outside, as Protocols. Adapters are wired in by ``web``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class OutgoingSms:
    """One SMS to send. ``key`` is the idempotency key of the notification it carries."""

    to: str  # E.164
    body: str  # short Italian text, never health data
    key: str
    status_callback: bool = True
    validity_seconds: int | None = None


@dataclass(frozen=True)
class SmsResult:
    provider_id: str | None  # Twilio's MessageSid, or a console id
    status: str  # queued / sent / failed ...
    error: str | None = None
    retryable: bool = False


class SmsSender(Protocol):
    """Sends SMS: the console transport (default) or Twilio."""

    async def send(self, message: OutgoingSms) -> SmsResult: ...


@dataclass(frozen=True)
class OutgoingCall:
    """One voice call that reads an alert's code and asks for a key press. ``key`` is the notification's
    idempotency key; ``say`` is Italian words with codes only, never health details."""

    to: str  # E.164
    say: str
    key: str
    notification_id: int
    alert_id: int


@dataclass(frozen=True)
class CallResult:
    provider_id: str | None  # Twilio's CallSid, or a console id
    status: str  # queued / initiated / failed ...
    error: str | None = None
    retryable: bool = False


class VoiceCaller(Protocol):
    """Places voice calls: the console transport (default) or Twilio. The outcome (answered and key
    pressed, no answer, busy, failed) comes back later through the signed status callbacks."""

    async def call(self, call: OutgoingCall) -> CallResult: ...


@dataclass(frozen=True)
class PushMessage:
    """One web push: a code and a short word; the details load after the page opens."""

    title: str  # e.g. "Allerta A-123"
    body: str  # one short word or sentence, never health data
    url: str  # the page to open, e.g. "/board" or "/attivita"
    tag: str  # collapses repeated notices of the same object


@dataclass(frozen=True)
class PushSubscriptionInfo:
    endpoint: str
    p256dh: str
    auth: str


@dataclass(frozen=True)
class PushResult:
    delivered: bool
    gone: bool = False  # 404/410 from the push service: the subscription must be removed
    error: str | None = None


class PushSender(Protocol):
    """Sends web push through the browsers' own push services (VAPID), no third-party relay."""

    async def send(self, subscription: PushSubscriptionInfo, message: PushMessage) -> PushResult: ...
