"""Reconciliation: list recent inbound messages from Twilio and ingest any the webhook missed."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from sqlmodel import col, select
from twilio.rest import Client

from alerts.sms.flows import receive_sms
from alerts.sms.models import SmsWatermark
from centrale.clock import utcnow
from centrale.db import Database
from centrale.events.service import commit
from centrale.flows import flow
from centrale.settings import Settings
from centrale.uow import Tx

log = logging.getLogger(__name__)

JOB = "twilio.inbound"
OVERLAP = timedelta(minutes=10)  # Twilio's list is eventually consistent: read a little behind the mark
FIRST_LOOKBACK = timedelta(days=1)


async def _watermark(database: Database) -> datetime:
    async with database.sessionmaker() as session:
        row = (await session.exec(select(SmsWatermark).where(col(SmsWatermark.name) == JOB))).first()
        return row.until if row is not None else utcnow() - FIRST_LOOKBACK


async def _advance(database: Database, until: datetime) -> None:
    async with database.sessionmaker() as session:
        row = (await session.exec(select(SmsWatermark).where(col(SmsWatermark.name) == JOB))).first()
        if row is None:
            session.add(SmsWatermark(name=JOB, until=until))
        elif until > row.until:
            row.until = until
            session.add(row)
        await commit(session)


@flow("twilio.reconcile", guarded=False)
async def reconcile_inbound(database: Database, *, client: Client, settings: Settings, limit: int = 500) -> int:
    """Ingest inbound messages sent since the watermark that are not stored yet; returns how many."""
    started = utcnow()
    since = await _watermark(database) - OVERLAP
    to = settings.twilio_from_number
    listed = await asyncio.to_thread(
        client.messages.list, date_sent_after=since, limit=limit, **({"to": to} if to else {})
    )
    ingested = 0
    for message in listed:
        if not str(message.direction or "").startswith("inbound") or not message.sid or not message.from_:
            continue
        params = {
            "MessageSid": str(message.sid),
            "AccountSid": str(message.account_sid or ""),
            "From": str(message.from_),
            "To": str(message.to or ""),
            "Body": str(message.body or ""),
            "NumMedia": str(message.num_media or "0"),
        }
        async with Tx.open(database) as tx:
            stored = await receive_sms(tx.session, params=params, source="reconciliation")
            await tx.commit()
        # stored just now by this job: the webhook had missed it
        ingested += int(stored.source == "reconciliation" and stored.received_at >= started)
    await _advance(database, started)
    if ingested:
        log.warning("riconciliazione Twilio: %s messaggi mancati dal webhook acquisiti", ingested)
    return ingested
