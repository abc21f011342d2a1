"""The quarantine of messages from unknown numbers: an operator attaches (to a sentinel, a person or a
building) or discards each one."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.models import OPEN_STATES, Alert
from alerts.service import close
from alerts.sms.models import InboundSms, InboundState
from alerts.sms.triage import UNKNOWN_KEY, Target, report_alert
from alerts.sms.words import signal_of
from centrale.clock import utcnow
from centrale.common import Conflict, NotFound
from centrale.condomini.models import AssistedPerson, Condominio, Sentinel
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
    condominio_id: int | None = None,
) -> InboundSms:
    """Treat a quarantined message as a report from a sentinel, about a person or about a building, and
    raise (or join) its alert; an alert the message raised as an unknown number's is then withdrawn."""
    message = await _held(session, message_id)
    unknown_alert = message.alert_id
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
    elif condominio_id is not None:
        building = await session.get(Condominio, condominio_id)
        if building is None or building.deleted_at is not None:
            raise NotFound("Condominio", condominio_id)
        target = Target(person_id=None, condominio_id=condominio_id)
        who = "numero non registrato"
    else:
        raise Invalid(
            "sentinel_id, person_id o condominio_id: indicarne almeno uno / give at least one", field="sentinel_id"
        )
    await report_alert(session, message, target=target, signal=signal_of(message.body), who=who)
    _reviewed(session, message, operator_id, InboundState.SMISTATO)
    if unknown_alert is not None and unknown_alert != message.alert_id:
        await _withdraw_unknown(session, alert_id=unknown_alert, moved_to=message.alert_id, operator_id=operator_id)
    return message


async def _withdraw_unknown(session: AsyncSession, *, alert_id: int, moved_to: int | None, operator_id: int) -> None:
    """The unknown number's alert, once none of its messages waits in quarantine, is cancelled: its
    reports now live on the alert of the person or building they were attached to."""
    alert = await session.get(Alert, alert_id)
    if alert is None or alert.state not in OPEN_STATES or not (alert.dedupe_key or "").startswith(UNKNOWN_KEY):
        return
    waiting = (
        select(func.count())
        .select_from(InboundSms)
        .where(col(InboundSms.alert_id) == alert_id, col(InboundSms.state) == InboundState.QUARANTENA)
    )
    if (await session.exec(waiting)).one():
        return
    note = f"Segnalazione attribuita: allerta #{moved_to}" if moved_to is not None else "Segnalazione attribuita"
    await close(session, alert_id=alert_id, by=operator_id, outcome=None, note=note, cancel=True)


async def discard(session: AsyncSession, *, message_id: int, operator_id: int) -> InboundSms:
    """Mark a quarantined message discarded (it stays stored)."""
    message = await _held(session, message_id)
    _reviewed(session, message, operator_id, InboundState.SCARTATO)
    return message
