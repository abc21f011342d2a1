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
