"""An inbound SMS from storage to reply: store once, opt words, then triage; the reply is kept for retries."""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.sms.models import InboundSms, InboundState
from alerts.sms.service import save_triage, set_opt_out, store_inbound
from alerts.sms.templates import Template, render
from alerts.sms.triage import triage
from alerts.sms.words import opt_word

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
    message = stored.message
    if not stored.created:
        return message
    wants_out = opt_word(message.body)
    if wants_out is not None and message.sender_phone is not None:
        await set_opt_out(session, phone=message.sender_phone, opted_out=wants_out, word=message.body.strip())
        message.state = InboundState.OPT
        message.reply = render(Template.OPT_OUT if wants_out else Template.OPT_IN)
    else:
        message.reply = await triage(session, message)
    await save_triage(session, message)
    return message
