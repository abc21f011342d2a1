"""Device notifications of escalation: sent when due through the operator's subscribed browsers.

The notice carries the alert's number and priority only; the board shows the rest once opened. When
no browser took it, the person's next method is brought forward, as for a call nobody answered.
"""

from __future__ import annotations

import logging

from alerts.escalation.delivery import MAX_ATTEMPTS, Claimed, Outcome, deliver
from alerts.models import Channel, DeliveryState
from alerts.push.service import push_to_operator
from centrale.db import Database
from centrale.ports import PushMessage

log = logging.getLogger(__name__)


def message(claimed: Claimed) -> PushMessage:
    return PushMessage(
        title=f"Allerta n. {claimed.alert_id}", body=claimed.body, url="/board", tag=f"allerta-{claimed.alert_id}"
    )


async def deliver_pending_push(database: Database, *, batch: int = 100, instances: int = 3) -> dict[str, int]:
    """Send the device notifications that are due."""

    async def send(claimed: Claimed) -> Outcome:
        operator_id = int(claimed.recipient.removeprefix("operator:"))
        try:
            delivered = await push_to_operator(database, operator_id, message(claimed))
        except Exception as exc:  # the push service broke: retry on a later tick, then give up
            log.warning("push error for notification %s: %s", claimed.id, type(exc).__name__)
            retry = claimed.attempts < MAX_ATTEMPTS
            state = DeliveryState.IN_ATTESA if retry else DeliveryState.FALLITA
            return Outcome(claimed, state, None, type(exc).__name__, transport_error=True)
        if delivered:
            return Outcome(claimed, DeliveryState.INVIATA, None, None)
        return Outcome(claimed, DeliveryState.FALLITA, None, "nessun dispositivo raggiunto / no device reached")

    return await deliver(database, Channel.PUSH, send, batch=batch, instances=instances)
