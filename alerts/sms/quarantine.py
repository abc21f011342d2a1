"""The quarantine of messages from unknown numbers: an operator assigns or discards each one."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.sms.models import InboundSms, InboundState
from alerts.sms.triage import Target, report_alert
from alerts.sms.words import signal_of
from centrale.clock import utcnow
from centrale.common import Conflict, NotFound
from centrale.condomini.models import AssistedPerson, Sentinel
from centrale.errors import Invalid
from centrale.events.service import emit


async def quarantined(session: AsyncSession, *, offset: int, limit: int) -> tuple[Sequence[InboundSms], int]:
    where = col(InboundSms.state) == InboundState.QUARANTENA
    total = (await session.exec(select(func.count()).select_from(InboundSms).where(where))).one()
    rows = await session.exec(select(InboundSms).where(where).order_by(col(InboundSms.id)).offset(offset).limit(limit))
    return rows.all(), total


async def _held(session: AsyncSession, message_id: int) -> InboundSms:
    message = (await session.exec(select(InboundSms).where(col(InboundSms.id) == message_id).with_for_update())).first()
    if message is None:
        raise NotFound("Messaggio", message_id)
    if message.state != InboundState.QUARANTENA:
        raise Conflict(f"Il messaggio non è in quarantena ({message.state}) / not in quarantine")
    return message


def _reviewed(session: AsyncSession, message: InboundSms, operator_id: int, state: InboundState) -> None:
    message.state = state
    message.reviewed_by = operator_id
    message.reviewed_at = utcnow()
    session.add(message)
    emit(
        session,
        kind="sms.reviewed",
        entity_type="InboundSms",
        entity_id=message.id,
        payload={"state": state.value},
    )


async def assign(
    session: AsyncSession,
    *,
    message_id: int,
    operator_id: int,
    sentinel_id: int | None,
    person_id: int | None,
) -> InboundSms:
    """Treat a quarantined message as a report from a sentinel, or about a person, and raise its alert."""
    message = await _held(session, message_id)
    if sentinel_id is not None:
        sentinel = await session.get(Sentinel, sentinel_id)
        if sentinel is None or sentinel.deleted_at is not None:
            raise NotFound("Sentinella", sentinel_id)
        message.sentinel_id = sentinel_id
        target = Target(person_id=person_id, condominio_id=sentinel.condominio_id)
        who = f"sentinella {sentinel.name}"
    elif person_id is not None:
        link = (
            await session.exec(
                select(AssistedPerson).where(
                    col(AssistedPerson.person_id) == person_id, col(AssistedPerson.active).is_(True)
                )
            )
        ).first()
        if link is None:
            raise Conflict("person_id: la persona non è seguita in un condominio / not in a condominio")
        target = Target(person_id=person_id, condominio_id=link.condominio_id)
        who = "numero non registrato"
    else:
        raise Invalid("sentinel_id o person_id: indicarne almeno uno / give at least one", field="sentinel_id")
    await report_alert(session, message, target=target, signal=signal_of(message.body), who=who)
    _reviewed(session, message, operator_id, InboundState.SMISTATO)
    return message


async def discard(session: AsyncSession, *, message_id: int, operator_id: int) -> InboundSms:
    """Mark a quarantined message discarded (it stays stored)."""
    message = await _held(session, message_id)
    _reviewed(session, message, operator_id, InboundState.SCARTATO)
    return message
