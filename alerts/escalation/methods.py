"""When one way of reaching a person fails (a call unanswered, an SMS undelivered), the next one goes now.

The next method of the same person in the same step is brought forward to this instant; when that
person has none left, the escalation's next step is (``bring_next_step_forward``). The caller holds the
alert's row lock, so an acknowledgement either came first (nothing is pending any more) or waits.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.models import Alert, DeliveryState, Notification
from alerts.service import bring_next_step_forward


async def bring_next_method_forward(session: AsyncSession, notification: Notification, now: datetime) -> int | None:
    """The id of the same person's next waiting method of this step, now due; None if there is none."""
    query = (
        select(Notification)
        .where(
            col(Notification.alert_id) == notification.alert_id,
            col(Notification.escalation_round) == notification.escalation_round,
            col(Notification.step_index) == notification.step_index,
            col(Notification.recipient) == notification.recipient,
            col(Notification.state) == DeliveryState.IN_ATTESA,
            col(Notification.due_at) > now,
        )
        .order_by(col(Notification.due_at), col(Notification.id))
        .limit(1)
        .with_for_update()
    )
    following = (await session.exec(query)).first()
    if following is None:
        return None
    following.due_at = now
    following.updated_at = now
    session.add(following)
    return following.id


async def move_on(
    session: AsyncSession, alert: Alert | None, notification: Notification, now: datetime
) -> dict[str, Any]:
    """After a definite failure of ``notification``: what was brought forward, for the alert's timeline."""
    if alert is None or notification.step_index < 0:
        return {}
    following = await bring_next_method_forward(session, notification, now)
    if following is not None:
        return {"metodo_successivo": following}
    step = bring_next_step_forward(
        alert, escalation_round=notification.escalation_round, step_index=notification.step_index, now=now
    )
    if step:
        session.add(alert)
        return {"passo_successivo": "anticipato"}
    return {}
