"""Changing how an operator is reached: by the operator themself, or by an administrator for anyone.

Nobody else may read or change them: a coordinator sees who is reachable through the coverage check,
not the numbers. Every change and every refusal is audited; a change emits ``contacts.changed``.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from centrale.audit.models import AuditAction, AuditPurpose
from centrale.auth.actor import Actor
from centrale.clock import utcnow
from centrale.errors import Conflict, NotFound
from centrale.flows import flow
from centrale.operators.contact_forms import ContactRulesUpdate, ContactsPublic, PhoneCreate, PhonePublic, RuleStep
from centrale.operators.contact_models import SEVERITIES, ContactSettings, OperatorPhone
from centrale.operators.contacts import has_push, phones, rule_for, settings_of
from centrale.operators.models import Operator, Role
from centrale.uow import Tx

EDITORS = frozenset({Role.AMMINISTRATORE})


async def _authorise(tx: Tx, operator_id: int, action: AuditAction, subtype: str) -> Operator:
    """The operator themself or an administrator; anyone else is refused (audited)."""
    actor: Actor = tx.require_actor()
    if actor.operator_id != operator_id and actor.role not in EDITORS:
        raise await tx.deny(
            action,
            subtype,
            entity_type="Operator",
            entity_id=operator_id,
            person_id=None,
            reason=f"role {actor.role} may not see or change another operator's contacts",
        )
    operator = await tx.session.get(Operator, operator_id)
    if operator is None or operator.deleted_at is not None:
        raise NotFound("Operatore", operator_id)
    return operator


def _audit(tx: Tx, action: AuditAction, subtype: str, operator_id: int) -> None:
    tx.audit(
        action, subtype, entity_type="Operator", entity_id=operator_id, person_id=None, purpose=AuditPurpose.HOPERAT
    )


def _emit(tx: Tx, operator_id: int) -> None:
    tx.emit(kind="contacts.changed", entity_type="Operator", entity_id=operator_id, recipient_operator_id=operator_id)


async def _public(tx: Tx, operator: Operator) -> ContactsPublic:
    assert operator.id is not None
    settings = await settings_of(tx.session, operator.id)
    return ContactsPublic(
        operator_id=operator.id,
        profile_phone=operator.phone,
        phones=[PhonePublic.model_validate(p, from_attributes=True) for p in await phones(tx.session, operator.id)],
        push=await has_push(tx.session, operator.id),
        quiet_start=settings.quiet_start,
        quiet_end=settings.quiet_end,
        rules={s: [RuleStep(method=m, delay_minutes=d) for m, d in rule_for(settings, s)] for s in SEVERITIES},
        own_rules=[s for s in SEVERITIES if settings.rules.get(s)],
    )


@flow("contacts.read")
async def read_contacts(tx: Tx, *, operator_id: int) -> ContactsPublic:
    """The operator's phones, devices, quiet hours and rules (their own, or any for an administrator)."""
    operator = await _authorise(tx, operator_id, AuditAction.READ, "contacts.read")
    _audit(tx, AuditAction.READ, "contacts.read", operator_id)
    return await _public(tx, operator)


@flow("contacts.update")
async def update_contacts(tx: Tx, *, operator_id: int, data: ContactRulesUpdate) -> ContactsPublic:
    """Set quiet hours and the rules by severity; the severities sent replace the old ones, and a
    severity sent with no methods goes back to the default."""
    operator = await _authorise(tx, operator_id, AuditAction.UPDATE, "contacts.update")
    settings = await tx.session.get(ContactSettings, operator_id) or ContactSettings(operator_id=operator_id)
    settings.quiet_start, settings.quiet_end = data.quiet_start, data.quiet_end
    rules = dict(settings.rules)
    for severity, steps in data.rules.items():
        if steps:
            rules[severity] = [step.model_dump(mode="json") for step in steps]
        else:
            rules.pop(severity, None)
    settings.rules = rules  # a new dict: the JSON column sees the change
    settings.updated_at = utcnow()
    tx.session.add(settings)
    await tx.session.flush()
    _audit(tx, AuditAction.UPDATE, "contacts.update", operator_id)
    _emit(tx, operator_id)
    return await _public(tx, operator)


@flow("contacts.add_phone")
async def add_phone(tx: Tx, *, operator_id: int, data: PhoneCreate) -> OperatorPhone:
    """One more phone (409 if the operator has it already, or it is the profile's mobile)."""
    operator = await _authorise(tx, operator_id, AuditAction.CREATE, "contacts.add_phone")
    taken = Conflict(f"Numero: {data.number} è già tra i recapiti / number: already among the contacts")
    if operator.phone == data.number:
        raise taken
    phone = OperatorPhone(operator_id=operator_id, **data.model_dump())
    tx.session.add(phone)
    try:
        async with tx.session.begin_nested():
            await tx.session.flush()
    except IntegrityError:
        raise taken from None
    _audit(tx, AuditAction.CREATE, "contacts.add_phone", operator_id)
    _emit(tx, operator_id)
    return phone


@flow("contacts.remove_phone")
async def remove_phone(tx: Tx, *, operator_id: int, phone_id: int) -> None:
    """Remove one of the extra phones (the profile's mobile is changed on the profile)."""
    await _authorise(tx, operator_id, AuditAction.DELETE, "contacts.remove_phone")
    phone = (
        await tx.session.exec(
            select(OperatorPhone).where(
                col(OperatorPhone.id) == phone_id, col(OperatorPhone.operator_id) == operator_id
            )
        )
    ).first()
    if phone is None:
        raise NotFound("Numero", phone_id)
    await tx.session.delete(phone)
    _audit(tx, AuditAction.DELETE, "contacts.remove_phone", operator_id)
    _emit(tx, operator_id)
