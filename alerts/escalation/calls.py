"""Voice calls of escalation: placed when due, and their outcome (reported later by the provider) recorded.

A call placed is INVIATA; the provider's status callback tells how it ended. Answered: CONSEGNATA
(pressing 1 during the call acknowledges the alert through ``alert.acknowledge``). Not answered,
busy, failed or cancelled: FALLITA. Either way, if the alert is still unacknowledged when the call
ends, the person's next method keeps the time their rule gives it (an SMS two minutes after the
call, say), and when they have none left the next step is brought forward to now.
"""

from __future__ import annotations

import logging

from sqlmodel import col, select

from alerts.escalation.delivery import MAX_ATTEMPTS, Claimed, Outcome, deliver
from alerts.escalation.methods import move_on
from alerts.models import Alert, AlertState, Channel, DeliveryState, EntryKind, Notification
from alerts.raising import add_entry, alert_event
from centrale.audit.models import AuditAction
from centrale.clock import utcnow
from centrale.db import Database
from centrale.errors import Invalid
from centrale.flows import flow
from centrale.ports import OutgoingCall, VoiceCaller
from centrale.uow import Tx

log = logging.getLogger(__name__)

#: how a call can end, as the voice adapter reports it
OUTCOMES = frozenset({"answered", "no-answer", "busy", "failed", "canceled"})
_FAILED_AT_ONCE = frozenset({"failed", "busy", "no-answer", "canceled", "undelivered"})


async def _call(caller: VoiceCaller, claimed: Claimed) -> Outcome:
    call = OutgoingCall(
        to=claimed.to_phone, say=claimed.body, key=claimed.key, notification_id=claimed.id, alert_id=claimed.alert_id
    )
    try:
        result = await caller.call(call)
    except Exception as exc:  # the transport broke: retry on a later tick, then give up
        log.warning("voice transport error for notification %s: %s", claimed.id, type(exc).__name__)
        retry = claimed.attempts < MAX_ATTEMPTS
        state = DeliveryState.IN_ATTESA if retry else DeliveryState.FALLITA
        return Outcome(claimed, state, None, type(exc).__name__, transport_error=True)
    if result.error is None and result.status not in _FAILED_AT_ONCE:
        state = DeliveryState.INVIATA
    elif result.retryable and claimed.attempts < MAX_ATTEMPTS:
        state = DeliveryState.IN_ATTESA
    else:
        state = DeliveryState.FALLITA
    return Outcome(claimed, state, result.provider_id, result.error)


async def deliver_pending_calls(
    database: Database, *, caller: VoiceCaller, batch: int = 100, instances: int = 3
) -> dict[str, int]:
    """Place the calls that are due (claimed once, re-checked against the alert, as SMS are)."""

    async def send(claimed: Claimed) -> Outcome:
        return await _call(caller, claimed)

    return await deliver(database, Channel.VOCE, send, batch=batch, instances=instances)


@flow("call.outcome", guarded=False)  # the provider's signature, checked by the webhook, is the authentication
async def call_outcome(database: Database, *, notification_id: int, outcome: str, provider_id: str | None) -> None:
    """Record how a call ended; a call that reached nobody moves to the person's next method at once.

    Repeated or late reports of a call already settled change nothing (the provider retries callbacks).
    """
    if outcome not in OUTCOMES:
        raise Invalid(f"Esito della chiamata non riconosciuto: {outcome!r} / unknown call outcome", field="outcome")
    async with Tx.open(database) as tx:
        session = tx.session
        found = await session.get(Notification, notification_id)
        if found is None or found.channel != Channel.VOCE:
            return
        if provider_id and found.provider_id and provider_id != found.provider_id:
            return  # an earlier call of the same notification
        # the alert's lock first, then the notification: the order acknowledging takes (no lock cycle)
        alert = (await session.exec(select(Alert).where(col(Alert.id) == found.alert_id).with_for_update())).one()
        await session.refresh(found, with_for_update=True)
        if found.state not in (DeliveryState.IN_INVIO, DeliveryState.INVIATA):
            return  # already settled (or cancelled by an acknowledgement before it went out)
        now = utcnow()
        found.updated_at = now
        found.provider_id = found.provider_id or provider_id
        if outcome == "answered":
            found.state = DeliveryState.CONSEGNATA
        else:
            found.state, found.error = DeliveryState.FALLITA, outcome
        session.add(found)
        # heard but not acknowledged (no 1 pressed) is as good as unanswered: the next method goes now
        moved = await move_on(session, alert, found, now) if alert.state == AlertState.NUOVA else {}
        add_entry(session, alert, EntryKind.NOTIFICA, at=now, data={"chiamata": found.id, "esito": outcome} | moved)
        alert_event(session, alert, "alert.call_outcome", notification_id=found.id, outcome=outcome)
        tx.audit(
            AuditAction.UPDATE,
            "call.outcome",
            entity_type="Notification",
            entity_id=found.id,
            person_id=None,
            outcome_desc=outcome,
        )
        await tx.commit()
