"""Sending a notice to an operator's browsers, and pruning the subscriptions the push service calls gone.

Escalation and the task flows call ``push_to_operator``; the adapter that speaks to the push services
(``integrations/webpush``, or the console one) is registered by the app at start-up with
``register_sender``, as the SMS sender is handed to the jobs: ``alerts`` never imports the adapters.
A notice carries a code and a short word only; the details load when the page opens.
"""

from __future__ import annotations

import logging

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.push.flows import prune_subscriptions
from alerts.push.models import PushSubscription
from centrale.clock import utcnow
from centrale.db import Database
from centrale.ports import PushMessage, PushSender, PushSubscriptionInfo
from centrale.uow import Tx

log = logging.getLogger(__name__)

_senders: dict[int, PushSender] = {}
_default: list[PushSender] = []


def register_sender(sender: PushSender, database: Database | None = None) -> None:
    """Make ``sender`` the push adapter of ``database``'s app (of every app when no database is given)."""
    if database is None:
        _default[:] = [sender]
    else:
        _senders[id(database.engine)] = sender


def unregister_sender(database: Database) -> None:
    _senders.pop(id(database.engine), None)


def sender_for(engine: AsyncEngine) -> PushSender | None:
    """The adapter registered for this engine's app, else the default one (None: no push configured)."""
    return _senders.get(id(engine)) or (_default[0] if _default else None)


async def has_subscription(session: AsyncSession, operator_id: int) -> bool:
    """Whether some browser of the operator can receive a notice (the coverage check counts it as a way in)."""
    found = await session.exec(
        select(col(PushSubscription.id)).where(col(PushSubscription.operator_id) == operator_id).limit(1)
    )
    return found.first() is not None


async def push_to_operator(
    database: Database, operator_id: int, message: PushMessage, *, sender: PushSender | None = None
) -> bool:
    """Send ``message`` to each browser of the operator; True when at least one push service took it.

    A subscription the push service calls gone (404/410) is removed and the removal audited; any other
    failure leaves it for the next notice. Talks to the outside: call it after the commit."""
    sender = sender or sender_for(database.engine)
    if sender is None:
        return False
    async with database.sessionmaker() as session:
        rows = (
            await session.exec(select(PushSubscription).where(col(PushSubscription.operator_id) == operator_id))
        ).all()
    delivered: list[int] = []
    gone: list[int] = []
    for row in rows:
        assert row.id is not None
        info = PushSubscriptionInfo(endpoint=row.endpoint, p256dh=row.p256dh, auth=row.auth)
        try:
            result = await sender.send(info, message)
        except Exception:  # one browser's push service failing must not stop the others
            log.exception("push send failed")
            continue
        if result.delivered:
            delivered.append(row.id)
        elif result.gone:
            gone.append(row.id)
    if delivered:
        async with database.sessionmaker() as session:
            await session.exec(
                update(PushSubscription)  # type: ignore[call-overload]
                .where(col(PushSubscription.id).in_(delivered))
                .values(last_success_at=utcnow())
            )
            await session.commit()
    if gone:
        async with Tx.open(database) as tx:
            await prune_subscriptions(tx, subscription_ids=gone)
            await tx.commit()
    return bool(delivered)
