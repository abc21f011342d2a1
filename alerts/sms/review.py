"""Operators' SMS actions: review the quarantine of unknown senders (assign, discard), opt a number out by hand."""

from __future__ import annotations

from alerts.sms import quarantine
from alerts.sms.models import InboundSms, SmsOptOut
from alerts.sms.service import set_opt_out
from centrale.audit.models import AuditAction
from centrale.auth.actor import Actor
from centrale.authz.guard import check_person
from centrale.authz.policy import PersonAction
from centrale.flows import flow
from centrale.operators.models import Role
from centrale.uow import Tx

#: who reviews the quarantine and records opt-outs by hand: the Centrale, the PUA, the administrators
REVIEWERS = frozenset({Role.COORDINATORE, Role.OPERATORE_PUA, Role.AMMINISTRATORE})


async def _require_reviewer(tx: Tx, subtype: str, *, entity_type: str, entity_id: object) -> Actor:
    """The actor, if their role reviews SMS; otherwise the refusal, audited."""
    actor = tx.require_actor()
    if actor.role not in REVIEWERS:
        raise await tx.deny(
            AuditAction.UPDATE,
            subtype,
            entity_type=entity_type,
            entity_id=entity_id,
            person_id=None,
            reason=f"role {actor.role} does not review SMS",
        )
    return actor


@flow("sms.quarantine_assign")
async def assign_quarantined(tx: Tx, *, message_id: int, sentinel_id: int | None, person_id: int | None) -> InboundSms:
    """Treat a quarantined message as a sentinel's report or one about a person the actor may act for."""
    actor = await _require_reviewer(tx, "sms.quarantine_assign", entity_type="InboundSms", entity_id=message_id)
    if person_id is not None:
        # the message becomes an alert on this person's file: only someone who may write it decides that
        await check_person(tx.session, tx.db, actor, person_id, PersonAction.WRITE, "sms.quarantine_assign")
    message = await quarantine.assign(
        tx.session,
        message_id=message_id,
        operator_id=actor.operator_id,
        sentinel_id=sentinel_id,
        person_id=person_id,
    )
    tx.audit(
        AuditAction.UPDATE,
        "sms.quarantine_assign",
        entity_type="InboundSms",
        entity_id=message_id,
        person_id=message.person_id,
    )
    return message


@flow("sms.quarantine_discard")
async def discard_quarantined(tx: Tx, *, message_id: int) -> InboundSms:
    """Drop a quarantined message (spam, a wrong number): it stays stored, marked discarded."""
    actor = await _require_reviewer(tx, "sms.quarantine_discard", entity_type="InboundSms", entity_id=message_id)
    message = await quarantine.discard(tx.session, message_id=message_id, operator_id=actor.operator_id)
    tx.audit(
        AuditAction.UPDATE, "sms.quarantine_discard", entity_type="InboundSms", entity_id=message_id, person_id=None
    )
    return message


@flow("sms.opt_out")
async def record_opt_out(tx: Tx, *, phone: str, opted_out: bool) -> SmsOptOut:
    """Record by hand that a number asked not to receive SMS (or asked again to receive them)."""
    # the audit log names the number by its last digits only: it is a contact, not a case
    await _require_reviewer(tx, "sms.opt_out", entity_type="Phone", entity_id=phone[-4:])
    row = await set_opt_out(tx.session, phone=phone, opted_out=opted_out, word="OPERATORE")
    tx.audit(AuditAction.UPDATE, "sms.opt_out", entity_type="Phone", entity_id=phone[-4:], person_id=None)
    return row
