"""/metrics as Prometheus reads it: request durations by route template, the webhooks' outcomes, what the
escalation did, the scheduler's ticks and the domain gauges, from this instance only."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
import time_machine
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.models import AlertSource, Severity
from alerts.raising import raise_alert
from centrale.db import Database
from centrale.events.service import commit
from centrale.settings import Settings
from tests import factories as f
from tests.alerts.escalation.helpers import district, three_step_policy
from tests.alerts.escalation.test_engine import T0
from tests.integrations.conftest import ACCOUNT, PUBLIC, TOKEN, post_signed
from web.app import create_app, make_scheduler
from web.metrics import UNMATCHED

SENTINEL_PHONE = "+393330000777"


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


async def scrape(client: httpx.AsyncClient) -> dict[str, list[Sample]]:
    r = await client.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    return {family.name: family.samples for family in text_string_to_metric_families(r.text)}


def value(samples: list[Sample], name: str, **labels: str) -> float:
    found = [s.value for s in samples if s.name == name and all(s.labels.get(k) == v for k, v in labels.items())]
    assert len(found) == 1, (name, labels, found)
    return found[0]


async def send_sms(client: httpx.AsyncClient, n: int, body: str = "aiuto") -> None:
    form = {"MessageSid": f"SM{n:032d}", "AccountSid": ACCOUNT, "From": SENTINEL_PHONE, "Body": body}
    assert (await post_signed(client, "/integrations/twilio/sms", form)).status_code == 200


async def test_requests_and_webhooks_after_a_few_sms(client: httpx.AsyncClient, session: AsyncSession) -> None:
    cond = await f.condominio(session)
    await f.sentinel(session, cond, phone=SENTINEL_PHONE)
    for n in range(3):
        await send_sms(client, n)
    stranger = {"MessageSid": "SM" + "e" * 32, "AccountSid": ACCOUNT, "From": "+393339999000", "Body": "aiuto"}
    assert (await post_signed(client, "/integrations/twilio/sms", stranger)).status_code == 200
    forged = {"MessageSid": "SM" + "f" * 32, "AccountSid": ACCOUNT, "From": SENTINEL_PHONE, "Body": "falso"}
    assert (await client.post("/integrations/twilio/sms", data=forged)).status_code == 403
    assert (await client.get("/api/v1/cases/12345")).status_code == 401
    assert (await client.get("/nessuna/pagina/per/Rossi")).status_code == 404
    for status in ("delivered", "inventato"):  # Twilio's status callbacks
        callback = {"MessageSid": "SM" + "d" * 32, "MessageStatus": status, "AccountSid": ACCOUNT}
        assert (await post_signed(client, "/integrations/twilio/status", callback)).status_code == 200
    for invented in ("ROSSI", "BIANCHI"):  # methods a caller makes up are one series, not one each
        await client.request(invented, "/healthz")

    families = await scrape(client)
    requests = families["centrale_http_request_duration_seconds"]
    sms_route = {"method": "POST", "route": "/integrations/twilio/sms"}
    assert value(requests, "centrale_http_request_duration_seconds_count", **sms_route, status="200") == 4
    assert value(requests, "centrale_http_request_duration_seconds_count", **sms_route, status="403") == 1
    assert value(requests, "centrale_http_request_duration_seconds_bucket", **sms_route, status="200", le="+Inf") == 4
    assert value(requests, "centrale_http_request_duration_seconds_sum", **sms_route, status="200") > 0
    # the route's template, never the raw path (unbounded, and a path may name someone)
    routes = {s.labels["route"] for s in requests}
    assert "/api/v1/cases/{case_id}" in routes and UNMATCHED in routes
    assert not any("12345" in route or "Rossi" in route for route in routes)
    assert {s.labels["method"] for s in requests} == {"GET", "POST", "OTHER"}

    webhooks = families["centrale_webhook_requests"]
    assert value(webhooks, "centrale_webhook_requests_total", webhook="sms", outcome="accepted") == 4
    assert value(webhooks, "centrale_webhook_requests_total", webhook="sms", outcome="invalid_signature") == 1
    assert value(webhooks, "centrale_webhook_requests_total", webhook="status", outcome="accepted") == 2
    delivery = families["centrale_sms_delivery_status"]
    assert value(delivery, "centrale_sms_delivery_status_total", status="delivered") == 1
    assert value(delivery, "centrale_sms_delivery_status_total", status="other") == 1
    # what triage made of them: the sentinel's reports handled, the stranger's in quarantine
    received = families["centrale_sms_received"]
    assert value(received, "centrale_sms_received_total", state="SMISTATO") == 3
    assert value(received, "centrale_sms_received_total", state="QUARANTENA") == 1
    assert value(received, "centrale_sms_received_total", state="SCARTATO") == 0

    # the domain gauges, read from the database when scraped
    opened = sum(s.value for s in families["centrale_alerts_open"])
    assert opened >= 1
    assert value(families["centrale_outbox_last_seq"], "centrale_outbox_last_seq") > 0
    assert value(families["centrale_board_clients"], "centrale_board_clients") == 0
    assert "process_cpu_seconds" in families  # the process collector (Linux)


async def test_escalation_steps_lateness_notifications_and_ticks(
    app: FastAPI, client: httpx.AsyncClient, session: AsyncSession, database: Database, settings: Settings
) -> None:
    d = await district(session)
    await three_step_policy(session)
    with time_machine.travel(T0, tick=False):
        raised = await raise_alert(
            session,
            source=AlertSource.SEGNALAZIONE_SENTINELLA,
            severity=Severity.ALTA,
            summary="x",
            person_id=d.person.id,
        )
        await commit(session)
    scheduler = make_scheduler(settings, database, app.state.sms_sender, "test", app.state.metrics)
    escalation = scheduler.get_job("escalation")
    assert raised.alert.next_step_at is not None
    with time_machine.travel(raised.alert.next_step_at + timedelta(seconds=90), tick=False):
        await escalation.func()  # the first step, run 90 seconds after it was due
    families = await scrape(client)
    assert value(families["centrale_escalation_steps"], "centrale_escalation_steps_total") == 1
    lateness = families["centrale_escalation_step_lateness_seconds"]
    assert value(lateness, "centrale_escalation_step_lateness_seconds_count") == 1
    assert value(lateness, "centrale_escalation_step_lateness_seconds_sum") == 90
    assert value(lateness, "centrale_escalation_step_lateness_seconds_bucket", le="60.0") == 0
    assert value(lateness, "centrale_escalation_step_lateness_seconds_bucket", le="120.0") == 1
    # the tutor's personal channel, and an SMS recorded then sent by the console transport
    notified = families["centrale_notifications"]
    assert value(notified, "centrale_notifications_total", channel="PERSONALE", status="INVIATA") == 1
    assert value(notified, "centrale_notifications_total", channel="SMS", status="IN_ATTESA") == 1
    assert value(notified, "centrale_notifications_total", channel="SMS", status="INVIATA") == 1
    jobs = families["centrale_scheduler_job_duration_seconds"]
    assert value(jobs, "centrale_scheduler_job_duration_seconds_count", job="escalation") == 1


async def test_each_instance_counts_its_own(client: httpx.AsyncClient, settings: Settings, database: Database) -> None:
    for _ in range(2):
        assert (await client.get("/healthz")).status_code == 200
    other = create_app(settings, database=database)  # a second instance in the same process
    async with other.router.lifespan_context(other):
        transport = httpx.ASGITransport(app=other)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other_client:
            from_other = await scrape(other_client)
    from_first = await scrape(client)
    healthz = {"method": "GET", "route": "/healthz", "status": "200"}
    first = from_first["centrale_http_request_duration_seconds"]
    assert value(first, "centrale_http_request_duration_seconds_count", **healthz) == 2
    assert not [s for s in from_other["centrale_http_request_duration_seconds"] if s.labels.get("route") == "/healthz"]
