"""The app factory: wires settings, database, bus, scheduler and routes into one FastAPI app."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from redis.asyncio import Redis

from alerts.checkins.router import router as checkins_router
from alerts.escalation.engine import tick
from alerts.escalation.jobs import audit_late_steps
from alerts.sms.router import router as sms_router
from centrale.api import router as api_router
from centrale.db import Database
from centrale.events.bus import EventBus, InProcessBus, OutboxReader
from centrale.events.redis_bus import RedisBus
from centrale.events.service import add_commit_listener, remove_commit_listener
from centrale.ports import SmsSender
from centrale.settings import Settings, get_settings
from integrations.console_sms import ConsoleSmsSender
from integrations.twilio.router import router as twilio_router
from web import errors, health, pages, pages_cases, simulator, tasks_pages
from web.board.hub import Hub, HubLimits
from web.board.router import router as board_router

STATIC = Path(__file__).parent / "static"


def make_bus(settings: Settings) -> EventBus:
    """The event bus by URL scheme: Redis when configured, in-process otherwise."""
    if settings.redis_url and settings.redis_url.startswith(("redis://", "rediss://", "unix://")):
        return RedisBus(settings.redis_url)
    return InProcessBus()


def make_sms_sender(settings: Settings) -> SmsSender:
    # the Twilio adapter is wired here by the SMS work; console until then
    return ConsoleSmsSender()


def create_app(settings: Settings | None = None, *, database: Database | None = None) -> FastAPI:
    """Build an app instance; tests pass their own settings (and may share a database)."""
    settings = settings or get_settings()
    instance = f"{socket.gethostname()}:{id(settings):x}"

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owns_db = database is None
        app.state.db = db = database or Database(settings.database_url)
        app.state.redis = None
        if settings.redis_url:
            app.state.redis = Redis.from_url(settings.redis_url)
        app.state.bus = bus = make_bus(settings)
        await bus.start()
        committed = bus.committed  # one bound method, so that it can be removed again
        add_commit_listener(committed, engine=db.engine)
        app.state.outbox = OutboxReader(db.sessionmaker, bus)
        app.state.hub = Hub(db, bus, HubLimits.from_settings(settings))
        await app.state.hub.start()
        app.state.sms_sender = sender = make_sms_sender(settings)
        scheduler = None
        if settings.scheduler_enabled:
            scheduler = AsyncIOScheduler(timezone="UTC")

            async def _tick() -> None:
                await tick(
                    db, sender=sender, instance=instance, lease_seconds=settings.escalation_lease_seconds
                )

            scheduler.add_job(
                _tick, "interval", seconds=settings.tick_seconds, max_instances=1, coalesce=True
            )
            scheduler.start()

        async def _escalation_probe() -> Any:
            return await audit_late_steps(db)

        app.state.readiness_probes["escalation"] = _escalation_probe
        try:
            yield
        finally:
            if scheduler is not None:
                scheduler.shutdown(wait=False)
            await app.state.hub.stop()
            remove_commit_listener(committed)
            await bus.stop()
            if app.state.redis is not None:
                await app.state.redis.aclose()
            if owns_db:
                await app.state.db.dispose()

    app = FastAPI(
        title="Centrale Operativa di Distretto",
        version="0.1.0",
        description="API della Centrale Operativa / Operations centre API",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.readiness_probes = {}
    errors.install(app)
    app.include_router(health.router)
    app.include_router(api_router, prefix="/api/v1")
    app.include_router(sms_router, prefix="/api/v1")
    app.include_router(checkins_router, prefix="/api/v1")
    app.include_router(twilio_router)
    app.include_router(pages.router)
    if settings.environment == "development":
        app.include_router(simulator.router)
    app.include_router(board_router)
    app.include_router(tasks_pages.router)
    app.include_router(pages_cases.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
