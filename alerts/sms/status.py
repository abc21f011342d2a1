"""Delivery status of an escalation SMS: shown on the alert; a failure moves the escalation on at once."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.escalation.methods import move_on
from alerts.models import Alert, DeliveryState, EntryKind, Notification
from alerts.raising import add_entry, alert_event
from alerts.sms.models import FAILED_STATES, SmsDelivery
from alerts.sms.service import record_delivery
from centrale.clock import utcnow
from centrale.flows import flow
from centrale.uow import Tx


async def apply_to_notification(session: AsyncSession, delivery: SmsDelivery) -> Notification | None:
    """Carry a changed delivery state to the notification that sent it (matched by MessageSid)."""
    notification = (
        await session.exec(select(Notification).where(col(Notification.provider_id) == delivery.provider_id))
    ).first()
    if notification is None:
        return None
    now = utcnow()
    if delivery.status == "delivered" and notification.state == DeliveryState.INVIATA:
        notification.state, notification.updated_at = DeliveryState.CONSEGNATA, now
        session.add(notification)
        return notification
    if delivery.status not in FAILED_STATES or notification.state == DeliveryState.FALLITA:
        return notification
    # the alert's lock first, then the notification: the order acknowledging takes (no lock cycle)
    alert = (await session.exec(select(Alert).where(col(Alert.id) == notification.alert_id).with_for_update())).one()
    notification.state, notification.updated_at = DeliveryState.FALLITA, now
    notification.error = f"{delivery.status} {delivery.error_code or ''}".strip()
    session.add(notification)
    moved = await move_on(session, alert, notification, now)  # the next method at its time, else the next step now
    add_entry(
        session,
        alert,
        EntryKind.NOTIFICA,
        at=now,
        data={
            "sms_non_consegnato": notification.id,
            "stato": delivery.status,
            "errore": delivery.error_code,
            "passo_successivo": moved.get("passo_successivo"),
        }
        | ({"metodo_successivo": moved["metodo_successivo"]} if "metodo_successivo" in moved else {}),
    )
    alert_event(session, alert, "alert.delivery_failed", notification_id=notification.id)
    return notification


@flow("sms.status", guarded=False)  # Twilio's signature, checked by the webhook, is the authentication
async def record_delivery_status(
    tx: Tx, *, provider_id: str, status: str, to_number: str | None = None, error_code: str | None = None
) -> SmsDelivery:
    """Move a sent SMS's delivery state forward; a changed state reaches the notification that sent it."""
    change = await record_delivery(
        tx.session, provider_id=provider_id, status=status, to_number=to_number, error_code=error_code
    )
    if change.changed:
        await apply_to_notification(tx.session, change.delivery)
    return change.delivery
