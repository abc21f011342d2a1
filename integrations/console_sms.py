"""The console SMS transport: records and prints what would be sent (the embedded default)."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field

from alerts.sms.service import is_opted_out
from centrale.db import Database
from centrale.ports import OutgoingSms, SmsResult

log = logging.getLogger("centrale.sms.console")


@dataclass
class ConsoleSmsSender:
    """Sends nothing: keeps every message in ``sent`` and logs it. ``fail_numbers`` fail definitively.

    With a ``database``, a number that opted out (STOP) is refused as Twilio would refuse it.
    """

    database: Database | None = None
    sent: list[OutgoingSms] = field(default_factory=list)
    fail_numbers: set[str] = field(default_factory=set)

    async def send(self, message: OutgoingSms) -> SmsResult:
        if self.database is not None:
            async with self.database.sessionmaker() as session:
                if await is_opted_out(session, phone=message.to):
                    return SmsResult(provider_id=None, status="blocked", error="opt-out", retryable=False)
        if message.to in self.fail_numbers:
            return SmsResult(provider_id=None, status="failed", error="numero non raggiungibile", retryable=False)
        self.sent.append(message)
        # the number is masked in the log: the body is short and carries no health data
        log.info("SMS (console) a %s***: %s", message.to[:6], message.body)
        # unique across restarts: a delivery receipt for an id of a previous run must not mark another message
        return SmsResult(provider_id=f"console-{uuid.uuid4().hex}", status="sent")
