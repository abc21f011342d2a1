"""Messages left by phone are deleted at Twilio a week before their reports' retention runs, once."""

from __future__ import annotations

from datetime import timedelta

from dateutil.relativedelta import relativedelta
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from twilio.http.response import Response

from alerts.retention import RetentionPolicy
from alerts.sms.models import InboundSms
from centrale.audit.models import AuditEvent
from centrale.clock import utcnow
from centrale.db import Database
from centrale.events.service import commit
from centrale.settings import Settings
from integrations.twilio.sender import twilio_client
from integrations.twilio.voice_retention import purge_recordings
from tests.integrations.conftest import ACCOUNT
from tests.integrations.fake_twilio import FakeTwilioHttp, error_response

POLICY = RetentionPolicy(sms_months=12, closed_case_months=120, audit_months=24)
RECORDINGS = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Recordings/"


async def _report(session: AsyncSession, n: int, *, age: timedelta | relativedelta) -> InboundSms:
    row = InboundSms(
        message_sid=f"CA{n:032d}",
        from_number="+393330000101",
        body="Chiamata vocale: una persona ha bisogno di aiuto",
        receipt_code=f"VOCE{n}",
        source="voce",
        params={"Scelta": "2", "RecordingUrl": f"{RECORDINGS}RE{n:032d}", "RecordingDuration": "9"},
        received_at=utcnow() - age,
    )
    session.add(row)
    await commit(session)
    return row


def _deletes(http: FakeTwilioHttp) -> list[str]:
    return [r.uri.rsplit("/", 1)[-1] for r in http.requests if r.method == "DELETE"]


async def test_old_messages_are_deleted_at_twilio_then_forgotten_recent_ones_kept(
    settings: Settings, database: Database, session: AsyncSession
):
    nearly_due = await _report(session, 1, age=relativedelta(months=12) - relativedelta(days=3))
    recent = await _report(session, 2, age=timedelta(days=30))
    http = FakeTwilioHttp(script=[Response(204, "")])
    assert await purge_recordings(database, client=twilio_client(settings, http), policy=POLICY) == 1
    assert _deletes(http) == [f"RE{1:032d}.json"]
    for row in (nearly_due, recent):
        await session.refresh(row)
    assert "RecordingUrl" not in nearly_due.params and nearly_due.params["Scelta"] == "2"
    assert recent.params["RecordingUrl"].endswith(f"RE{2:032d}")
    audit = (await session.exec(select(AuditEvent).where(col(AuditEvent.subtype) == "voice.recording"))).one()
    assert audit.entity_id == str(nearly_due.id)
    again = FakeTwilioHttp()
    assert await purge_recordings(database, client=twilio_client(settings, again), policy=POLICY) == 0
    assert again.requests == []  # once


async def test_a_twilio_failure_keeps_the_address_for_the_next_night_a_missing_recording_is_forgotten(
    settings: Settings, database: Database, session: AsyncSession
):
    failing = await _report(session, 3, age=relativedelta(months=12))
    gone = await _report(session, 4, age=relativedelta(months=12))
    http = FakeTwilioHttp(script=[error_response(503, 20500, "down"), error_response(404, 20404, "not found")])
    assert await purge_recordings(database, client=twilio_client(settings, http), policy=POLICY) == 1
    for row in (failing, gone):
        await session.refresh(row)
    assert "RecordingUrl" in failing.params and "RecordingUrl" not in gone.params
