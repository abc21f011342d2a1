"""The actions on push subscriptions: a browser subscribes or unsubscribes its operator; the system prunes.

A subscription's endpoint is a capability: whoever registers it receives the notices. Moving an endpoint
that belongs to another operator is refused (it would silence them), as is removing someone else's,
except for an administrator; each refusal is audited like any other.
"""

from __future__ import annotations

from sqlmodel import col, delete, select

from alerts.push.models import PushSubscription
from centrale.audit.models import AuditAction
from centrale.errors import NotFound
from centrale.flows import flow
from centrale.operators.models import Role
from centrale.uow import Tx

ENTITY = "PushSubscription"


async def _by_endpoint(tx: Tx, endpoint: str) -> PushSubscription | None:
    found = await tx.session.exec(select(PushSubscription).where(col(PushSubscription.endpoint) == endpoint))
    return found.first()


@flow("push.subscribe")
async def subscribe(
    tx: Tx, *, endpoint: str, p256dh: str, auth: str, user_agent: str | None = None
) -> PushSubscription:
    """The signed-in operator's browser agrees to receive their notices (the same endpoint again: new keys)."""
    actor = tx.require_actor()
    row = await _by_endpoint(tx, endpoint)
    if row is not None and row.operator_id != actor.operator_id:
        raise await tx.deny(
            AuditAction.CREATE,
            "push.subscribe",
            entity_type=ENTITY,
            entity_id=row.id,
            person_id=None,
            reason="endpoint registered to another operator",
            message="Questo browser riceve gli avvisi di un altro operatore / this browser receives another "
            "operator's notices",
        )
    if row is None:
        row = PushSubscription(operator_id=actor.operator_id, endpoint=endpoint, p256dh=p256dh, auth=auth)
    row.p256dh, row.auth, row.user_agent = p256dh, auth, (user_agent or None) and user_agent[:200]
    tx.session.add(row)
    await tx.session.flush()
    tx.audit(AuditAction.CREATE, "push.subscribe", entity_type=ENTITY, entity_id=row.id, person_id=None)
    tx.emit(kind="push.subscribed", entity_type=ENTITY, entity_id=row.id, recipient_operator_id=actor.operator_id)
    return row


@flow("push.unsubscribe")
async def unsubscribe(tx: Tx, *, endpoint: str | None = None, subscription_id: int | None = None) -> None:
    """A browser stops receiving notices: by its endpoint (the page's script) or by id (the operator's list)."""
    actor = tx.require_actor()
    if endpoint is not None:
        row = await _by_endpoint(tx, endpoint)
    else:
        row = await tx.session.get(PushSubscription, subscription_id) if subscription_id is not None else None
    if row is None:
        raise NotFound("Iscrizione agli avvisi", subscription_id if subscription_id is not None else "")
    if row.operator_id != actor.operator_id and actor.role != Role.AMMINISTRATORE:
        raise await tx.deny(
            AuditAction.DELETE,
            "push.unsubscribe",
            entity_type=ENTITY,
            entity_id=row.id,
            person_id=None,
            reason="subscription of another operator",
        )
    tx.audit(AuditAction.DELETE, "push.unsubscribe", entity_type=ENTITY, entity_id=row.id, person_id=None)
    tx.emit(kind="push.unsubscribed", entity_type=ENTITY, entity_id=row.id, recipient_operator_id=row.operator_id)
    await tx.session.delete(row)


@flow("push.prune", guarded=False)
async def prune_subscriptions(tx: Tx, *, subscription_ids: list[int]) -> int:
    """The push service said these browsers are gone (404/410): their rows go, one audit row each."""
    rows = (await tx.session.exec(select(PushSubscription).where(col(PushSubscription.id).in_(subscription_ids)))).all()
    for row in rows:
        tx.audit(
            AuditAction.DELETE,
            "push.prune",
            entity_type=ENTITY,
            entity_id=row.id,
            person_id=None,
            outcome_desc="gone at the push service",
        )
    if rows:
        await tx.session.exec(delete(PushSubscription).where(col(PushSubscription.id).in_([r.id for r in rows])))
    return len(rows)
