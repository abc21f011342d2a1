"""The app factory: wires settings, database, bus, scheduler and routes into one FastAPI app."""

from __future__ import annotations

import gc
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from redis.asyncio import Redis

from alerts.checkins.jobs import Pace, checkin_tick
from alerts.coverage import check_coverage
from alerts.discharges.jobs import raise_overdue as raise_overdue_discharges
from alerts.escalation.engine import tick
from alerts.escalation.jobs import audit_late_steps
from alerts.monitoring import monitoring_tick, plan_pass
from alerts.retention import RetentionPolicy, apply_retention
from alerts.rota.handoff import notify_handoffs
from alerts.sms.batch import InboundBatcher
from alerts.sms.feedback import send_feedback_sms
from centrale.clock import ROME
from centrale.db import Database
from centrale.events.bus import EventBus, InProcessBus
from centrale.events.redis_bus import RedisBus
from centrale.events.service import add_commit_listener, remove_commit_listener
from centrale.ports import SmsSender, VoiceCaller
from centrale.settings import Settings, get_settings
from integrations.console_sms import ConsoleSmsSender
from integrations.twilio.dbrate import DatabaseRateLimiter
from integrations.twilio.rate import Limiter, SharedRateLimiter
from integrations.twilio.reconcile import reconcile_inbound
from integrations.twilio.sender import TwilioSmsSender, twilio_client
from integrations.twilio.status_queue import StatusQueue
from integrations.twilio.voice import make_voice_caller
from integrations.twilio.voice_retention import purge_recordings
from integrations.webpush import wiring as push_wiring
from web import docs, errors, health, logs, metrics, security, tracing
from web.api import v1
from web.api.alerts import router as alerts_router
from web.api.checkins import router as checkins_router
from web.api.evaluation import router as evaluation_router
from web.api.fhir import router as fhir_router
from web.api.policies import router as policies_router
from web.api.reports import router as reports_router
from web.api.siuss import router as siuss_router
from web.api.sms import router as sms_router
from web.api.twilio import router as twilio_router
from web.api.twilio_voice import router as twilio_voice_router
from web.api.waas import router as waas_router
from web.board.discharges import router as board_discharges_router
from web.board.hub import Hub, HubLimits
from web.board.more import router as board_more_router
from web.board.router import router as board_router
from web.pages import admin as pages_admin
from web.pages import admin_checkins as pages_admin_checkins
from web.pages import assessments as pages_assessments
from web.pages import base as pages
from web.pages import cases as pages_cases
from web.pages import contacts as pages_contacts
from web.pages import discharge_file as pages_discharge_file
from web.pages import discharges as pages_discharges
from web.pages import handover as pages_handover
from web.pages import history as pages_history
from web.pages import interop as pages_interop
from web.pages import plans as pages_plans
from web.pages import pwa as pages_pwa
from web.pages import referrals as pages_referrals
from web.pages import registry_access as pages_registry_access
from web.pages import registry_condomini as pages_registry_condomini
from web.pages import registry_orgs as pages_registry_orgs
from web.pages import registry_persons as pages_registry_persons
from web.pages import reports as reports_pages
from web.pages import rota as pages_rota
from web.pages import rota_forms as pages_rota_forms
from web.pages import search as pages_search
from web.pages import simulator
from web.pages import smslog as pages_smslog
from web.pages import tasks as tasks_pages
from web.pages import team as pages_team
from web.pages import voice_reports as pages_voice_reports

STATIC = Path(__file__).parent / "static"


def make_bus(settings: Settings) -> EventBus:
    """The event bus by URL scheme: Redis when configured, in-process otherwise."""
    if settings.redis_url and settings.redis_url.startswith(("redis://", "rediss://", "unix://")):
        return RedisBus(settings.redis_url)
    return InProcessBus()


def make_sms_sender(
    settings: Settings, database: Database, *, http_client: Any = None, redis: Redis | None = None
) -> SmsSender:
    """Twilio when ``CENTRALE_SMS_BACKEND=twilio``, else the console transport; both respect opt-outs. The
    sending rate is shared by every instance through Redis (integrations/twilio/rate.py) or, without Redis,
    through PostgreSQL (integrations/twilio/dbrate.py); SQLite is one process, whose own limiter is exact."""
    if settings.sms_backend == "twilio":
        limiter: Limiter | None = None
        if redis is not None:
            limiter = SharedRateLimiter(redis, settings.sms_per_second)
        elif not database.is_sqlite:
            limiter = DatabaseRateLimiter(database.engine, settings.sms_per_second)
        return TwilioSmsSender(
            client=twilio_client(settings, http_client), database=database, settings=settings, limiter=limiter
        )
    return ConsoleSmsSender(database=database)


#: what each scheduled job runs: the flows of centrale.flows (tests/test_surfaces.py checks the table)
JOB_FLOWS: dict[str, tuple[str, ...]] = {
    "escalation": ("escalation.tick", "sms.feedback"),
    "monitoring": ("monitoring.tick",),
    "plans": ("plans.generate_tasks",),
    "checkins": ("checkins.tick",),
    "coverage": ("coverage.check",),
    "rota.handoff": ("rota.handoff",),
    "discharges": ("discharge.raise_overdue",),
    "twilio.reconcile": ("twilio.reconcile",),
    "retention": ("retention.apply",),
    "voice.recordings": ("voice.recordings_purge",),
}


def make_scheduler(
    settings: Settings,
    db: Database,
    sender: SmsSender,
    instance: str,
    instruments: metrics.Metrics | None = None,
    caller: VoiceCaller | None = None,
) -> AsyncIOScheduler:
    """The scheduled work every instance runs (each job is safe to run in several instances at once)."""
    scheduler = AsyncIOScheduler(timezone="UTC")
    every = {"max_instances": 1, "coalesce": True}
    instruments = instruments or metrics.Metrics()

    async def _escalation() -> None:
        done = await tick(
            db, sender=sender, caller=caller, instance=instance, lease_seconds=settings.escalation_lease_seconds
        )
        instruments.escalation(done)
        await send_feedback_sms(db, sender=sender)

    async def _monitoring() -> None:
        await monitoring_tick(db, sender=sender, reminder_lead=timedelta(minutes=settings.task_reminder_minutes))

    async def _plans() -> None:
        await plan_pass(
            db, horizon=timedelta(days=settings.task_horizon_days), warning_days=settings.plan_end_warning_days
        )

    pace = Pace(spread=timedelta(seconds=settings.checkin_spread_seconds), per_second=settings.sms_per_second)

    async def _checkins() -> None:
        await checkin_tick(db, sender=sender, pace=pace)

    async def _coverage() -> None:
        await check_coverage(db)

    async def _handoffs() -> None:
        await notify_handoffs(db)

    async def _discharges() -> None:
        await raise_overdue_discharges(db)

    retention = RetentionPolicy.from_settings(settings)

    async def _retention() -> None:
        await apply_retention(db, policy=retention)

    tick_seconds = settings.tick_seconds
    timed = instruments.timed  # each run's duration and failures, per job
    scheduler.add_job(timed("escalation", _escalation), "interval", seconds=tick_seconds, id="escalation", **every)
    scheduler.add_job(timed("monitoring", _monitoring), "interval", seconds=tick_seconds, id="monitoring", **every)
    scheduler.add_job(timed("plans", _plans), "interval", minutes=5, id="plans", **every)
    scheduler.add_job(timed("checkins", _checkins), "interval", seconds=tick_seconds, id="checkins", **every)
    scheduler.add_job(timed("discharges", _discharges), "interval", minutes=1, id="discharges", **every)
    # every morning before the offices open, in Rome time
    scheduler.add_job(timed("coverage", _coverage), "cron", hour=7, minute=0, timezone=ROME, id="coverage", **every)
    # each minute: the shift hand-offs just passed tell the incoming and the outgoing operator
    scheduler.add_job(timed("rota.handoff", _handoffs), "interval", minutes=1, id="rota.handoff", **every)
    # every night, when nobody is at work
    scheduler.add_job(timed("retention", _retention), "cron", hour=3, minute=30, timezone=ROME, id="retention", **every)
    if settings.sms_backend == "twilio":
        client = twilio_client(settings)

        async def _reconcile() -> None:
            await reconcile_inbound(db, client=client, settings=settings)

        scheduler.add_job(timed("twilio.reconcile", _reconcile), "interval", minutes=1, id="twilio.reconcile", **every)
    if settings.twilio_account_sid and settings.twilio_auth_token:
        voice_client = twilio_client(settings)

        async def _recordings() -> None:
            await purge_recordings(db, client=voice_client, policy=retention)

        # the messages left by phone, deleted at Twilio before the retention forgets where they are
        scheduler.add_job(
            timed("voice.recordings", _recordings),
            "cron",
            hour=3,
            minute=0,
            timezone=ROME,
            id="voice.recordings",
            **every,
        )
    return scheduler


def create_app(settings: Settings | None = None, *, database: Database | None = None) -> FastAPI:
    """Build an app instance; tests pass their own settings (and may share a database)."""
    settings = settings or get_settings()
    instance = f"{socket.gethostname()}:{id(settings):x}"

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owns_db = database is None
        app.state.db = db = database or Database(settings.database_url)
        app.state.inbound = InboundBatcher(db.sessionmaker, max_batch=settings.inbound_batch)
        app.state.redis = None
        if settings.redis_url:
            app.state.redis = Redis.from_url(settings.redis_url)
        app.state.bus = bus = make_bus(settings)
        await bus.start()
        committed = bus.committed  # one bound method, so that remove_commit_listener finds it again
        add_commit_listener(committed, engine=db.engine)
        app.state.hub = hub = Hub(db, bus, HubLimits.from_settings(settings))
        await hub.start()
        app.state.sms_sender = sender = make_sms_sender(settings, db, redis=app.state.redis)
        # with Redis, delivery-status callbacks are queued and applied in batches (status_queue.py)
        app.state.status_queue = None
        if app.state.redis is not None:
            app.state.status_queue = StatusQueue(app.state.redis, db, consumer=instance)
            await app.state.status_queue.start()
        app.state.voice_caller = caller = make_voice_caller(settings)
        app.state.push_sender = push_wiring.start(settings, db)  # alerts.push finds it by the database
        app.state.scheduler = scheduler = None
        if settings.scheduler_enabled:
            app.state.scheduler = scheduler = make_scheduler(
                settings, db, sender, instance, app.state.metrics, caller=caller
            )
            scheduler.start()

        async def _escalation_probe() -> Any:
            return await audit_late_steps(db)

        app.state.readiness_probes["escalation"] = _escalation_probe
        if settings.environment == "production":
            # what start-up built lives as long as the process: full collections then walk only
            # what came since, so the collector's pauses stay short however big the imports are
            gc.collect()
            gc.freeze()
        try:
            yield
        finally:
            if scheduler is not None:
                scheduler.shutdown(wait=False)
            await hub.stop()
            push_wiring.stop(db)
            remove_commit_listener(committed)
            await bus.stop()
            if app.state.status_queue is not None:
                await app.state.status_queue.stop()
            if app.state.redis is not None:
                await app.state.redis.aclose()
            if owns_db:
                await app.state.db.dispose()

    app = FastAPI(
        title="Centrale Operativa di Distretto",
        version="0.1.0",
        description="API della Centrale Operativa / Operations centre API",
        lifespan=lifespan,
        docs_url=None,  # web/docs.py serves them, with local assets
        redoc_url=None,
        telemetry=tracing.telemetry(),  # traces only when OTEL_* asks for them
    )
    app.state.settings = settings
    app.state.readiness_probes = {}
    errors.install(app)
    security.install(app, settings)
    metrics.install(app)  # inside the request id, outside the guard: refused requests are timed too
    # added last: the outermost layer, so that the others' log lines carry the request id
    logs.install(app, logs.format_of(settings))
    app.include_router(twilio_router)  # first: routes are matched in order, and this is the hot path
    app.include_router(twilio_voice_router)
    # the board's socket next: a handshake then neither walks nor (lazily) builds every HTTP route
    app.include_router(board_router)
    app.include_router(board_more_router)
    app.include_router(board_discharges_router)
    app.include_router(health.router)
    app.include_router(metrics.router)
    app.include_router(v1.router, prefix="/api/v1")
    app.include_router(alerts_router, prefix="/api/v1")
    app.include_router(policies_router, prefix="/api/v1")
    app.include_router(sms_router, prefix="/api/v1")
    app.include_router(checkins_router, prefix="/api/v1")
    app.include_router(siuss_router, prefix="/api/v1")
    app.include_router(fhir_router, prefix="/api/v1")
    app.include_router(reports_router, prefix="/api/v1")
    app.include_router(evaluation_router, prefix="/api/v1")
    app.include_router(waas_router, prefix="/waas/v1")
    app.include_router(pages.router)
    app.include_router(tasks_pages.router)
    app.include_router(pages_pwa.router)  # /sw.js and the notices page
    app.include_router(pages_cases.router)
    app.include_router(reports_pages.router)
    if settings.environment == "development":
        app.include_router(simulator.router)
    app.include_router(pages_assessments.router)
    app.include_router(pages_team.router)
    app.include_router(pages_referrals.router)
    app.include_router(pages_plans.router)
    app.include_router(pages_admin.router)
    app.include_router(pages_admin_checkins.router)
    app.include_router(pages_interop.router)
    app.include_router(pages_registry_persons.router)
    app.include_router(pages_registry_access.router)
    app.include_router(pages_registry_condomini.router)
    app.include_router(pages_registry_orgs.router)
    app.include_router(pages_history.router)
    app.include_router(pages_contacts.router)
    app.include_router(pages_rota.router)
    app.include_router(pages_rota_forms.router)
    app.include_router(pages_handover.router)
    app.include_router(pages_search.router)
    app.include_router(pages_smslog.router)
    app.include_router(pages_voice_reports.router)
    app.include_router(pages_discharges.router)
    app.include_router(pages_discharge_file.router)
    docs.install(app, public=bool(settings.public_docs))
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
