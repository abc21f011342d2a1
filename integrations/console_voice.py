"""The console voice transport: records and logs the calls it would place (the embedded default).

It places no call, so no outcome ever comes back by itself: tests and the demo report one through
``alerts.escalation.calls.call_outcome``, as the provider's status callback would.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field

from centrale.ports import CallResult, OutgoingCall

log = logging.getLogger("centrale.voice.console")


@dataclass
class ConsoleVoiceCaller:
    """Keeps every call in ``placed``; ``fail_numbers`` fail at once (a number that does not exist)."""

    placed: list[OutgoingCall] = field(default_factory=list)
    fail_numbers: set[str] = field(default_factory=set)

    async def call(self, call: OutgoingCall) -> CallResult:
        if call.to in self.fail_numbers:
            return CallResult(provider_id=None, status="failed", error="numero non raggiungibile")
        self.placed.append(call)
        # the number is masked in the log; what is said carries codes only
        log.info("Chiamata (console) a %s***: %s", call.to[:6], call.say)
        return CallResult(provider_id=f"console-call-{uuid.uuid4().hex}", status="queued")
