"""The embedded default: pushes are logged (a code and a short word, never more), nothing leaves the machine."""

from __future__ import annotations

import logging

from centrale.ports import PushMessage, PushResult, PushSubscriptionInfo

log = logging.getLogger(__name__)


class ConsolePushSender:
    """Takes every notice and writes its title to the log; ``sent`` keeps them for a demo or a test."""

    def __init__(self) -> None:
        self.sent: list[tuple[PushSubscriptionInfo, PushMessage]] = []

    async def send(self, subscription: PushSubscriptionInfo, message: PushMessage) -> PushResult:
        self.sent.append((subscription, message))
        log.info("push (console): %s", message.title)
        return PushResult(delivered=True)
