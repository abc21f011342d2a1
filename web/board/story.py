"""What a board card tells beyond the alert's row: the reports' words and the escalation's story.

Both are loaded for a whole page of cards (or a batch of events) at once: one statement for the
reports of every alert (the newest few each, and how many in all), one for the notifications of every
alert's current round. Codes stay codes here (roles, channels, delivery states): the page words them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.escalation.service import step_at
from alerts.models import Alert, AlertState, Notification
from alerts.raising import GroupingRules
from alerts.sms.models import InboundSms, InboundState
from centrale.condomini.models import Sentinel
from centrale.operators.models import Operator

#: reports a card carries (newest first); the rest come from the alert's detail ("Mostra tutte")
CARD_REPORTS = 3
#: the messages that are reports on an alert (an operator's "OK <n>" also names the alert, but says nothing)
REPORT_STATES = (InboundState.SMISTATO, InboundState.QUARANTENA)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _report(row: Sequence[Any]) -> dict[str, Any]:
    _alert_id, sms_id, received_at, body, sender_phone, sentinel_name, sentinel_phone, *_ = row
    return {
        "sms_id": sms_id,
        "at": _iso(received_at),
        "text": body,
        "sender": sentinel_name,  # None: a number no one registered
        "phone": sentinel_phone or sender_phone,
    }


async def reports_of(
    session: AsyncSession, alert_ids: Iterable[int], *, limit: int | None = CARD_REPORTS
) -> dict[int, tuple[list[dict[str, Any]], int]]:
    """For each alert, its reports newest first (at most ``limit``) and how many there are in all."""
    ids = sorted(set(alert_ids))
    if not ids:
        return {}
    newest = func.row_number().over(partition_by=col(InboundSms.alert_id), order_by=col(InboundSms.id).desc())
    total = func.count().over(partition_by=col(InboundSms.alert_id))
    ranked = (
        select(
            col(InboundSms.alert_id),
            col(InboundSms.id),
            col(InboundSms.received_at),
            col(InboundSms.body),
            col(InboundSms.sender_phone),
            col(Sentinel.name),
            col(Sentinel.phone),
            newest.label("n"),
            total.label("total"),
        )
        .outerjoin(Sentinel, col(Sentinel.id) == col(InboundSms.sentinel_id))
        .where(col(InboundSms.alert_id).in_(ids), col(InboundSms.state).in_(REPORT_STATES))
        .subquery()
    )
    query = select(ranked).order_by(ranked.c.alert_id, ranked.c.n)
    if limit is not None:
        query = query.where(ranked.c.n <= limit)
    rows = (await (await session.connection()).execute(query)).all()
    found: dict[int, tuple[list[dict[str, Any]], int]] = {}
    for row in rows:
        reports, _ = found.get(row[0], ([], 0))
        reports.append(_report(row))
        found[row[0]] = (reports, int(row[-1]))
    return found


async def building_reports_of(
    session: AsyncSession, buildings: dict[int, tuple[int, datetime]], *, limit: int | None = CARD_REPORTS
) -> dict[int, tuple[list[dict[str, Any]], int]]:
    """For building-level alerts (alert id -> (condominio, opened at)): the reports from their building
    since the window that opened them began, newest first (at most ``limit``) and how many (one statement
    for them all)."""
    if not buildings:
        return {}
    window = GroupingRules.from_settings().building_window
    since = min(opened_at for _, opened_at in buildings.values()) - window
    query = (
        select(
            col(Alert.condominio_id),
            col(InboundSms.id),
            col(InboundSms.received_at),
            col(InboundSms.body),
            col(InboundSms.sender_phone),
            col(Sentinel.name),
            col(Sentinel.phone),
        )
        # a building's reports are those of its people's alerts (found through the alerts' indexes)
        .join(Alert, col(Alert.id) == col(InboundSms.alert_id))
        .outerjoin(Sentinel, col(Sentinel.id) == col(InboundSms.sentinel_id))
        .where(
            col(Alert.condominio_id).in_({condominio for condominio, _ in buildings.values()}),
            col(Alert.building_level).is_(False),
            col(Alert.last_report_at) >= since,
            col(InboundSms.state).in_(REPORT_STATES),
            col(InboundSms.received_at) >= since,
        )
        .order_by(col(InboundSms.id).desc())
    )
    rows = (await (await session.connection()).execute(query)).all()
    found: dict[int, tuple[list[dict[str, Any]], int]] = {}
    for alert_id, (condominio_id, opened_at) in buildings.items():
        mine = [row for row in rows if row[0] == condominio_id and row[2] >= opened_at - window]
        shown = mine if limit is None else mine[:limit]
        found[alert_id] = ([_report(row) for row in shown], len(mine))
    return found


def _next_step(
    card: dict[str, Any], snapshot: dict[str, Any], index: int, at: datetime | None
) -> dict[str, Any] | None:
    """The step the escalation waits for, while it waits (only a new alert escalates)."""
    if card["state"] != AlertState.NUOVA or at is None:
        return None
    step = step_at(snapshot, index)
    if step is None:
        return None
    return {"index": index, "role": step.role, "channels": list(step.channels), "at": _iso(at)}


async def stories_of(
    session: AsyncSession,
    escalation: dict[int, tuple[int, int, datetime | None, dict[str, Any]]],
    cards: dict[int, dict[str, Any]],
) -> None:
    """Put on each card its escalation story: who was notified at which step of the current round, on
    which channel, with what outcome; and the next step with its time. ``escalation``: per alert,
    (round, next step index, next step time, policy snapshot)."""
    # an alert whose current round has run no step yet has nothing to tell (most new alerts): not read
    ran = [alert_id for alert_id, (_round, index, *_rest) in escalation.items() if index > 0]
    query = (
        select(
            col(Notification.alert_id),
            col(Notification.step_index),
            col(Notification.role),
            col(Notification.channel),
            col(Notification.state),
            col(Notification.recipient_operator_id),
            col(Operator.full_name),
            col(Notification.sent_at),
            col(Notification.created_at),
        )
        .outerjoin(Operator, col(Operator.id) == col(Notification.recipient_operator_id))
        .where(col(Notification.alert_id).in_(ran), col(Notification.step_index) >= 0)
        .order_by(col(Notification.alert_id), col(Notification.step_index), col(Notification.id))
    )
    current = {alert_id: round_ for alert_id, (round_, *_rest) in escalation.items()}
    steps: dict[int, dict[int, dict[str, Any]]] = defaultdict(dict)
    rows: Sequence[Any] = []
    if ran:
        rows = (await (await session.connection()).execute(query.add_columns(col(Notification.escalation_round)))).all()
    for alert_id, index, role, channel, state, operator_id, name, sent_at, created_at, round_ in rows:
        if round_ != current[alert_id]:
            continue
        step = steps[alert_id].setdefault(index, {"index": index, "role": role, "at": _iso(created_at), "to": []})
        step["to"].append(
            {"operator_id": operator_id, "name": name, "channel": channel, "state": state, "sent_at": _iso(sent_at)}
        )
    for alert_id, (round_, index, at, snapshot) in escalation.items():
        card = cards.get(alert_id)
        if card is None:
            continue
        card["story"] = {
            "round": round_,
            "policy": snapshot.get("name"),
            "steps": list(steps[alert_id].values()),
            "next": _next_step(card, snapshot, index, at),
        }
