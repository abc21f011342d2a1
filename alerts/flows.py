"""Alert actions of an operator: acknowledge, take (acknowledge and hold), assign, comment, resolve, cancel.

Each flow authorises on the alert with ``alerts.access`` (the rule the board and the lists use),
records a refusal as an audited denial, changes the alert through ``alerts.service`` (which writes the
timeline and the outbox events the board follows) and audits the change. The API routes and the SMS
"OK <n>" command call these, so they refuse and record alike.
"""

from __future__ import annotations

from functools import partial

from sqlmodel import col, select

from alerts import service
from alerts.access import may_acknowledge, may_handle, sees
from alerts.models import Alert, AlertEntry, AlertOutcome, AlertState
from alerts.sms.feedback import record_ack_feedback, send_feedback_sms
from centrale.audit.models import AuditAction
from centrale.auth.actor import Actor, actor_of
from centrale.errors import Invalid, NotFound
from centrale.flows import flow
from centrale.ports import SmsSender
from centrale.uow import Tx


async def _authorise(tx: Tx, alert_id: int, action: str) -> tuple[Actor, int | None]:
    """The actor and the alert's person, if they may ``action`` it: NotFound if missing, an audited refusal
    if not theirs."""
    actor = tx.require_actor()
    found = (
        await tx.session.exec(
            select(col(Alert.id), col(Alert.person_id), col(Alert.state)).where(col(Alert.id) == alert_id)
        )
    ).first()
    if found is None:
        raise NotFound("Allerta", alert_id)
    person_id: int | None = found[1]
    stops_escalation = action == "acknowledge" or (action == "take" and found[2] == AlertState.NUOVA)
    if stops_escalation:  # narrower: it stops the escalation (alerts.access)
        allowed = await may_acknowledge(tx.session, actor, alert_id)
    else:
        allowed = may_handle(actor) and await sees(tx.session, actor, alert_id)
    if not allowed:
        raise await tx.deny(
            AuditAction.UPDATE,
            f"alert.{action}",
            entity_type="Alert",
            entity_id=alert_id,
            person_id=person_id,
            reason=f"role {actor.role} may not {action} this alert",
        )
    return actor, person_id


def _audit(tx: Tx, alert: Alert, action: str) -> None:
    tx.audit(AuditAction.UPDATE, f"alert.{action}", entity_type="Alert", entity_id=alert.id, person_id=alert.person_id)


@flow("alert.acknowledge")
async def acknowledge_alert(tx: Tx, *, alert_id: int, sender: SmsSender | None = None) -> Alert:
    """Presa visione: every pending notification stops at once; the reporting sentinels are told.

    With ``sender`` the sentinels' SMS go out after commit; without it (an SMS command, in the inbound
    message's transaction) the escalation tick sends them."""
    actor, _ = await _authorise(tx, alert_id, "acknowledge")
    alert = await service.acknowledge(tx.session, alert_id=alert_id, operator_id=actor.operator_id)
    feedback = await record_ack_feedback(tx.session, alert=alert, operator_id=actor.operator_id)
    _audit(tx, alert, "acknowledge")
    if feedback and sender is not None:  # never inside the transaction
        tx.after_commit(partial(send_feedback_sms, tx.db, sender=sender))
    return alert


@flow("alert.assign")
async def assign_alert(tx: Tx, *, alert_id: int, assignee_id: int | None = None) -> Alert:
    """Assign the alert to an operator who handles alerts and may see it; no assignee: the actor takes it."""
    actor, _ = await _authorise(tx, alert_id, "assign")
    assignee = actor if assignee_id is None else await actor_of(tx.session, assignee_id)
    if assignee is None or not may_handle(assignee) or not await sees(tx.session, assignee, alert_id):
        raise Invalid(
            "assignee_id: operatore inesistente o senza accesso a questa allerta / "
            "no such operator, or they may not handle this alert",
            field="assignee_id",
        )
    alert = await service.assign(tx.session, alert_id=alert_id, assignee_id=assignee.operator_id, by=actor.operator_id)
    _audit(tx, alert, "assign")
    return alert


@flow("alert.take")
async def take_alert(tx: Tx, *, alert_id: int, sender: SmsSender | None = None) -> Alert:
    """Prendi in carico: the actor acknowledges the alert (if nobody has: the escalation stops, the
    reporting sentinels are told) and becomes its holder, in one transaction."""
    actor, _ = await _authorise(tx, alert_id, "take")
    alert = await service.get_alert(tx.session, alert_id=alert_id, lock=True)  # no step runs meanwhile
    if alert.state == AlertState.NUOVA:
        alert = await service.acknowledge(tx.session, alert_id=alert_id, operator_id=actor.operator_id)
        feedback = await record_ack_feedback(tx.session, alert=alert, operator_id=actor.operator_id)
        if feedback and sender is not None:  # never inside the transaction
            tx.after_commit(partial(send_feedback_sms, tx.db, sender=sender))
    alert = await service.assign(tx.session, alert_id=alert_id, assignee_id=actor.operator_id, by=actor.operator_id)
    _audit(tx, alert, "take")
    return alert


@flow("alert.comment")
async def comment_alert(tx: Tx, *, alert_id: int, text: str) -> AlertEntry:
    """Add a comment to the alert's timeline (in any state)."""
    actor, person_id = await _authorise(tx, alert_id, "comment")
    entry = await service.comment(tx.session, alert_id=alert_id, text=text, by=actor.operator_id)
    tx.audit(AuditAction.UPDATE, "alert.comment", entity_type="Alert", entity_id=alert_id, person_id=person_id)
    return entry


@flow("alert.resolve")
async def resolve_alert(tx: Tx, *, alert_id: int, outcome: AlertOutcome, note: str | None = None) -> Alert:
    """Close the alert with an outcome: the escalation and its pending notifications stop."""
    actor, _ = await _authorise(tx, alert_id, "resolve")
    alert = await service.close(tx.session, alert_id=alert_id, by=actor.operator_id, outcome=outcome, note=note)
    _audit(tx, alert, "resolve")
    return alert


@flow("alert.cancel")
async def cancel_alert(tx: Tx, *, alert_id: int, note: str | None = None) -> Alert:
    """Cancel an alert opened by mistake: the escalation and its pending notifications stop."""
    actor, _ = await _authorise(tx, alert_id, "cancel")
    alert = await service.close(
        tx.session, alert_id=alert_id, by=actor.operator_id, outcome=None, note=note, cancel=True
    )
    _audit(tx, alert, "cancel")
    return alert
