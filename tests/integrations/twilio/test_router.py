"""Twilio webhooks: signatures as Twilio computes them, once per MessageSid, TwiML replies, status order."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from urllib.parse import urlencode

import httpx
import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession
from twilio.request_validator import RequestValidator

from alerts.models import Alert, AlertEntry, AlertSource, Channel, DeliveryState, Notification, Severity
from alerts.sms.models import InboundSms, InboundState, SmsDelivery, SmsOptOut
from centrale.audit.models import AuditEvent, AuditOutcome
from centrale.clock import utcnow
from centrale.condomini.models import Sentinel
from centrale.events.models import Event
from centrale.events.service import commit
from tests import factories as f
from tests.integrations.conftest import PUBLIC, TOKEN, fixture, post_signed, signed_headers

SMS = "/integrations/twilio/sms"
STATUS = "/integrations/twilio/status"


async def _count(session: AsyncSession, model: type) -> int:
    return (await session.exec(select(func.count()).select_from(model))).one()


async def _denials(session: AsyncSession) -> list[AuditEvent]:
    rows = await session.exec(select(AuditEvent).where(col(AuditEvent.outcome) == AuditOutcome.DENIED))
    return list(rows.all())


async def test_signed_inbound_sms_is_stored_and_answered_in_twiml(client: httpx.AsyncClient, session: AsyncSession):
    params = fixture("inbound_sms")
    r = await post_signed(client, SMS, params)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/xml")
    stored = (await session.exec(select(InboundSms))).one()
    assert stored.body == "Nonna è caduta, non risponde"  # kept as written
    assert stored.sender_phone == "+393330000101"
    assert f"Codice {stored.receipt_code}" in r.text
    assert "<Message>" in r.text and r.text.startswith("<?xml")


@pytest.mark.parametrize(
    "tamper",
    ["one_param_changed", "wrong_host", "wrong_token", "missing_header", "signed_over_the_proxy_url", "not_ascii"],
)
async def test_bad_signature_is_403_audited_and_stores_nothing(
    client: httpx.AsyncClient, session: AsyncSession, tamper: str
):
    params = fixture("inbound_sms")
    url = PUBLIC + SMS
    headers = signed_headers(url, params)
    if tamper == "one_param_changed":
        params = params | {"Body": "Tutto bene"}
    elif tamper == "wrong_host":
        headers = signed_headers("https://altro.example.org" + SMS, params)
    elif tamper == "wrong_token":
        headers = signed_headers(url, params, token="x" * 32)
    elif tamper == "missing_header":
        headers = {}
    elif tamper == "not_ascii":  # a forged header with characters a signature never has
        headers = {"X-Twilio-Signature": "ñ".encode()}  # type: ignore[dict-item]
    else:  # the URL the app sees behind the TLS proxy is not what Twilio signs
        headers = signed_headers("http://testserver" + SMS, params)
    r = await client.post(SMS, data=params, headers=headers)
    assert r.status_code == 403
    assert await _count(session, InboundSms) == 0
    denials = await _denials(session)
    assert [d.subtype for d in denials] == ["twilio.sms"]


@pytest.mark.parametrize("signed_url", [PUBLIC + SMS, "https://centrale.example.org:443" + SMS])
async def test_https_public_url_behind_http_proxy_with_or_without_443(
    client: httpx.AsyncClient, session: AsyncSession, signed_url: str
):
    r = await post_signed(client, SMS, fixture("inbound_sms"), signed_url=signed_url)
    assert r.status_code == 200, r.text
    assert await _count(session, InboundSms) == 1


async def test_multi_valued_parameters_are_signed_as_twilio_does(client: httpx.AsyncClient, session: AsyncSession):
    params = fixture("inbound_sms") | {"NumMedia": "2"}
    pairs = [*params.items(), ("MediaUrl", "https://m.example/2"), ("MediaUrl", "https://m.example/1")]
    multi = {k: [v for kk, v in pairs if kk == k] for k, _ in pairs}

    class Multi(dict):  # what the validator accepts for repeated parameters
        def getlist(self, key: str) -> list[str]:
            return list(self[key])

    signature = RequestValidator(TOKEN).compute_signature(PUBLIC + SMS, Multi(multi))
    body = urlencode(pairs)
    headers = {"X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"}
    r = await client.post(SMS, content=body, headers=headers)
    assert r.status_code == 200, r.text
    stored = (await session.exec(select(InboundSms))).one()
    assert stored.params["MediaUrl"] == ["https://m.example/2", "https://m.example/1"]
    # dropping one of the repeated values breaks the signature
    r = await client.post(SMS, content=urlencode(pairs[:-1]), headers=headers)
    assert r.status_code == 403


async def test_malformed_body_is_400_naming_what_is_missing(client: httpx.AsyncClient, session: AsyncSession):
    params = {k: v for k, v in fixture("inbound_sms").items() if k not in ("MessageSid", "From")}
    r = await post_signed(client, SMS, params)
    assert r.status_code == 400
    assert "MessageSid" in r.json()["detail"] and "From" in r.json()["detail"]
    assert await _count(session, InboundSms) == 0


async def test_retries_and_concurrent_twins_store_one_message_with_one_receipt(
    client: httpx.AsyncClient, session: AsyncSession
):
    params = fixture("inbound_sms")
    answers = await asyncio.gather(*(post_signed(client, SMS, params) for _ in range(3)))
    answers.append(await post_signed(client, SMS, params))
    assert [a.status_code for a in answers] == [200] * 4
    assert await _count(session, InboundSms) == 1
    assert len({a.text for a in answers}) == 1  # the same receipt code every time


async def test_a_receipt_code_drawn_twice_is_drawn_again_and_the_message_is_stored(
    client: httpx.AsyncClient, session: AsyncSession, monkeypatch: pytest.MonkeyPatch
):
    first = await post_signed(client, SMS, fixture("inbound_sms"))
    taken = (await session.exec(select(InboundSms.receipt_code))).one()
    draws = iter([taken, taken, "KXW7AM"])  # the next message draws the taken code twice, then a free one
    monkeypatch.setattr("alerts.sms.service.new_receipt_code", lambda: next(draws))
    second = await post_signed(client, SMS, {**fixture("inbound_sms"), "MessageSid": "SM" + "7" * 32})
    assert first.status_code == second.status_code == 200, second.text
    assert "Codice KXW7AM" in second.text
    codes = (await session.exec(select(InboundSms.receipt_code).order_by(col(InboundSms.id)))).all()
    assert codes == [taken, "KXW7AM"]


async def test_a_clash_with_a_concurrent_change_is_a_503_that_twilio_retries(
    client: httpx.AsyncClient, session: AsyncSession, monkeypatch: pytest.MonkeyPatch
):
    async def clash(*_args: object, **_kwargs: object) -> str:
        raise IntegrityError("INSERT …", {}, Exception("foreign key violation"))

    monkeypatch.setattr("alerts.sms.flows.triage", clash)
    answer = await post_signed(client, SMS, fixture("inbound_sms"))
    assert answer.status_code == 503 and answer.headers["retry-after"] == "1"
    assert await _count(session, InboundSms) == 0  # nothing half-stored: the retry stores it whole
    monkeypatch.undo()
    retry = await post_signed(client, SMS, fixture("inbound_sms"))
    assert retry.status_code == 200 and await _count(session, InboundSms) == 1


async def test_a_triage_fault_keeps_the_message_in_quarantine_and_answers_its_receipt(
    client: httpx.AsyncClient, session: AsyncSession, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
):
    async def broken(*_args: object, **_kwargs: object) -> str:
        raise RuntimeError("a fault in triage")

    monkeypatch.setattr("alerts.sms.flows.triage", broken)
    params = fixture("inbound_sms")
    first = await post_signed(client, SMS, params)
    retry = await post_signed(client, SMS, params)
    assert first.status_code == retry.status_code == 200
    stored = (await session.exec(select(InboundSms))).one()
    assert stored.state == InboundState.QUARANTENA and stored.body == params["Body"]
    assert f"Codice {stored.receipt_code}" in first.text and retry.text == first.text
    kinds = (await session.exec(select(Event.kind).where(col(Event.entity_id) == str(stored.id)))).all()
    assert sorted(kinds) == ["sms.quarantined", "sms.received"]
    assert await _count(session, Alert) == 0
    assert "kept in quarantine" in caplog.text and params["Body"] not in caplog.text  # no message text in logs


async def test_stop_then_start_is_stored_against_the_number_and_the_sentinel(
    client: httpx.AsyncClient, session: AsyncSession
):
    cond = await f.condominio(session)
    sentinel = await f.sentinel(session, cond, phone="+393330000101")
    r = await post_signed(client, SMS, fixture("inbound_sms") | {"Body": "Arresta", "MessageSid": "SM" + "a" * 32})
    assert "Non riceverai più SMS" in r.text
    await session.refresh(sentinel)
    assert sentinel.opted_out and sentinel.opted_out_at is not None
    row = (await session.exec(select(SmsOptOut))).one()
    assert (row.phone, row.opted_out) == ("+393330000101", True)
    await post_signed(client, SMS, fixture("inbound_sms") | {"Body": "START", "MessageSid": "SM" + "b" * 32})
    await session.refresh(sentinel)
    await session.refresh(row)
    assert not sentinel.opted_out and not row.opted_out
    assert (await session.get(Sentinel, sentinel.id)) is not None


async def test_status_only_moves_forward(client: httpx.AsyncClient, session: AsyncSession):
    for status in ("queued", "delivered", "sent"):  # a late "sent" arrives after "delivered"
        r = await post_signed(client, STATUS, fixture(f"status_{status}"))
        assert r.status_code == 200, r.text
    row = (await session.exec(select(SmsDelivery))).one()
    assert row.status == "delivered"


@pytest.mark.parametrize(("status", "code"), [("failed", "30008"), ("undelivered", "30003")])
async def test_failed_delivery_is_recorded_with_its_error(
    client: httpx.AsyncClient, session: AsyncSession, status: str, code: str
):
    await post_signed(client, STATUS, fixture("status_queued"))
    await post_signed(client, STATUS, fixture("status_sent"))
    r = await post_signed(client, STATUS, fixture(f"status_{status}"))
    assert r.status_code == 200
    row = (await session.exec(select(SmsDelivery))).one()
    assert (row.status, row.error_code) == (status, code)


async def test_unsigned_status_is_403_and_changes_nothing(client: httpx.AsyncClient, session: AsyncSession):
    await post_signed(client, STATUS, fixture("status_sent"))
    r = await client.post(STATUS, data=fixture("status_failed"), headers={"X-Twilio-Signature": "nope"})
    assert r.status_code == 403
    row = (await session.exec(select(SmsDelivery))).one()
    assert row.status == "sent"
    assert [d.subtype for d in await _denials(session)] == ["twilio.status"]


async def test_undelivered_escalation_sms_shows_on_the_alert_and_moves_escalation_on(
    client: httpx.AsyncClient, session: AsyncSession
):
    later = utcnow() + timedelta(minutes=10)
    alert = Alert(
        source=AlertSource.SEGNALAZIONE_SENTINELLA,
        severity=Severity.ALTA,
        summary="prova",
        next_step_index=1,
        next_step_at=later,
    )
    session.add(alert)
    await commit(session)
    assert alert.id is not None
    sid = fixture("status_undelivered")["MessageSid"]
    note = Notification(
        alert_id=alert.id,
        escalation_round=1,
        step_index=0,
        recipient="operator:1",
        channel=Channel.SMS,
        role="TUTOR",
        body="x",
        state=DeliveryState.INVIATA,
        provider_id=sid,
    )
    session.add(note)
    await commit(session)
    await post_signed(client, STATUS, fixture("status_sent"))
    r = await post_signed(client, STATUS, fixture("status_undelivered"))
    assert r.status_code == 200
    await session.refresh(note)
    await session.refresh(alert)
    assert note.state == DeliveryState.FALLITA and "30003" in (note.error or "")
    assert alert.next_step_at is not None and alert.next_step_at < later  # the next channel is tried now
    timeline = (await session.exec(select(AlertEntry).where(col(AlertEntry.alert_id) == alert.id))).all()
    assert any(e.data.get("sms_non_consegnato") == note.id for e in timeline)
