"""Feedback to the sentinel: "la segnalazione è stata presa in carico" when their alert is acknowledged.

``record_ack_feedback`` runs in the acknowledging transaction and records one SMS notification per
sentinel who reported into the alert, under a key that does not depend on the escalation round, so
a sentinel hears it once per alert even if the alert is re-triggered and acknowledged again.
``send_feedback_sms`` sends what is recorded, after commit (the router calls it at once; the engine
tick catches up on acknowledgements that came by SMS or whose process died before sending).
"""

from __future__ import annotations

import logging
from collections import Counter

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.models import Alert, AlertSource, Channel, DeliveryState, Notification
from alerts.sms.models import InboundSms
from alerts.sms.service import is_opted_out
from alerts.sms.templates import Template, render
from centrale.clock import utcnow
from centrale.condomini.models import Sentinel
from centrale.db import Database
from centrale.events.service import commit
from centrale.flows import flow
from centrale.operators.models import Operator, Role
from centrale.ports import OutgoingSms, SmsSender

log = logging.getLogger(__name__)

FEEDBACK_STEP = -1  # step index of the reporter's feedback (escalation steps count from 0)
FEEDBACK_ROUND = 0  # the same in every round: once per alert and sentinel
FEEDBACK_ROLE = "SENTINELLA"

#: how the sentinel hears who took the report (short Italian words with their preposition, no names)
ROLE_WORDS: dict[Role, str] = {
    Role.COORDINATORE: "dalla Centrale",
    Role.CASE_MANAGER: "dall'assistente sociale",
    Role.OPERATORE_PUA: "dal PUA della ASL",
    Role.MMG: "dal medico di famiglia",
    Role.TUTOR: "dal tutor",
    Role.OPERATORE_ETS: "da un operatore",
    Role.ANALISTA: "dalla Centrale",
    Role.AMMINISTRATORE: "dalla Centrale",
}


async def record_ack_feedback(session: AsyncSession, *, alert: Alert, operator_id: int | None) -> int:
    """In the acknowledging transaction: one feedback SMS per reporting sentinel; returns how many."""
    if alert.source != AlertSource.SEGNALAZIONE_SENTINELLA or alert.id is None:
        return 0
    operator = None if operator_id is None else await session.get(Operator, operator_id)
    role = ROLE_WORDS[operator.role] if operator is not None else "dalla Centrale"
    rows = await session.exec(
        select(Sentinel, InboundSms.receipt_code)  # type: ignore[call-overload]
        .join(InboundSms, col(InboundSms.sentinel_id) == col(Sentinel.id))
        .where(col(InboundSms.alert_id) == alert.id)
        .order_by(col(InboundSms.id))
    )
    codes: dict[int, tuple[Sentinel, str]] = {}
    for sentinel, code in rows.all():
        codes.setdefault(int(sentinel.id or 0), (sentinel, code))  # the code of their first report
    done = set(
        (
            await session.exec(
                select(col(Notification.recipient)).where(
                    col(Notification.alert_id) == alert.id, col(Notification.step_index) == FEEDBACK_STEP
                )
            )
        ).all()
    )
    added = 0
    for sentinel_id, (sentinel, code) in codes.items():
        recipient = f"sentinel:{sentinel_id}"
        if recipient in done or sentinel.opted_out or not sentinel.consent_sms:
            continue
        session.add(
            Notification(
                alert_id=alert.id,
                escalation_round=FEEDBACK_ROUND,
                step_index=FEEDBACK_STEP,
                recipient=recipient,
                channel=Channel.SMS,
                role=FEEDBACK_ROLE,
                to_phone=sentinel.phone,
                body=render(Template.PRESA_IN_CARICO, code=code, role=role),
            )
        )
        added += 1
    return added


async def _claim(database: Database, batch: int) -> list[Notification]:
    async with database.sessionmaker() as session:
        claimed = list(
            (
                await session.exec(
                    select(Notification)
                    .where(
                        col(Notification.step_index) == FEEDBACK_STEP,
                        col(Notification.state) == DeliveryState.IN_ATTESA,
                    )
                    .order_by(col(Notification.id))
                    .limit(batch)
                    .with_for_update(skip_locked=True)
                )
            ).all()
        )
        now = utcnow()
        for notification in claimed:
            notification.state, notification.sent_at, notification.updated_at = DeliveryState.IN_INVIO, now, now
            notification.attempts += 1
            session.add(notification)
        await commit(session)
        return claimed


@flow("sms.feedback", guarded=False)
async def send_feedback_sms(database: Database, *, sender: SmsSender, batch: int = 50) -> dict[str, int]:
    """Send the recorded feedback SMS (each claimed once: at most once on the wire)."""
    counts: Counter[str] = Counter()
    for notification in await _claim(database, batch):
        assert notification.to_phone is not None
        async with database.sessionmaker() as session:
            blocked = await is_opted_out(session, phone=notification.to_phone)
        error: str | None = "opt-out" if blocked else None
        provider_id = None
        if not blocked:
            try:
                result = await sender.send(
                    OutgoingSms(to=notification.to_phone, body=notification.body, key=notification.key)
                )
                provider_id, error = result.provider_id, result.error
            except Exception as exc:  # feedback is a courtesy: recorded as failed, never retried blindly
                error = type(exc).__name__
                log.warning("SMS di riscontro non inviato (notifica %s): %s", notification.id, error)
        state = DeliveryState.FALLITA if error else DeliveryState.INVIATA
        async with database.sessionmaker() as session:
            await session.exec(
                update(Notification)
                .where(col(Notification.id) == notification.id)  # type: ignore[call-overload]
                .values(state=state, provider_id=provider_id, error=error, updated_at=utcnow())
            )
            await commit(session)
        counts[state.lower()] += 1
    return dict(counts)
