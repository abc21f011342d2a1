"""The app wires its scheduled work and its SMS transport from the settings."""

from __future__ import annotations

from datetime import timedelta

import httpx
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.models import AlertSource, Severity
from alerts.raising import raise_alert
from alerts.service import acknowledge
from alerts.sms.service import set_opt_out
from centrale.db import Database
from centrale.events.service import commit, last_seq
from centrale.ports import OutgoingSms
from centrale.settings import Settings
from integrations.console_sms import ConsoleSmsSender
from integrations.twilio.sender import TwilioSmsSender
from tests.integrations.fake_twilio import FakeTwilioHttp
from web.app import create_app, make_sms_sender

TWILIO = {
    "sms_backend": "twilio",
    "twilio_account_sid": "AC0123456789abcdef0123456789abcdef",
    "twilio_auth_token": "token-di-prova",
    "twilio_from_number": "+390699999999",
}


def _interval(job: object) -> timedelta:
    trigger = job.trigger  # type: ignore[attr-defined]
    assert isinstance(trigger, IntervalTrigger)
    return trigger.interval  # type: ignore[no-any-return]


async def _jobs(settings: Settings, database: Database) -> tuple[dict[str, object], object]:
    app = create_app(settings.model_copy(update={"scheduler_enabled": True, "tick_seconds": 3.0}), database=database)
    async with app.router.lifespan_context(app):
        jobs = {job.id: job for job in app.state.scheduler.get_jobs()}
        sender = app.state.sms_sender
    return jobs, sender


async def test_the_scheduler_runs_every_job_at_its_pace(settings: Settings, database: Database) -> None:
    jobs, sender = await _jobs(settings, database)
    assert set(jobs) == {
        "escalation",
        "monitoring",
        "plans",
        "checkins",
        "coverage",
        "retention",
        "discharges",
        "rota.handoff",
    }
    for name in ("escalation", "monitoring", "checkins"):
        assert _interval(jobs[name]) == timedelta(seconds=3)
    assert _interval(jobs["plans"]) == timedelta(minutes=5)
    assert _interval(jobs["discharges"]) == timedelta(minutes=1)  # late milestones: a minute is soon enough
    coverage = jobs["coverage"].trigger  # type: ignore[attr-defined]
    assert isinstance(coverage, CronTrigger) and str(coverage.timezone) == "Europe/Rome"
    assert {f.name: str(f) for f in coverage.fields}["hour"] == "7"
    retention = jobs["retention"].trigger  # type: ignore[attr-defined]
    assert isinstance(retention, CronTrigger) and str(retention.timezone) == "Europe/Rome"
    assert {f.name: str(f) for f in retention.fields}["hour"] == "3"  # at night, once a day
    assert isinstance(sender, ConsoleSmsSender)


async def test_with_twilio_the_sender_is_twilio_and_inbound_is_reconciled(
    settings: Settings, database: Database
) -> None:
    jobs, sender = await _jobs(settings.model_copy(update=TWILIO), database)
    assert isinstance(sender, TwilioSmsSender)
    assert _interval(jobs["twilio.reconcile"]) == timedelta(minutes=1)


async def test_twilio_sender_sends_through_the_client_and_skips_opted_out_numbers(
    settings: Settings, database: Database, session: AsyncSession
) -> None:
    fake = FakeTwilioHttp()
    sender = make_sms_sender(settings.model_copy(update=TWILIO), database, http_client=fake)
    assert isinstance(sender, TwilioSmsSender)
    sent = await sender.send(OutgoingSms(to="+393330000555", body="Prova", key="k1", validity_seconds=600))
    assert sent.status == "queued" and len(fake.sent_to("+393330000555")) == 1
    assert fake.sent_to("+393330000555")[0].data["ValidityPeriod"] == 600  # type: ignore[index]
    await set_opt_out(session, phone="+393330000666", opted_out=True, word="STOP")
    await commit(session)
    blocked = await sender.send(OutgoingSms(to="+393330000666", body="Prova", key="k2"))
    assert blocked.error == "opt-out" and fake.sent_to("+393330000666") == []


async def test_console_sender_does_not_send_to_a_number_that_opted_out(
    settings: Settings, database: Database, session: AsyncSession
) -> None:
    sender = make_sms_sender(settings, database)
    assert isinstance(sender, ConsoleSmsSender)
    await set_opt_out(session, phone="+393330000666", opted_out=True, word="STOP")
    await commit(session)
    blocked = await sender.send(OutgoingSms(to="+393330000666", body="Prova", key="k"))
    ok = await sender.send(OutgoingSms(to="+393330000667", body="Prova", key="k2"))
    assert (blocked.error, ok.error) == ("opt-out", None)
    assert [m.to for m in sender.sent] == ["+393330000667"]


async def test_metrics_expose_lag_open_alerts_and_outbox_without_personal_data(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    for severity in (Severity.ALTA, Severity.ALTA, Severity.URGENTE):
        await raise_alert(session, source=AlertSource.OPERATORE, severity=severity, summary="Signora Rossi")
    await commit(session)
    closed = await raise_alert(session, source=AlertSource.OPERATORE, severity=Severity.BASSA, summary="x")
    await acknowledge(session, alert_id=closed.alert.id or 0, operator_id=None)
    await commit(session)
    seq = await last_seq(session)
    answer = await client.get("/metrics")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    lines = set(answer.text.splitlines())
    assert {
        'centrale_alerts_open{severity="ALTA"} 2.0',
        'centrale_alerts_open{severity="URGENTE"} 1.0',
        'centrale_alerts_open{severity="BASSA"} 1.0',
        'centrale_alerts_open{severity="MEDIA"} 0.0',
        f"centrale_outbox_last_seq {float(seq)}",
        "centrale_escalation_oldest_due_step_age_seconds 0.0",
    } <= lines
    assert "Rossi" not in answer.text
