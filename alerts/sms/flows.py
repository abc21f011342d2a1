"""An inbound SMS from storage to reply: store once, opt words, then triage; the reply is kept for retries."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.sms.models import InboundSms, InboundState
from alerts.sms.service import Stored, save_triage, save_triages, set_opt_out, store_inbound, store_many
from alerts.sms.templates import Template, render
from alerts.sms.triage import triage
from alerts.sms.words import opt_word
from centrale.events.service import commit, emit

log = logging.getLogger(__name__)

REQUIRED_PARAMS = ("MessageSid", "From", "Body")


def missing_params(params: dict[str, str]) -> list[str]:
    """The parameters every inbound SMS webhook carries that this request lacks."""
    return [name for name in REQUIRED_PARAMS if name not in params or (name != "Body" and not params[name])]


async def receive_sms(
    session: AsyncSession,
    *,
    params: dict[str, str],
    raw: dict[str, Any] | None = None,
    source: str = "webhook",
) -> InboundSms:
    """Store the message once and work out the reply; a duplicate gets the first answer again."""
    stored = await store_inbound(session, params=params, raw=raw, source=source)
    if stored.created:
        await _triage(session, stored)
        # written before the commit takes the event counter: its foreign keys wait for other transactions'
        # locks (a report's building lock) without holding the counter (tests/alerts/sms/test_lock_order.py)
        await save_triage(session, stored.message)
    return stored.message


async def receive_many(
    session: AsyncSession, items: Sequence[tuple[dict[str, str], dict[str, Any] | None, str]]
) -> list[InboundSms]:
    """``receive_sms`` for several messages (``(params, raw, source)`` each) in one transaction, in order.

    They are stored by one pipelined statement; the outcome of a message that joined no alert is written
    with the others' at the end (a later message of the batch reads only the outcomes that name an alert:
    the sentinel's thread), the rest at once, as one by one."""
    messages: list[InboundSms] = []
    later: list[InboundSms] = []
    for (params, raw, source), stored in zip(items, await store_many(session, items), strict=True):
        if stored is None:  # stored alone: a twin reads its first's reply, so every outcome is written first
            await save_triages(session, later)
            later = []
            stored = await store_inbound(session, params=params, raw=raw, source=source)
        if stored.created:
            await _triage(session, stored)
            if stored.message.alert_id is None:
                later.append(stored.message)
            else:
                await save_triage(session, stored.message)
        messages.append(stored.message)
    await save_triages(session, later)
    return messages


async def _triage(session: AsyncSession, stored: Stored) -> None:
    """Opt words, else triage: the message's outcome and reply set on it (written by the caller)."""
    message = stored.message
    wants_out = opt_word(message.body)
    if wants_out is not None and message.sender_phone is not None:
        await set_opt_out(session, phone=message.sender_phone, opted_out=wants_out, word=message.body.strip())
        message.state = InboundState.OPT
        message.reply = render(Template.OPT_OUT if wants_out else Template.OPT_IN)
    else:
        message.reply = await triage(session, message, stored.sender)


async def receive_and_commit(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    params: dict[str, str],
    raw: dict[str, Any] | None = None,
    source: str = "webhook",
) -> InboundSms:
    """``receive_sms`` and commit. If triage fails for any reason but the database, the message is still
    kept, in quarantine for an operator, and answered with its receipt: a fault never loses a report."""
    async with sessionmaker() as session:
        try:
            message = await receive_sms(session, params=params, raw=raw, source=source)
            await commit(session)
            return message
        except (SQLAlchemyError, OSError):
            raise  # the database is down or refused: the webhook answers 5xx and Twilio retries
        except Exception:
            log.exception("inbound SMS triage failed; the message is kept in quarantine")
            await session.rollback()
    async with sessionmaker() as session:
        stored = await store_inbound(session, params=params, raw=raw, source=source)
        message = stored.message
        if stored.created:
            message.state = InboundState.QUARANTENA
            message.reply = render(Template.RICEVUTA, code=message.receipt_code)
            await save_triage(session, message)
            emit(session, kind="sms.quarantined", entity_type="InboundSms", entity_id=message.id)
        await commit(session)
        return message
