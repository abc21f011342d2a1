"""Reconciliation: inbound messages the webhook missed are ingested once; the watermark moves on."""

from __future__ import annotations

import httpx
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.models import Alert
from alerts.sms.models import InboundSms, SmsWatermark
from centrale.db import Database
from centrale.settings import Settings
from integrations.twilio.reconcile import reconcile_inbound
from integrations.twilio.sender import twilio_client
from tests import factories as f
from tests.integrations.conftest import fixture, post_signed
from tests.integrations.fake_twilio import FakeTwilioHttp, message_json

DATE = "Tue, 14 Jul 2026 08:00:00 +0000"


def inbound(sid: str, body: str) -> dict[str, object]:
    data = {"From": "+393330000101", "To": "+390699999999", "Body": body}
    return message_json(sid, data, "received", direction="inbound", date_sent=DATE)


async def test_missed_inbound_messages_are_ingested_once(
    client: httpx.AsyncClient, settings: Settings, database: Database, session: AsyncSession
):
    cond = await f.condominio(session)
    await f.assisted(session, cond, await f.person(session, await f.org(session)))
    await f.sentinel(session, cond, phone="+393330000101")
    seen = fixture("inbound_sms")
    await post_signed(client, "/integrations/twilio/sms", seen)  # the webhook got this one
    missed = "SM" + "f" * 32
    http = FakeTwilioHttp(
        inbound=[
            inbound(seen["MessageSid"], seen["Body"]),
            inbound(missed, "Aiuto, A1 sta male"),
            message_json("SM" + "e" * 32, {"To": "+393330000101"}, "delivered"),
        ]
    )
    twilio = twilio_client(settings, http)
    assert await reconcile_inbound(database, client=twilio, settings=settings) == 1
    rows = (await session.exec(select(InboundSms).order_by(col(InboundSms.id)))).all()
    assert [(r.message_sid, r.source) for r in rows] == [
        (seen["MessageSid"], "webhook"),
        (missed, "reconciliation"),
    ]
    assert rows[1].alert_id is not None and rows[1].alert_id == rows[0].alert_id  # joined the open alert
    assert len((await session.exec(select(Alert))).all()) == 1
    assert await reconcile_inbound(database, client=twilio, settings=settings) == 0
    listing = [r for r in http.requests if r.method == "GET"]
    assert listing and "DateSent>" in (listing[0].params or {})
    assert (await session.exec(select(SmsWatermark))).one().name == "twilio.inbound"
