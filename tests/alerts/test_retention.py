"""Retention: after travelling past each limit, SMS texts are emptied, closed cases lose their free text,
audit rows past 24 months are gone, and everything younger, open or still needed stays as it was."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from pydantic import ValidationError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.retention import REMOVED, RetentionPolicy, apply_retention
from alerts.sms.models import InboundSms
from centrale.audit.models import AuditEvent
from centrale.cases.models import Case, CaseHistory, DiaryEntry, Intake
from centrale.db import Database
from centrale.operators.models import Role
from centrale.organisations.models import OrgKind
from centrale.settings import Settings
from tests import factories as f
from tests.centrale.test_cases import open_case
from tests.integrations.conftest import ACCOUNT, PUBLIC, TOKEN, post_signed

T0 = datetime(2026, 1, 12, 10, 0, tzinfo=UTC)
POLICY = RetentionPolicy(sms_months=12, closed_case_months=60, audit_months=24)
SMS_BODY = "La signora del terzo piano non apre la porta"
UNKNOWN_NUMBER = "+393339876543"
SENTINEL_PHONE = "+393330000555"
DIARY = "Colloquio con la figlia: la madre rifiuta l'assistenza domiciliare"


@pytest.fixture
def settings(database: Database) -> Settings:
    return Settings(
        environment="test",
        database_url=database.url,
        public_url=PUBLIC,
        scheduler_enabled=False,
        twilio_account_sid=ACCOUNT,
        twilio_auth_token=TOKEN,
    )


async def populate(client: httpx.AsyncClient, session: AsyncSession) -> tuple[int, int]:
    """At T0: two SMS (a sentinel's, a stranger's), a case closed and a case open, each with a diary."""
    cond = await f.condominio(session)
    await f.sentinel(session, cond, phone=SENTINEL_PHONE)
    for n, sender in enumerate((SENTINEL_PHONE, UNKNOWN_NUMBER)):
        form = {"MessageSid": f"SM{n:032d}", "AccountSid": ACCOUNT, "From": sender, "Body": SMS_BODY}
        assert (await post_signed(client, "/integrations/twilio/sms", form)).status_code == 200
    municipio = await f.org(session, OrgKind.MUNICIPIO)
    cm = await f.operator(session, Role.CASE_MANAGER, municipio)
    token = await f.token_for(session, cm)
    ids = []
    for _ in range(2):
        case = await open_case(client, token, (await f.person(session, municipio)).id)
        r = await client.post(
            f"/api/v1/cases/{case['id']}/diary", headers=f.bearer(token), json={"kind": "COLLOQUIO", "text": DIARY}
        )
        assert r.status_code == 201, r.text
        ids.append(case["id"])
    closing = {"state": "CHIUSO", "closing_reason": "Trasferita in RSA a Frosinone", "note": "chiusura concordata"}
    r = await client.post(f"/api/v1/cases/{ids[0]}/transitions", headers=f.bearer(token), json=closing)
    assert r.status_code == 200, r.text
    # a read of the case file, audited
    assert (await client.get(f"/api/v1/cases/{ids[0]}", headers=f.bearer(token))).status_code == 200
    return ids[0], ids[1]


async def run_at(database: Database, moment: datetime) -> None:
    with time_machine.travel(moment, tick=False):
        await apply_retention(database, policy=POLICY)


async def sms(database: Database) -> list[InboundSms]:
    async with database.sessionmaker() as s:
        return list((await s.exec(select(InboundSms).order_by(col(InboundSms.id)))).all())


async def case_texts(database: Database, case_id: int) -> list[str | None]:
    async with database.sessionmaker() as s:
        case = await s.get(Case, case_id)
        assert case is not None
        diary = (await s.exec(select(DiaryEntry.text).where(col(DiaryEntry.case_id) == case_id))).all()
        notes = (await s.exec(select(CaseHistory.note).where(col(CaseHistory.case_id) == case_id))).all()
        intake = (await s.exec(select(Intake).where(col(Intake.case_id) == case_id))).one()
        return [case.closing_reason, *diary, *notes, intake.expressed_need, intake.requested_by]


async def audit_rows(database: Database) -> list[AuditEvent]:
    async with database.sessionmaker() as s:
        return list((await s.exec(select(AuditEvent).order_by(col(AuditEvent.id)))).all())


async def test_each_kind_goes_after_its_limit_and_not_before(
    client: httpx.AsyncClient, session: AsyncSession, database: Database
) -> None:
    with time_machine.travel(T0, tick=False):
        closed, still_open = await populate(client, session)
    first_audit = await audit_rows(database)
    assert first_audit and all(row.recorded == T0 for row in first_audit)
    open_before = await case_texts(database, still_open)
    closed_before = await case_texts(database, closed)
    assert DIARY in closed_before and "Trasferita in RSA a Frosinone" in closed_before

    # a day before the SMS limit nothing changes
    await run_at(database, T0 + relativedelta(months=12) - timedelta(days=1))
    assert [m.body for m in await sms(database)] == [SMS_BODY, SMS_BODY]

    # past it: the texts and the raw parameters are emptied, a stranger's number too; the rows stay
    await run_at(database, T0 + relativedelta(months=12) + timedelta(days=1))
    received = await sms(database)
    assert [(m.body, m.params) for m in received] == [("", {}), ("", {})]
    sentinel_sms, stranger_sms = received
    assert sentinel_sms.sender_phone == SENTINEL_PHONE and sentinel_sms.receipt_code
    assert stranger_sms.from_number == "" and stranger_sms.sender_phone is None
    assert await case_texts(database, closed) == closed_before  # cases keep theirs for 60 months
    assert len([r for r in await audit_rows(database) if r.recorded == T0]) == len(first_audit)  # and audit 24

    # past 24 months: the audit rows of T0 are gone, the retention runs' own rows are kept (they are younger)
    await run_at(database, T0 + relativedelta(months=24) + timedelta(days=1))
    rows = await audit_rows(database)
    assert not [r for r in rows if r.recorded == T0]
    runs = [r for r in rows if r.subtype == "retention.apply"]
    assert len(runs) == 3 and all(r.agent_role == "system" for r in runs)
    by_run = {r.recorded: r.outcome_desc or "" for r in runs}
    assert "SMS ricevuti 2" in by_run[T0 + relativedelta(months=12) + timedelta(days=1)]
    assert f"righe di audit eliminate {len(first_audit)}" in by_run[T0 + relativedelta(months=24) + timedelta(days=1)]
    assert await case_texts(database, closed) == closed_before

    # past 60 months after its closing: the closed case's free text is gone, the open case keeps all of its
    await run_at(database, T0 + relativedelta(months=60) + timedelta(days=1))
    after = await case_texts(database, closed)
    assert after[0] is None and DIARY not in after and "Trasferita in RSA a Frosinone" not in after
    assert set(after[1:]) <= {REMOVED, None} and REMOVED in after
    assert await case_texts(database, still_open) == open_before
    async with database.sessionmaker() as s:
        kept = await s.get(Case, closed)
        assert kept is not None and kept.state == "CHIUSO"  # the row, its codes and dates stay

    # a second run changes nothing more, and says so
    await run_at(database, T0 + relativedelta(months=60) + timedelta(days=2))
    last = (await audit_rows(database))[-1]
    assert last.outcome_desc == (
        "SMS ricevuti 0, notifiche 0, promemoria 0; casi chiusi 0 (0 testi); righe di audit eliminate 0"
    )


def test_audit_rows_are_kept_24_months_at_least() -> None:
    with pytest.raises(ValidationError, match="retention_audit_months"):
        Settings(retention_audit_months=23)
    assert Settings(retention_audit_months=24).retention_audit_months == 24
    with pytest.raises(ValueError, match="24 months"):
        RetentionPolicy(sms_months=1, closed_case_months=1, audit_months=12)
    assert RetentionPolicy.from_settings(Settings()) == RetentionPolicy(
        sms_months=12, closed_case_months=120, audit_months=24
    )
