"""Retention: what is past its time is emptied, pseudonymised or deleted, once a day, and audited.

Three kinds of data, each with its own limit in months (``CENTRALE_RETENTION_*``, docs/BACKUP.md):

- SMS texts: the body of a received SMS and the raw parameters Twilio sent with it (they repeat the body
  and the number) are emptied, and so is the number of a sender who was no sentinel; the texts of sent
  notifications and reminders are emptied too. The rows stay: counts, states and dates still tell what happened.
- Closed cases: the free text of a case closed longer ago than its limit (the closing reason, the diary,
  the notes of its history, what the intake recorded) is replaced by a marker; codes and dates stay for the
  service's statistics and the SIUSS flows.
- Audit rows older than their limit (24 months at least, as the Garante asks) are deleted.

It lives in ``alerts`` because it touches alerts' and the care network's tables. The run itself writes
one audit row with what it changed; the work is idempotent (a second run the same day changes nothing).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import CursorResult, Text, cast, delete, func, or_, text, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.models import Notification
from alerts.sms.models import InboundSms
from centrale.audit.models import AuditAction, AuditEvent, AuditEventPerson, AuditPurpose
from centrale.cases.models import Case, CaseHistory, CaseState, DiaryEntry, Intake
from centrale.clock import utcnow
from centrale.db import Database
from centrale.flows import flow
from centrale.settings import Settings
from centrale.tasks.models import TaskReminder
from centrale.uow import Tx

#: what replaces a closed case's free text once its time is past (shown as it is in the case file)
REMOVED = "(testo rimosso: conservazione scaduta)"
MIN_AUDIT_MONTHS = 24  # the Garante: access logs are kept at least 24 months
RETENTION_LOCK = 4_242_002  # advisory lock key of the daily run (PostgreSQL): instances run it one after another


@dataclass(frozen=True)
class RetentionPolicy:
    """How many months each kind of data is kept."""

    sms_months: int
    closed_case_months: int
    audit_months: int

    def __post_init__(self) -> None:
        if self.audit_months < MIN_AUDIT_MONTHS:
            raise ValueError(f"audit rows are kept {MIN_AUDIT_MONTHS} months at least")

    @classmethod
    def from_settings(cls, settings: Settings) -> RetentionPolicy:
        return cls(
            sms_months=settings.retention_sms_months,
            closed_case_months=settings.retention_closed_case_months,
            audit_months=settings.retention_audit_months,
        )


@dataclass
class RetentionResult:
    """How many rows each step changed (emptied, pseudonymised or deleted)."""

    sms_received: int = 0
    sms_sent: int = 0
    reminders: int = 0
    cases: int = 0
    case_texts: int = 0
    audit_rows: int = 0

    def describe(self) -> str:
        return (
            f"SMS ricevuti {self.sms_received}, notifiche {self.sms_sent}, promemoria {self.reminders}; "
            f"casi chiusi {self.cases} ({self.case_texts} testi); righe di audit eliminate {self.audit_rows}"
        )


async def _changed(session: AsyncSession, statement: Any) -> int:
    result = await session.exec(statement)
    assert isinstance(result, CursorResult)  # an UPDATE or a DELETE
    return int(result.rowcount or 0)


async def _sms(session: AsyncSession, cutoff: datetime, done: RetentionResult) -> None:
    old = col(InboundSms.received_at) < cutoff
    done.sms_received = await _changed(
        session,
        update(InboundSms)
        .where(old, or_(col(InboundSms.body) != "", cast(col(InboundSms.params), Text) != "{}"))
        .values(body="", params={}),
    )
    # a number that is no sentinel's is someone's who never agreed to be known here
    await session.exec(
        update(InboundSms)
        .where(old, col(InboundSms.sentinel_id).is_(None), col(InboundSms.from_number) != "")
        .values(from_number="", sender_phone=None)
    )
    done.sms_sent = await _changed(
        session,
        update(Notification).where(col(Notification.created_at) < cutoff, col(Notification.body) != "").values(body=""),
    )
    done.reminders = await _changed(
        session,
        update(TaskReminder).where(col(TaskReminder.created_at) < cutoff, col(TaskReminder.body) != "").values(body=""),
    )


async def _closed_cases(session: AsyncSession, cutoff: datetime, done: RetentionResult) -> None:
    closed_at = func.coalesce(col(Case.updated_at), col(Case.opened_at))
    closed = select(col(Case.id)).where(col(Case.state) == CaseState.CHIUSO, closed_at < cutoff)
    ids = [int(i) for i in (await session.exec(closed)).all() if i is not None]  # type: ignore[call-overload]
    if not ids:
        return
    texts = await _changed(
        session,
        update(DiaryEntry)
        .where(col(DiaryEntry.case_id).in_(ids), col(DiaryEntry.text) != REMOVED)
        .values(text=REMOVED),
    )
    texts += await _changed(
        session,
        update(CaseHistory)
        .where(col(CaseHistory.case_id).in_(ids), col(CaseHistory.note).is_not(None))
        .values(note=None),
    )
    texts += await _changed(
        session,
        update(Intake)
        .where(col(Intake.case_id).in_(ids), col(Intake.expressed_need) != REMOVED)
        .values(expressed_need=REMOVED, requested_by=REMOVED, requester_relation=None, referred_to=None),
    )
    reasons = await _changed(
        session,
        update(Case).where(col(Case.id).in_(ids), col(Case.closing_reason).is_not(None)).values(closing_reason=None),
    )
    done.case_texts = texts + reasons
    if done.case_texts:
        done.cases = len(ids)


async def _audit(session: AsyncSession, cutoff: datetime, done: RetentionResult) -> None:
    old = select(col(AuditEvent.id)).where(col(AuditEvent.recorded) < cutoff)
    await session.exec(delete(AuditEventPerson).where(col(AuditEventPerson.audit_event_id).in_(old)))
    done.audit_rows = await _changed(session, delete(AuditEvent).where(col(AuditEvent.recorded) < cutoff))


@flow("retention.apply", guarded=False)  # the system's own daily job: no operator, no object to authorise on
async def apply_retention(database: Database, *, policy: RetentionPolicy) -> RetentionResult:
    """Empty, pseudonymise or delete what is past its time, in one transaction with its own audit row."""
    now = utcnow()
    done = RetentionResult()
    async with Tx.open(database) as tx:
        if not database.is_sqlite:
            await tx.session.exec(text("SELECT pg_advisory_xact_lock(:k)").bindparams(k=RETENTION_LOCK))  # type: ignore[call-overload]
        await _sms(tx.session, now - relativedelta(months=policy.sms_months), done)
        await _closed_cases(tx.session, now - relativedelta(months=policy.closed_case_months), done)
        await _audit(tx.session, now - relativedelta(months=policy.audit_months), done)
        tx.audit(
            AuditAction.DELETE,
            "retention.apply",
            entity_type="Retention",
            entity_id=None,
            person_id=None,
            outcome_desc=done.describe(),
            purpose=AuditPurpose.HOPERAT,
        )
        await tx.commit()
    return done
