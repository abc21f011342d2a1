"""Sending the SMS an escalation step recorded: claimed once, re-checked against the alert, then sent.

A notification goes IN_ATTESA -> IN_INVIO (claimed in a transaction that holds the alert's lock in
share mode, so an acknowledgement committed before it cancels it) -> INVIATA or FALLITA. A
definite failure moves the escalation on to the next step at once. A process that dies between
the claim and the provider's answer leaves the row IN_INVIO: it is never re-sent blindly.

Locks are always taken alert first, then notification (the order acknowledging takes), so no
lock cycle can form. Claims and records are single Core statements: the engine sends thousands.
"""

from __future__ import annotations

import logging
import random
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col, select

from alerts.escalation.methods import move_on
from alerts.models import Alert, AlertState, Channel, DeliveryState, EntryKind, Notification
from alerts.raising import add_entry
from centrale.clock import utcnow
from centrale.db import Database
from centrale.events.service import commit
from centrale.ports import OutgoingSms, SmsSender

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
#: an escalation SMS that cannot be delivered within ten minutes is useless: the next step has run
VALIDITY_SECONDS = 600


@dataclass(frozen=True)
class Claimed:
    """A notification this process has claimed (IN_INVIO) and must send and record."""

    id: int
    alert_id: int
    escalation_round: int
    step_index: int
    recipient: str
    to_phone: str
    body: str
    attempts: int
    key: str


@dataclass(frozen=True)
class Outcome:
    """What the provider said about a claimed SMS, to be recorded."""

    claimed: Claimed
    state: DeliveryState
    provider_id: str | None
    error: str | None
    transport_error: bool = False


def _record_statement(outcome: Outcome, now: datetime) -> Any:
    error = outcome.error[:300] if outcome.error else None
    return (
        update(Notification)
        # a status callback that came back before this record (a call's outcome, an SMS's receipt) stands
        .where(col(Notification.id) == outcome.claimed.id, col(Notification.state) == DeliveryState.IN_INVIO)
        .values(state=outcome.state, provider_id=outcome.provider_id, updated_at=now, error=error)
    )


async def claim(conn: AsyncConnection, notification_id: int, *, record: Outcome | None) -> Claimed | None:
    """One transaction: lock the alert (share), record the previous SMS's outcome, claim this one.

    Recording the previous outcome with the next claim halves the transactions and still leaves at
    most one SMS per instance claimed and unconfirmed at any instant.
    """
    async with conn.begin():
        found = (
            await conn.execute(
                select(  # type: ignore[call-overload]
                    col(Alert.state),
                    col(Alert.escalation_round),
                    col(Notification.escalation_round),
                    col(Notification.state),
                )
                .join(Notification, col(Notification.alert_id) == col(Alert.id))
                .where(col(Notification.id) == notification_id)
                .with_for_update(read=True, of=Alert)  # the alert first, in share mode
            )
        ).first()
        now = utcnow()
        if record is not None:
            await conn.execute(_record_statement(record, now))
        alert_state, alert_round, round_, state = found if found is not None else (None, None, None, None)
        if state != DeliveryState.IN_ATTESA:  # gone, or another instance took it since we listed it
            return None
        live = alert_state == AlertState.NUOVA and alert_round == round_
        waiting = (
            select(col(Notification.id))
            .where(col(Notification.id) == notification_id, col(Notification.state) == DeliveryState.IN_ATTESA)
            .with_for_update(skip_locked=True)  # another instance claiming it: leave it to them
            .scalar_subquery()
        )
        values: dict[str, object] = {"updated_at": now}
        if live:
            values |= {"state": DeliveryState.IN_INVIO, "attempts": col(Notification.attempts) + 1, "sent_at": now}
        else:  # acknowledged (or re-triggered) since it was recorded
            values["state"] = DeliveryState.ANNULLATA
        row = (
            await conn.execute(
                update(Notification)
                .where(col(Notification.id) == waiting)
                .values(**values)
                .returning(
                    col(Notification.alert_id),
                    col(Notification.escalation_round),
                    col(Notification.step_index),
                    col(Notification.recipient),
                    col(Notification.channel),
                    col(Notification.to_phone),
                    col(Notification.body),
                    col(Notification.attempts),
                )
            )
        ).first()
    if row is None or not live:
        return None
    alert_id, round_, step, recipient, channel, phone, body, attempts = row
    return Claimed(
        id=notification_id,
        alert_id=alert_id,
        escalation_round=round_,
        step_index=step,
        recipient=recipient,
        to_phone=phone or "",  # recorded without a phone means FALLITA at once: never claimed
        body=body,
        attempts=attempts,
        key=f"{alert_id}.{round_}.{step}.{recipient}.{channel}",
    )


#: the timeline's word for a failed notification, by channel
FAILED_WORD = {Channel.SMS: "sms_fallito", Channel.VOCE: "chiamata_fallita", Channel.PUSH: "notifica_fallita"}


async def record_failure(database: Database, outcome: Outcome) -> None:
    """A definite failure: recorded under the alert's lock; the person's next method goes at its time,
    and with none left the next step is brought forward."""
    async with database.sessionmaker() as session:
        now = utcnow()
        claimed = outcome.claimed
        alert = (  # the alert's lock first, as acknowledging takes it
            await session.exec(select(Alert).where(col(Alert.id) == claimed.alert_id).with_for_update())
        ).first()
        await session.exec(_record_statement(outcome, now))
        notification = await session.get(Notification, claimed.id)
        # the escalation moves on at once, if the alert still waits on what comes next
        moved = await move_on(session, alert, notification, now) if notification is not None else {}
        if alert is not None and notification is not None and moved:
            word = FAILED_WORD.get(notification.channel, "sms_fallito")
            add_entry(session, alert, EntryKind.NOTIFICA, at=now, data={word: claimed.id} | moved)
        await commit(session)


async def _send(sender: SmsSender, claimed: Claimed) -> Outcome:
    try:
        result = await sender.send(
            OutgoingSms(to=claimed.to_phone, body=claimed.body, key=claimed.key, validity_seconds=VALIDITY_SECONDS)
        )
    except Exception as exc:  # the transport broke: retry on a later tick, then give up
        log.warning("SMS transport error for notification %s: %s", claimed.id, type(exc).__name__)
        retry = claimed.attempts < MAX_ATTEMPTS
        state = DeliveryState.IN_ATTESA if retry else DeliveryState.FALLITA
        return Outcome(claimed, state, None, type(exc).__name__, transport_error=True)
    if result.error is None and result.status not in {"failed", "undelivered"}:
        state = DeliveryState.INVIATA
    elif result.retryable and claimed.attempts < MAX_ATTEMPTS:
        state = DeliveryState.IN_ATTESA
    else:
        state = DeliveryState.FALLITA
    return Outcome(claimed, state, result.provider_id, result.error)


async def waiting(database: Database, channel: Channel, *, batch: int, instances: int) -> list[int]:
    """Up to ``batch`` due notifications of ``channel``: a random share of the oldest ``batch * instances``.

    Instances see the same waiting rows: each takes its own random share in its own order, so they
    rarely reach for the same row (a tick drains its share within seconds: order barely matters).
    """
    async with database.sessionmaker() as session:
        ids = list(
            (
                await session.exec(
                    select(col(Notification.id))
                    .where(
                        col(Notification.channel) == channel,
                        col(Notification.state) == DeliveryState.IN_ATTESA,
                        col(Notification.step_index) >= 0,  # the reporter's feedback goes its own way
                        or_(col(Notification.due_at).is_(None), col(Notification.due_at) <= utcnow()),
                    )
                    .order_by(col(Notification.id))
                    .limit(batch * instances)
                )
            ).all()
        )
    return [int(i or 0) for i in random.sample(ids, min(batch, len(ids)))]


Send = Callable[[Claimed], Awaitable[Outcome]]


async def deliver(database: Database, channel: Channel, send: Send, *, batch: int, instances: int) -> dict[str, int]:
    """Claim, send and record up to ``batch`` due notifications of ``channel``; counts by outcome."""
    counts: Counter[str] = Counter()
    ids = await waiting(database, channel, batch=batch, instances=instances)
    pending: Outcome | None = None  # sent, to be recorded with the next claim
    async with database.engine.connect() as conn:
        for notification_id in ids:
            claimed = await claim(conn, notification_id, record=pending)
            pending = None
            if claimed is None:
                counts["skipped"] += 1
                continue
            outcome = await send(claimed)
            counts["error" if outcome.transport_error else outcome.state.lower()] += 1
            if outcome.state == DeliveryState.FALLITA:
                await record_failure(database, outcome)
            else:
                pending = outcome
        if pending is not None:
            async with conn.begin():
                await conn.execute(_record_statement(pending, utcnow()))
    return dict(counts)


async def deliver_pending_sms(
    database: Database, *, sender: SmsSender, batch: int = 200, instances: int = 3
) -> dict[str, int]:
    """Send up to ``batch`` of the recorded SMS that are due (a random share of the oldest).

    ``instances``: how many engines are expected to share the work (each lists that many batches).
    """

    async def send(claimed: Claimed) -> Outcome:
        return await _send(sender, claimed)

    return await deliver(database, Channel.SMS, send, batch=batch, instances=instances)
