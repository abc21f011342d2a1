"""The console voice transport: records what would be called (the embedded default, and tests)."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field

from centrale.ports import CallResult, OutgoingCall

log = logging.getLogger("centrale.voice.console")


@dataclass
class ConsoleVoiceCaller:
    """Calls no one: keeps every call in ``placed`` and logs a line without its words (the number masked).
    ``fail_numbers`` fail definitively, as an unreachable number does."""

    placed: list[OutgoingCall] = field(default_factory=list)
    fail_numbers: set[str] = field(default_factory=set)

    async def call(self, call: OutgoingCall) -> CallResult:
        if call.to in self.fail_numbers:
            return CallResult(provider_id=None, status="failed", error="numero non raggiungibile", retryable=False)
        self.placed.append(call)
        log.info("chiamata (console) a %s***, notifica %s", call.to[:6], call.notification_id)
        return CallResult(provider_id=f"console-{uuid.uuid4().hex}", status="queued")
