"""The messages sentinels leave by phone are deleted at Twilio before their reports' time is up.

A recording is a person's voice about a person's health, kept at Twilio, not here. The daily retention
(``alerts.retention``) empties an old report's parameters, which would forget the recording's address and
leave the audio at Twilio for ever; so each night, a week before that, this job deletes the recording at
Twilio and then forgets its address, one report at a time (a week of failed nights loses nothing).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import Text, cast
from sqlmodel import col, select
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from alerts.retention import RetentionPolicy
from alerts.sms.models import InboundSms
from centrale.audit.models import AuditAction, AuditPurpose
from centrale.clock import utcnow
from centrale.db import Database
from centrale.flows import flow
from centrale.uow import Tx

log = logging.getLogger(__name__)

AHEAD = timedelta(days=7)  # before the retention empties the report
GONE = 404  # already deleted at Twilio (by hand, or a previous night that could not record it)
KEYS = ("RecordingUrl", "RecordingDuration")


@flow("voice.recordings_purge", guarded=False)  # the system's own nightly job: no operator, no object
async def purge_recordings(database: Database, *, client: Client, policy: RetentionPolicy) -> int:
    """Delete at Twilio the recordings of reports that the retention empties within a week; how many."""
    cutoff = utcnow() - relativedelta(months=policy.sms_months) + AHEAD
    deleted = 0
    async with Tx.open(database) as tx:
        rows = await tx.session.exec(
            select(InboundSms).where(
                col(InboundSms.source) == "voce",
                col(InboundSms.received_at) < cutoff,
                cast(col(InboundSms.params), Text).contains("RecordingUrl"),
            )
        )
        for message in rows.all():
            sid = str(message.params.get("RecordingUrl") or "").rstrip("/").rsplit("/", 1)[-1]
            if sid:
                try:
                    await asyncio.to_thread(client.recordings(sid).delete)
                except TwilioRestException as exc:
                    if exc.status != GONE:
                        log.warning("registrazione non eliminata (messaggio %s): Twilio %s", message.id, exc.status)
                        continue
            message.params = {key: value for key, value in message.params.items() if key not in KEYS}
            tx.session.add(message)
            tx.audit(
                AuditAction.DELETE,
                "voice.recording",
                entity_type="InboundSms",
                entity_id=message.id,
                person_id=message.person_id,
                purpose=AuditPurpose.HOPERAT,
            )
            deleted += 1
        await tx.commit()
    return deleted
