"""Operators' SMS actions: review the quarantine of unknown senders (attach, register the sender as a
sentinel, discard), opt a number out by hand."""

from __future__ import annotations

from alerts.sms import quarantine
from alerts.sms.models import InboundSms, SmsOptOut
from alerts.sms.service import set_opt_out
from alerts.sms.triage import reporter_by_phone, target_of
from centrale.audit.models import AuditAction
from centrale.auth.actor import Actor
from centrale.authz.guard import check_person
from centrale.authz.policy import PersonAction
from centrale.condomini.models import Sentinel, SentinelCreate
from centrale.condomini.service import create_sentinel
from centrale.errors import Invalid, NotFound
from centrale.flows import flow
from centrale.operators.models import Role
from centrale.uow import Tx

#: who reviews the quarantine and records opt-outs by hand: the Centrale, the PUA, the administrators
REVIEWERS = frozenset({Role.COORDINATORE, Role.OPERATORE_PUA, Role.AMMINISTRATORE})
#: who may register a quarantined sender as a sentinel (those who manage the condomini)
SENTINEL_MANAGERS = frozenset({Role.COORDINATORE, Role.AMMINISTRATORE})


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
async def assign_quarantined(
    tx: Tx, *, message_id: int, sentinel_id: int | None, person_id: int | None, condominio_id: int | None = None
) -> InboundSms:
    """Treat a quarantined message as a sentinel's report, or one about a person the actor may act for, or
    about a building: the alert is raised or joined (from the board, "Attribuisci")."""
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
        condominio_id=condominio_id,
    )
    tx.audit(
        AuditAction.UPDATE,
        "sms.quarantine_assign",
        entity_type="InboundSms",
        entity_id=message_id,
        person_id=message.person_id,
    )
    return message


@flow("sms.quarantine_register")
async def register_sender(
    tx: Tx, *, message_id: int, condominio_id: int, name: str, consent_sms: bool = False
) -> tuple[Sentinel, InboundSms]:
    """Register a quarantined message's sender as a sentinel of a building, then treat the message as
    their report (whom it names, by the rule of triage; the alert raised or joined)."""
    actor = await _require_reviewer(tx, "sms.quarantine_register", entity_type="InboundSms", entity_id=message_id)
    if actor.role not in SENTINEL_MANAGERS:  # registering a sentinel is the condomini's managers' act
        raise await tx.deny(
            AuditAction.CREATE,
            "sms.quarantine_register",
            entity_type="InboundSms",
            entity_id=message_id,
            person_id=None,
            reason=f"role {actor.role} does not register sentinels",
        )
    held = await tx.session.get(InboundSms, message_id)
    if held is None:
        raise NotFound("Messaggio", message_id)
    if held.sender_phone is None:
        raise Invalid("Il mittente non ha un numero valido / the sender has no valid number", field="message_id")
    data = SentinelCreate(name=name, condominio_id=condominio_id, phone=held.sender_phone, consent_sms=consent_sms)
    sentinel = await create_sentinel(tx.session, data=data)
    reporter = await reporter_by_phone(tx.session, held.sender_phone)
    assert reporter is not None and sentinel.id is not None
    target = await target_of(tx.session, reporter, held)
    message = await quarantine.assign(
        tx.session,
        message_id=message_id,
        operator_id=actor.operator_id,
        sentinel_id=sentinel.id,
        person_id=target.person_id,
    )
    tx.audit(
        AuditAction.CREATE, "sms.quarantine_register", entity_type="Sentinel", entity_id=sentinel.id, person_id=None
    )
    tx.audit(
        AuditAction.UPDATE,
        "sms.quarantine_assign",
        entity_type="InboundSms",
        entity_id=message_id,
        person_id=message.person_id,
    )
    return sentinel, message


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
