"""Sending the SMS an escalation step recorded: claimed once, re-checked against the alert, then sent.

A notification goes IN_ATTESA -> IN_INVIO (claimed in a transaction that holds the alert's lock in
share mode, so an acknowledgement committed before it cancels it) -> INVIATA or FALLITA. A
definite failure moves the escalation on to the next step at once. A process that dies between
the claim and the provider's answer leaves the row IN_INVIO: it is never re-sent blindly.
"""

from __future__ import annotations

import logging
from collections import Counter

from sqlmodel import col, select

from alerts.models import Alert, AlertState, Channel, DeliveryState, EntryKind, Notification
from alerts.service import add_entry
from centrale.clock import utcnow
from centrale.db import Database
from centrale.ports import OutgoingSms, SmsSender

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3


async def _claim(database: Database, notification_id: int) -> Notification | None:
    async with database.sessionmaker() as session:
        found = (
            await session.exec(select(Notification).where(col(Notification.id) == notification_id))
        ).first()
        if found is None:
            return None
        alert = (
            await session.exec(
                select(Alert).where(col(Alert.id) == found.alert_id).with_for_update(read=True)
            )
        ).first()
        notification = (
            await session.exec(
                select(Notification)
                .where(
                    col(Notification.id) == notification_id,
                    col(Notification.state) == DeliveryState.IN_ATTESA,
                )
                .with_for_update(skip_locked=True)
            )
        ).first()
        if notification is None or alert is None:
            return None
        now = utcnow()
        notification.updated_at = now
        if alert.state != AlertState.NUOVA or alert.escalation_round != notification.escalation_round:
            notification.state = DeliveryState.ANNULLATA
            session.add(notification)
            await session.commit()
            return None
        notification.state = DeliveryState.IN_INVIO
        notification.attempts += 1
        notification.sent_at = now
        session.add(notification)
        await session.commit()
        return notification


async def _record(
    database: Database,
    notification: Notification,
    *,
    state: DeliveryState,
    provider_id: str | None,
    error: str | None,
) -> None:
    async with database.sessionmaker() as session:
        row = await session.get(Notification, notification.id)
        assert row is not None
        now = utcnow()
        row.state, row.provider_id, row.updated_at = state, provider_id, now
        row.error = error[:300] if error else None
        session.add(row)
        if state == DeliveryState.FALLITA:
            alert = (
                await session.exec(select(Alert).where(col(Alert.id) == row.alert_id).with_for_update())
            ).first()
            # a definite failure moves the escalation on, if the alert still waits on the next step
            if (
                alert is not None
                and alert.state == AlertState.NUOVA
                and alert.escalation_round == row.escalation_round
                and alert.next_step_index == row.step_index + 1
                and alert.next_step_at is not None
                and alert.next_step_at > now
            ):
                alert.next_step_at = now
                session.add(alert)
                add_entry(
                    session,
                    alert,
                    EntryKind.NOTIFICA,
                    at=now,
                    data={"sms_fallito": row.id, "passo_successivo": "anticipato"},
                )
        await session.commit()


async def deliver_pending_sms(database: Database, *, sender: SmsSender, batch: int = 200) -> dict[str, int]:
    """Send the recorded SMS that are waiting; returns counts by outcome."""
    counts: Counter[str] = Counter()
    async with database.sessionmaker() as session:
        ids = (
            await session.exec(
                select(col(Notification.id))
                .where(
                    col(Notification.channel) == Channel.SMS,
                    col(Notification.state) == DeliveryState.IN_ATTESA,
                )
                .order_by(col(Notification.id))
                .limit(batch)
            )
        ).all()
    for notification_id in ids:
        notification = await _claim(database, int(notification_id or 0))
        if notification is None:
            counts["skipped"] += 1
            continue
        assert notification.to_phone is not None
        try:
            result = await sender.send(
                OutgoingSms(to=notification.to_phone, body=notification.body, key=notification.key)
            )
        except Exception as exc:  # the transport broke: retry on a later tick, then give up
            log.warning("SMS transport error for notification %s: %s", notification.id, type(exc).__name__)
            retry = notification.attempts < MAX_ATTEMPTS
            await _record(
                database,
                notification,
                state=DeliveryState.IN_ATTESA if retry else DeliveryState.FALLITA,
                provider_id=None,
                error=type(exc).__name__,
            )
            counts["error"] += 1
            continue
        if result.error is None and result.status not in {"failed", "undelivered"}:
            state = DeliveryState.INVIATA
        elif result.retryable and notification.attempts < MAX_ATTEMPTS:
            state = DeliveryState.IN_ATTESA
        else:
            state = DeliveryState.FALLITA
        await _record(database, notification, state=state, provider_id=result.provider_id, error=result.error)
        counts[state.lower()] += 1
    return dict(counts)
