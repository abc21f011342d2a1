"""Centrale administration pages: an administrator edits an escalation policy on its page (new alerts follow
the new delays, open ones their snapshot), sees who each step would reach now, the check-in schedules in
words with the heat-wave level, and the coverage check's gaps in words."""

from __future__ import annotations

import html
from datetime import datetime, timedelta

import httpx
import time_machine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.checkins.models import CheckinSchedule, HeatWaveLevel
from alerts.escalation.engine import tick
from alerts.escalation.models import EscalationPolicy
from alerts.models import AlertSource, Notification, Severity
from alerts.raising import raise_alert
from centrale.audit.models import AuditEvent, AuditOutcome
from centrale.clock import ROME
from centrale.db import Database
from centrale.events.service import commit
from centrale.operators.models import Role
from centrale.organisations.models import Organisation, OrgKind
from integrations.console_sms import ConsoleSmsSender
from tests import factories as f
from tests.alerts.escalation.helpers import District, district, three_step_policy
from tests.centrale.rota.helpers import take_off_duty
from web.api.deps import COOKIE_NAME

T0 = datetime(2025, 3, 4, 10, 0, tzinfo=ROME)  # a Tuesday, office open


async def _raise(session: AsyncSession, person_id: int | None) -> int:
    raised = await raise_alert(
        session, source=AlertSource.SEGNALAZIONE_SENTINELLA, severity=Severity.ALTA, summary="x", person_id=person_id
    )
    await commit(session)
    assert raised.alert.id is not None
    return raised.alert.id


async def _pua_at(database: Database, alert_id: int, d: District) -> list[datetime]:
    async with database.sessionmaker() as s:
        rows = await s.exec(
            select(Notification.created_at).where(
                col(Notification.alert_id) == alert_id, col(Notification.recipient_operator_id) == d.pua.id
            )
        )
        return list(rows.all())


def _form(policy: EscalationPolicy, **changes: str) -> dict[str, object]:
    """The policy page's form as the browser posts it, with some fields changed."""
    form: dict[str, object] = {
        "name": policy.name,
        "severity": policy.severity or "",
        "source": policy.source or "",
        "repeat_last": str(policy.repeat_last),
        "ack_timeout_minutes": str(policy.ack_timeout_minutes),
        "active": "1",
        "rows": str(len(policy.steps) + 1),
    }
    for i, step in enumerate(policy.steps):
        form |= {f"role_{i}": step["role"], f"channel_{i}": step["channels"], f"wait_{i}": str(step["wait_minutes"])}
    return form | changes


async def test_a_new_delay_for_new_alerts_the_snapshot_for_open_ones(
    client: httpx.AsyncClient, database: Database, session: AsyncSession
):
    d = await district(session)
    policy_id = await three_step_policy(session)  # tutor, wait 5; coordinator, wait 10; PUA
    admin = await f.operator(session, Role.AMMINISTRATORE, await f.org(session, OrgKind.CENTRALE))
    client.cookies.set(COOKIE_NAME, await f.token_for(session, admin))
    sms = ConsoleSmsSender()
    with time_machine.travel(T0, tick=False) as clock:
        older = await _raise(session, d.person.id)
        page = html.unescape((await client.get(f"/amministrazione/politiche/{policy_id}")).text)
        assert 'id="policy-form"' in page and "Chi verrebbe avvisato adesso" in page
        assert d.coordinatore.full_name in page and d.pua.full_name in page  # on duty now, by name
        assert "dipende dall'allerta" in page  # the tutor: through the alert's building or case

        policy = await session.get(EscalationPolicy, policy_id)
        assert policy is not None
        r = await client.post(f"/amministrazione/politiche/{policy_id}", data=_form(policy, wait_1="20"))
        assert r.status_code == 303, r.text
        saved = html.unescape((await client.get(r.headers["location"])).text)
        assert "Modifiche salvate" in saved and 'name="wait_1" min="0" max="10080" value="20"' in saved
        office = await session.get(Organisation, d.person.registered_by_org_id)
        assert office is not None
        neighbour = await f.person(session, office, cognome="Verdi")  # another person: another alert
        await f.assisted(session, d.condominio, neighbour, alias="B2")
        newer = await _raise(session, neighbour.id)
        assert newer != older

        for minute in (0, 5, 15, 25):
            clock.move_to(T0 + timedelta(minutes=minute))
            await tick(database, sender=sms, instance="test")
        clock.move_to(T0 + timedelta(hours=2))
        await tick(database, sender=sms, instance="test")
    # step 3 (PUA) comes 5 + 10 minutes after the older alert opened, 5 + 20 after the newer one
    assert [to.astimezone(ROME) for to in await _pua_at(database, older, d)] == [T0 + timedelta(minutes=15)]
    assert [to.astimezone(ROME) for to in await _pua_at(database, newer, d)] == [T0 + timedelta(minutes=25)]


async def test_a_bad_step_is_said_beside_the_form_and_others_are_refused(
    client: httpx.AsyncClient, session: AsyncSession
):
    policy_id = await three_step_policy(session)
    admin = await f.operator(session, Role.AMMINISTRATORE, await f.org(session, OrgKind.CENTRALE))
    client.cookies.set(COOKIE_NAME, await f.token_for(session, admin))
    policy = await session.get(EscalationPolicy, policy_id)
    assert policy is not None
    r = await client.post(f"/amministrazione/politiche/{policy_id}", data=_form(policy, channel_1=[]))
    assert r.status_code == 422 and 'id="form-error"' in r.text and "passo 2" in r.text
    await session.refresh(policy)
    assert policy.steps[1]["channels"] == ["BACHECA", "SMS"]

    coordinator = await f.operator(session, Role.COORDINATORE, await f.org(session, OrgKind.CENTRALE))
    client.cookies.set(COOKIE_NAME, await f.token_for(session, coordinator))
    assert (await client.get(f"/amministrazione/politiche/{policy_id}")).status_code == 403
    r = await client.post(f"/amministrazione/politiche/{policy_id}", data=_form(policy, wait_1="1"))
    assert r.status_code == 403
    await session.refresh(policy)
    assert policy.steps[1]["wait_minutes"] == 10
    refused = await session.exec(
        select(AuditEvent).where(
            col(AuditEvent.agent_operator_id) == coordinator.id, col(AuditEvent.outcome) == AuditOutcome.DENIED
        )
    )
    assert [e.subtype for e in refused.all()] == ["policy.update"]


async def test_check_ins_in_words_the_heat_level_and_the_coverage_gaps(
    client: httpx.AsyncClient, session: AsyncSession
):
    d = await district(session)
    await three_step_policy(session)
    coordinator = d.coordinatore
    client.cookies.set(COOKIE_NAME, await f.token_for(session, coordinator))
    r = await client.post(
        "/amministrazione/checkin",
        data={
            "target": f"persona:{d.person.id}",
            "phone": "+393331112233",
            "repeat": "GIORNALIERA",
            "at": "10:00",
            "repeat_dense": "SETTIMANALE",
            "day_dense": ["MO", "WE", "FR"],
            "at_dense": "9:00",
            "at_risk": "1",
            "window_minutes": "60",
        },
    )
    assert r.status_code == 303, r.text
    schedule = (await session.exec(select(CheckinSchedule))).one()
    assert (schedule.rrule, schedule.dense_rrule) == (
        "FREQ=DAILY;BYHOUR=10;BYMINUTE=0",
        "FREQ=WEEKLY;BYDAY=MO,WE,FR;BYHOUR=9;BYMINUTE=0",
    )
    page = html.unescape((await client.get("/amministrazione/checkin")).text)
    assert "da «tutti i giorni alle 10» a «lunedì, mercoledì e venerdì alle 9»" in page
    assert d.person.cognome not in page  # people are named by building and alias only
    assert "FREQ=" not in page

    assert (await client.post("/amministrazione/ondata-di-calore", data={"level": "2"})).status_code == 303
    assert (await session.exec(select(HeatWaveLevel.level))).all() == [2]
    page = html.unescape((await client.get("/amministrazione/checkin")).text)
    assert 'id="heat-level">2<' in page and "passano al loro calendario più fitto" in page

    await take_off_duty(session, d.pua)
    page = html.unescape((await client.get("/amministrazione/copertura")).text)
    assert "1 lacuna" in page and "raggiungibile (sms) in tutto il distretto" in page
