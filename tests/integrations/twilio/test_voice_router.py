"""Twilio's voice webhooks: 1 acknowledges as the operator called, the call's outcome reaches the escalation,
a sentinel's call records a report as their SMS would, unsigned requests change nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.escalation.texts import voice_text
from alerts.models import Alert, AlertSource, AlertState, Channel, DeliveryState, Notification, Severity
from alerts.sms.models import InboundSms, InboundState
from centrale.audit.models import AuditEvent, AuditOutcome
from centrale.clock import utcnow
from centrale.events.service import commit
from centrale.operators.models import Role
from tests import factories as f
from tests.integrations.conftest import ACCOUNT, PUBLIC, post_signed

GATHER = "/integrations/twilio/voice/gather"
STATUS = "/integrations/twilio/voice/status"
INBOUND = "/integrations/twilio/voice/inbound"
CHOICE = "/integrations/twilio/voice/inbound/choice"
RECORDING = "/integrations/twilio/voice/inbound/recording"
CALL = "CA" + "1" * 32
SENTINEL_PHONE = "+393330000101"
RECORDING_URL = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Recordings/RE" + "2" * 32


@dataclass
class Called:
    alert: Alert
    call: Notification
    pending_sms: Notification
    operator_id: int


async def called_world(session: AsyncSession) -> Called:
    """An ALTA alert whose escalation called a coordinator (the call under ``CALL``) and will send an SMS next."""
    org = await f.org(session)
    op = await f.operator(session, Role.COORDINATORE, org, phone="+393330000555")
    assert op.id is not None
    alert = Alert(source=AlertSource.SEGNALAZIONE_SENTINELLA, severity=Severity.ALTA, summary="prova")
    session.add(alert)
    await commit(session)
    assert alert.id is not None
    common: dict[str, Any] = {
        "alert_id": alert.id,
        "escalation_round": 1,
        "step_index": 0,
        "recipient": f"operator:{op.id}",
        "recipient_operator_id": op.id,
        "role": "COORDINATORE_DI_TURNO",
        "to_phone": op.phone,
    }
    text = voice_text(alert)
    call = Notification(**common, channel=Channel.VOCE, body=text, state=DeliveryState.INVIATA, provider_id=CALL)
    sms = Notification(**common, channel=Channel.SMS, body="sms", state=DeliveryState.IN_ATTESA)
    session.add_all([call, sms])
    await commit(session)
    return Called(alert=alert, call=call, pending_sms=sms, operator_id=op.id)


def key_press(digits: str | None, call_sid: str = CALL) -> dict[str, str]:
    params = {"CallSid": call_sid, "AccountSid": ACCOUNT, "From": "+390699999999", "To": "+393330000555"}
    params["CallStatus"] = "in-progress"
    return params | ({"Digits": digits} if digits is not None else {})


async def denied(session: AsyncSession) -> list[AuditEvent]:
    rows = await session.exec(select(AuditEvent).where(col(AuditEvent.outcome) == AuditOutcome.DENIED))
    return list(rows.all())


async def test_pressing_1_acknowledges_as_the_operator_called_and_stops_every_pending_notification(
    client: httpx.AsyncClient, session: AsyncSession
):
    w = await called_world(session)
    r = await post_signed(client, f"{GATHER}?n={w.call.id}&volta=1", key_press("1"))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/xml")
    assert "Presa visione registrata" in r.text and 'language="it-IT"' in r.text
    alert = w.alert
    await session.refresh(alert)
    assert alert.state == AlertState.PRESA_VISIONE
    assert alert.acknowledged_by == w.operator_id
    sms = w.pending_sms
    await session.refresh(sms)
    assert sms.state == DeliveryState.ANNULLATA
    audit = (await session.exec(select(AuditEvent).where(col(AuditEvent.subtype) == "alert.acknowledge"))).one()
    assert (audit.agent_operator_id, audit.outcome) == (w.operator_id, AuditOutcome.SUCCESS)
    again = await post_signed(client, f"{GATHER}?n={w.call.id}&volta=1", key_press("1"))
    assert again.status_code == 200 and "già stata presa in visione" in again.text


async def test_another_key_repeats_the_message_once_then_ends_politely(
    client: httpx.AsyncClient, session: AsyncSession
):
    w = await called_world(session)
    first = await post_signed(client, f"{GATHER}?n={w.call.id}&volta=1", key_press("5"))
    assert first.status_code == 200
    assert voice_text(w.alert) in first.text  # the same words again
    assert f"{GATHER}?n={w.call.id}&amp;volta=2" in first.text  # the second hearing
    second = await post_signed(client, f"{GATHER}?n={w.call.id}&volta=2", key_press("9"))
    assert "Arrivederci" in second.text and "<Gather" not in second.text
    alert = w.alert
    await session.refresh(alert)
    assert alert.state == AlertState.NUOVA


@pytest.mark.parametrize(
    ("status", "answered_by", "outcome"),
    [("no-answer", None, "no-answer"), ("busy", None, "busy"), ("completed", "machine_start", "no-answer")],
)
async def test_the_calls_final_state_reaches_the_escalation(
    client: httpx.AsyncClient,
    session: AsyncSession,
    monkeypatch: pytest.MonkeyPatch,
    status: str,
    answered_by: str | None,
    outcome: str,
):
    seen: list[tuple[int, str, str | None]] = []

    async def call_outcome(_database: object, *, notification_id: int, outcome: str, provider_id: str | None) -> None:
        seen.append((notification_id, outcome, provider_id))

    monkeypatch.setattr("web.api.twilio_voice.call_outcome", call_outcome)
    for progress in ("initiated", "ringing"):  # the progress before the end moves nothing
        r = await post_signed(client, f"{STATUS}?n=7", key_press(None) | {"CallStatus": progress})
        assert r.status_code == 200
    final = key_press(None) | {"CallStatus": status} | ({"AnsweredBy": answered_by} if answered_by else {})
    r = await post_signed(client, f"{STATUS}?n=7", final)
    assert r.status_code == 200, r.text
    assert seen == [(7, outcome, CALL)]


async def test_an_unanswered_call_moves_to_the_operators_next_method_at_the_rules_time(
    client: httpx.AsyncClient, session: AsyncSession
):
    w = await called_world(session)
    due = utcnow() + timedelta(minutes=2)  # the rule: SMS two minutes after the call
    w.pending_sms.due_at = due
    session.add(w.pending_sms)
    await commit(session)
    r = await post_signed(client, f"{STATUS}?n={w.call.id}", key_press(None) | {"CallStatus": "no-answer"})
    assert r.status_code == 200, r.text
    for row in (w.call, w.pending_sms):
        await session.refresh(row)
    assert (w.call.state, w.call.error) == (DeliveryState.FALLITA, "no-answer")
    assert w.pending_sms.state == DeliveryState.IN_ATTESA
    assert w.pending_sms.due_at == due  # still waiting for the rule's two minutes, not cancelled


@pytest.mark.parametrize("path", [f"{GATHER}?n=1&volta=1", f"{STATUS}?n=1", INBOUND, CHOICE, RECORDING])
async def test_unsigned_or_forged_requests_are_403_audited_and_change_nothing(
    client: httpx.AsyncClient, session: AsyncSession, path: str
):
    w = await called_world(session)
    params = key_press("1") | {"CallStatus": "no-answer", "RecordingUrl": RECORDING_URL}
    for headers in ({}, {"X-Twilio-Signature": "bm9wZQ=="}):
        r = await client.post(path.replace("n=1", f"n={w.call.id}"), data=params, headers=headers)
        assert r.status_code == 403, r.text
    alert = w.alert
    await session.refresh(alert)
    assert alert.state == AlertState.NUOVA
    assert (await session.exec(select(InboundSms))).first() is None
    denials = await denied(session)
    assert len(denials) == 2 and all(d.subtype.startswith("twilio.voice.") for d in denials)


async def test_bad_requests_are_4xx_naming_the_field_never_a_500(client: httpx.AsyncClient, session: AsyncSession):
    r = await post_signed(client, CHOICE, {"CallSid": CALL, "Digits": "1"})
    assert r.status_code == 400 and "From" in r.json()["detail"]
    r = await post_signed(client, f"{GATHER}?n=abc", key_press("1"))
    assert r.status_code in (400, 422) and "n" in r.text
    r = await post_signed(client, f"{STATUS}?n=99999999999", key_press(None) | {"CallStatus": "busy"})
    assert r.status_code in (400, 422)


def caller(number: str = SENTINEL_PHONE, call_sid: str = CALL) -> dict[str, str]:
    return {
        "CallSid": call_sid,
        "AccountSid": ACCOUNT,
        "From": number,
        "To": "+390699999999",
        "CallStatus": "ringing",
        "Direction": "inbound",
        "ApiVersion": "2010-04-01",
    }


async def test_a_sentinels_call_records_a_report_on_the_person_and_keeps_the_messages_url(
    client: httpx.AsyncClient, session: AsyncSession
):
    org = await f.org(session)
    cond = await f.condominio(session)
    who = await f.person(session, org)
    await f.assisted(session, cond, who)
    sentinel = await f.sentinel(session, cond, phone=SENTINEL_PHONE)
    menu = await post_signed(client, INBOUND, caller())
    assert menu.status_code == 200
    assert "Premi 1 se una persona non risponde o non apre la porta" in menu.text
    assert f'action="{PUBLIC}{CHOICE}?volta=1"' in menu.text
    for _ in range(2):  # Twilio retries: one report
        r = await post_signed(client, f"{CHOICE}?volta=1", caller() | {"Digits": "1"})
        assert r.status_code == 200, r.text
    assert "<Record" in r.text and "dopo il segnale" in r.text
    report = (await session.exec(select(InboundSms))).one()
    assert (report.sentinel_id, report.person_id, report.state) == (sentinel.id, who.id, InboundState.SMISTATO)
    alert = await session.get(Alert, report.alert_id)
    assert alert is not None and alert.severity == Severity.ALTA and alert.person_id == who.id
    for _ in range(2):  # the end of the recording, then its availability
        r = await post_signed(client, RECORDING, caller() | {"RecordingUrl": RECORDING_URL, "RecordingDuration": "14"})
        assert r.status_code == 200 and "Segnalazione ricevuta" in r.text
    await session.refresh(report)
    assert report.params["RecordingUrl"] == RECORDING_URL and report.params["RecordingDuration"] == "14"
    kinds = (await session.exec(select(AuditEvent.subtype).order_by(col(AuditEvent.id)))).all()
    assert kinds.count("voice.recording") == 1 and "voice.report" in kinds and "voice.answer" in kinds


@pytest.mark.parametrize(("choice", "alerted"), [("1", True), ("2", True), ("3", False)])
async def test_an_unknown_number_goes_to_quarantine_as_an_sms_would(
    client: httpx.AsyncClient, session: AsyncSession, choice: str, alerted: bool
):
    r = await post_signed(client, f"{CHOICE}?volta=1", caller("+393339999999") | {"Digits": choice})
    assert r.status_code == 200, r.text
    report = (await session.exec(select(InboundSms))).one()
    assert report.state == InboundState.QUARANTENA and report.sentinel_id is None
    assert (report.alert_id is not None) == alerted  # urgent words raise an alert at once, the rest waits


async def test_no_valid_key_hears_the_menu_again_then_counts_as_other(client: httpx.AsyncClient, session: AsyncSession):
    again = await post_signed(client, f"{CHOICE}?volta=1", caller() | {"Digits": "8"})
    assert "Premi 1 se" in again.text and f"{CHOICE}?volta=2" in again.text
    assert (await session.exec(select(InboundSms))).first() is None
    # the second menu heard without a key: Twilio follows the redirect to the choice "altro"
    assert f"{CHOICE}?volta=2&amp;scelta=3" in again.text
    r = await post_signed(client, f"{CHOICE}?volta=2&scelta=3", caller())
    assert r.status_code == 200 and "<Record" in r.text
    report = (await session.exec(select(InboundSms))).one()
    assert report.body.endswith("altro, ascoltare il messaggio")
