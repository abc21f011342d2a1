"""The console SMS transport: records and prints what would be sent (the embedded default)."""

from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass, field

from centrale.ports import OutgoingSms, SmsResult

log = logging.getLogger("centrale.sms.console")


@dataclass
class ConsoleSmsSender:
    """Sends nothing: keeps every message in ``sent`` and logs it. ``fail_numbers`` fail definitively."""

    sent: list[OutgoingSms] = field(default_factory=list)
    fail_numbers: set[str] = field(default_factory=set)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def send(self, message: OutgoingSms) -> SmsResult:
        if message.to in self.fail_numbers:
            return SmsResult(
                provider_id=None, status="failed", error="numero non raggiungibile", retryable=False
            )
        self.sent.append(message)
        # the number is masked in the log: the body is short and carries no health data
        log.info("SMS (console) a %s***: %s", message.to[:6], message.body)
        return SmsResult(provider_id=f"console-{next(self._ids)}", status="sent")
