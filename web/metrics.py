"""Prometheus metrics of this instance (``prometheus-client``), no personal data. See docs/OBSERVABILITY.md.

Each app has its own registry (tests build many apps in one process; every instance reports its own).
The hot path stays cheap: a request's duration is observed by a small ASGI layer into a histogram child
cached per (method, route template, status), and a webhook's outcome increments a pre-made counter
child; nothing reads the database per request. The domain gauges (open alerts, the oldest due step, the
outbox position and this instance's lag behind it) are read from the database when Prometheus scrapes.
"""

from __future__ import annotations

import time
from collections import Counter as Tally
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func
from sqlmodel import col, select
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from alerts.escalation.engine import TickResult
from alerts.escalation.jobs import oldest_due_age
from alerts.models import OPEN_STATES, Alert, Channel, Severity
from alerts.sms.models import InboundState
from centrale.events.service import last_seq
from web import container

router = APIRouter(tags=["salute"])

#: request durations: the webhook answers in milliseconds, a report page may take a second or more
REQUEST_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
#: how late an escalation step ran after it was due (the tick runs every few seconds)
LATENESS_BUCKETS = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 900.0, 3600.0)
JOB_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
TWILIO_STATUSES = frozenset(
    {"accepted", "scheduled", "canceled", "queued", "sending", "sent", "failed", "delivered", "undelivered", "read"}
)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_NOTHING: dict[str, Any] = {}
UNMATCHED = "<unmatched>"  # a path no route matched: never the raw path (unbounded, may hold data)
#: Twilio's webhooks, and what their answers mean (a status the table lacks is counted as ``http_<status>``)
WEBHOOKS = {"/integrations/twilio/sms": "sms", "/integrations/twilio/status": "status"}
OUTCOMES = {
    200: "accepted",
    400: "missing_parameters",
    403: "invalid_signature",
    413: "too_large",
    422: "invalid",
    500: "error",
    503: "retry",
}


class _HubCollector(Collector):
    """Why board clients left this instance, read from the hub's tally when scraped."""

    def __init__(self) -> None:
        self.dropped: Tally[str] | None = None

    def collect(self) -> Iterator[CounterMetricFamily]:
        family = CounterMetricFamily(
            "centrale_board_clients_dropped", "Board clients that left this instance, by reason", labels=["reason"]
        )
        for reason, count in sorted((self.dropped or {}).items()):
            family.add_metric([reason], count)
        yield family


class Metrics:
    """The instruments of one app instance, in a registry of its own."""

    def __init__(self) -> None:
        self.registry = registry = CollectorRegistry()
        ProcessCollector(registry=registry)
        PlatformCollector(registry=registry)
        GCCollector(registry=registry)
        self.requests = Histogram(
            "centrale_http_request_duration_seconds",
            "HTTP request duration by method, route template and status",
            ["method", "route", "status"],
            buckets=REQUEST_BUCKETS,
            registry=registry,
        )
        self.webhooks = Counter(
            "centrale_webhook_requests",
            "Twilio webhook requests by webhook and outcome",
            ["webhook", "outcome"],
            registry=registry,
        )
        self.sms_received = Counter(
            "centrale_sms_received",
            "SMS received through the webhook, by what triage made of them (SMISTATO, QUARANTENA, OPT, COMANDO...)",
            ["state"],
            registry=registry,
        )
        self._sms_children = {state: self.sms_received.labels(state.value) for state in InboundState}
        self.delivery_statuses = Counter(
            "centrale_sms_delivery_status",
            "Delivery statuses Twilio reported for sent SMS (its status callback)",
            ["status"],
            registry=registry,
        )
        self.escalation_steps = Counter(
            "centrale_escalation_steps", "Escalation steps run by this instance", registry=registry
        )
        self.escalation_retriggered = Counter(
            "centrale_escalation_retriggered",
            "Acknowledged alerts that started escalating again (no resolution in time)",
            registry=registry,
        )
        self.escalation_lateness = Histogram(
            "centrale_escalation_step_lateness_seconds",
            "How long after it was due an escalation step ran",
            buckets=LATENESS_BUCKETS,
            registry=registry,
        )
        self.notifications = Counter(
            "centrale_notifications",
            "Notifications by channel and the state this instance recorded for them",
            ["channel", "status"],
            registry=registry,
        )
        self.jobs = Histogram(
            "centrale_scheduler_job_duration_seconds",
            "Duration of one run of a scheduled job (a tick)",
            ["job"],
            buckets=JOB_BUCKETS,
            registry=registry,
        )
        self.job_failures = Counter(
            "centrale_scheduler_job_failures", "Runs of a scheduled job that raised", ["job"], registry=registry
        )
        self.board_clients = Gauge(
            "centrale_board_clients", "Board websocket clients connected to this instance", registry=registry
        )
        self.outbox_lag = Gauge(
            "centrale_outbox_lag_events",
            "Committed events this instance's board hub has not read yet",
            registry=registry,
        )
        self.oldest_due = Gauge(
            "centrale_escalation_oldest_due_step_age_seconds",
            "Seconds since the oldest due, not yet run escalation step was due",
            registry=registry,
        )
        self.alerts_open = Gauge(
            "centrale_alerts_open", "Open alerts (nuova or presa visione) by severity", ["severity"], registry=registry
        )
        self.outbox_last_seq = Gauge(
            "centrale_outbox_last_seq", "Highest committed event sequence number", registry=registry
        )
        self._hub = _HubCollector()
        registry.register(self._hub)
        self._request_children: dict[tuple[str, str, int], Any] = {}
        self._webhook_children: dict[tuple[str, int], Any] = {}

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        """One request's duration (the label child made once per method, route and status)."""
        if method not in METHODS:  # a caller may invent methods: they count as one, so the series stay bounded
            method = "OTHER"
        key = (method, route, status)
        child = self._request_children.get(key)
        if child is None:
            child = self._request_children[key] = self.requests.labels(method, route, str(status))
        child.observe(seconds)

    def webhook(self, webhook: str, status: int) -> None:
        """One Twilio webhook's outcome, told by its answer (stored, refused, asked to retry...)."""
        key = (webhook, status)
        child = self._webhook_children.get(key)
        if child is None:
            outcome = OUTCOMES.get(status, f"http_{status}")
            child = self._webhook_children[key] = self.webhooks.labels(webhook, outcome)
        child.inc()

    def received(self, state: InboundState) -> None:
        """One SMS the webhook stored (or found again, for a retry), in the state triage left it."""
        self._sms_children[state].inc()

    def delivery_status(self, status: str) -> None:
        """A status callback's ``MessageStatus`` (Twilio's names; anything else counts as ``other``)."""
        self.delivery_statuses.labels(status if status in TWILIO_STATUSES else "other").inc()

    def escalation(self, result: TickResult) -> None:
        """What one escalation tick did."""
        if result.steps_run:
            self.escalation_steps.inc(result.steps_run)
        if result.retriggered:
            self.escalation_retriggered.inc(result.retriggered)
        for seconds in result.lateness:
            self.escalation_lateness.observe(max(seconds, 0.0))
        for (channel, state), count in result.notified.items():
            self.notifications.labels(channel, state).inc(count)
        for state, count in result.sms.items():
            self.notifications.labels(Channel.SMS.value, str(state).upper()).inc(count)

    def timed(self, job: str, run: Callable[[], Awaitable[Any]]) -> Callable[[], Awaitable[None]]:
        """``run`` as a scheduled job whose duration and failures are counted under ``job``."""
        histogram, failures = self.jobs.labels(job), self.job_failures.labels(job)

        async def job_run() -> None:
            start = time.perf_counter()
            try:
                await run()
            except Exception:
                failures.inc()
                raise
            finally:
                histogram.observe(time.perf_counter() - start)

        job_run.__name__ = f"{job}_timed"
        return job_run

    async def refresh(self, request: Request) -> None:
        """The gauges read when scraped: from the database and this instance's hub."""
        db = container.database(request)
        self.oldest_due.set(round(await oldest_due_age(db), 1))
        async with db.sessionmaker() as session:
            rows = await session.exec(
                select(col(Alert.severity), func.count())  # type: ignore[call-overload]
                .where(col(Alert.state).in_(OPEN_STATES))
                .group_by(col(Alert.severity))
            )
            open_by_severity = {Severity(s): int(n) for s, n in rows.all()}
            seq = await last_seq(session)
        for severity in Severity:
            self.alerts_open.labels(severity.value).set(open_by_severity.get(severity, 0))
        self.outbox_last_seq.set(seq)
        hub = container.hub(request)
        self.board_clients.set(len(hub.clients))
        self.outbox_lag.set(max(seq - hub.mark, 0))
        self._hub.dropped = hub.dropped


def route_template(scope: Scope) -> str:
    """The matched route's template with its router's prefix (``/api/v1/cases/{case_id}``), else UNMATCHED.

    FastAPI keeps an included router's routes unprefixed and records the route context it selected, with
    the full template, on the scope it shares with us (tests/web/test_metrics.py checks the prefix)."""
    context = (scope.get("fastapi") or _NOTHING).get("effective_route_context")
    template = getattr(context, "path_format", None) or getattr(scope.get("route"), "path", None)
    return template or UNMATCHED


class RequestMetrics:
    """Observes every HTTP request's duration under its route template (``/api/v1/cases/{case_id}``)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500  # what the client gets if the app raises before answering

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            self.metrics.observe_request(scope["method"], route_template(scope), status, time.perf_counter() - start)
            webhook = WEBHOOKS.get(scope["path"])
            if webhook is not None:  # by path: a body too large is refused before any route matches
                self.metrics.webhook(webhook, status)


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    """Counts, durations and ages only: safe for the monitoring network (the guard limits who may read)."""
    instruments = container.metrics(request)
    await instruments.refresh(request)
    return Response(generate_latest(instruments.registry), media_type=CONTENT_TYPE_LATEST)


def install(app: Any) -> Metrics:
    """The instance's instruments and the request layer (``web/app.py``)."""
    instruments = Metrics()
    app.state.metrics = instruments
    app.add_middleware(RequestMetrics, metrics=instruments)
    return instruments
