"""Calls: a sentinel's report by phone, the message they leave, and who answered an escalation call.

A sentinel who calls instead of writing chooses from a short menu; the choice becomes the words of a
report that goes through exactly what an SMS goes through (``alerts.sms.flows.receive_sms``): the caller's
number finds the sentinel and the person, an unknown number goes to quarantine, urgent words raise an
alert. The call's id (CallSid) stands for the MessageSid, so a webhook Twilio retries stores it once. The
message left after the beep stays at Twilio: only its URL is kept, as the report's attachment.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.models import Channel, Notification
from alerts.sms.flows import receive_sms
from alerts.sms.models import InboundSms
from centrale.audit.models import AuditAction, AuditPurpose
from centrale.auth.actor import Actor, actor_of
from centrale.flows import flow
from centrale.uow import Tx

#: what each key of the caller's menu reports, in the words triage reads (alerts.sms.words)
REPORTS: dict[str, str] = {
    "1": "Chiamata vocale: una persona non risponde o non apre la porta",
    "2": "Chiamata vocale: una persona ha bisogno di aiuto",
    "3": "Chiamata vocale: altro, ascoltare il messaggio",
}
OTHER = "3"
MAX_URL = 500


@flow("voice.answer", guarded=False)  # Twilio's signature, checked by the webhook, is the authentication
async def answer_call(tx: Tx, *, call_sid: str) -> None:
    """A call to the Centrale's number reached the menu: noted in the audit log (the number is not)."""
    tx.audit(
        AuditAction.EXECUTE,
        "voice.answer",
        entity_type="Chiamata",
        entity_id=call_sid,
        person_id=None,
        purpose=AuditPurpose.HOPERAT,
    )


@flow("voice.report", guarded=False)  # Twilio's signature, checked by the webhook, is the authentication
async def report_by_call(
    tx: Tx, *, call_sid: str, caller: str, called: str | None, account_sid: str | None, choice: str
) -> InboundSms:
    """The caller's choice as a report, stored once per call and triaged as an SMS from that number."""
    key = choice if choice in REPORTS else OTHER
    params = {
        "MessageSid": call_sid,
        "AccountSid": account_sid or "",
        "From": caller,
        "To": called or "",
        "Body": REPORTS[key],
        "Canale": "voce",
        "Scelta": key,
    }
    message = await receive_sms(tx.session, params=params, source="voce")
    tx.audit(
        AuditAction.CREATE,
        "voice.report",
        entity_type="InboundSms",
        entity_id=message.id,
        person_id=message.person_id,
        purpose=AuditPurpose.ETREAT,
    )
    return message


@flow("voice.recording", guarded=False)  # Twilio's signature, checked by the webhook, is the authentication
async def attach_recording(tx: Tx, *, call_sid: str, recording_url: str, duration: str | None) -> InboundSms | None:
    """Keep the URL of the message left after the beep on the call's report (Twilio reports it twice: the
    end of the recording and its availability; the second changes nothing)."""
    message = (await tx.session.exec(select(InboundSms).where(col(InboundSms.message_sid) == call_sid))).first()
    if message is None or message.params.get("RecordingUrl") == recording_url[:MAX_URL]:
        return message
    message.params = {**message.params, "RecordingUrl": recording_url[:MAX_URL], "RecordingDuration": duration or ""}
    tx.session.add(message)
    tx.audit(
        AuditAction.UPDATE,
        "voice.recording",
        entity_type="InboundSms",
        entity_id=message.id,
        person_id=message.person_id,
        purpose=AuditPurpose.ETREAT,
    )
    tx.emit(kind="sms.recording", entity_type="InboundSms", entity_id=message.id, person_id=message.person_id)
    return message


@dataclass(frozen=True)
class Called:
    """The operator an escalation call reached, and the alert it was about."""

    alert_id: int
    notification_id: int
    actor: Actor


async def called_operator(session: AsyncSession, *, notification_id: int, call_sid: str) -> Called | None:
    """The recipient of the notification the call carried, if still an active operator and if the call is the
    one placed for it (a call recorded under another id does not speak for this notification)."""
    notification = await session.get(Notification, notification_id)
    if notification is None or notification.channel != Channel.VOCE or notification.recipient_operator_id is None:
        return None
    if notification.provider_id is not None and notification.provider_id != call_sid:
        return None
    actor = await actor_of(session, notification.recipient_operator_id)
    if actor is None:
        return None
    return Called(alert_id=notification.alert_id, notification_id=notification_id, actor=actor)


async def spoken_text(session: AsyncSession, *, notification_id: int) -> str | None:
    """What an escalation call said (the notification's text: codes and fixed words), to say it again."""
    notification = await session.get(Notification, notification_id)
    if notification is None or notification.channel != Channel.VOCE:
        return None
    return notification.body
