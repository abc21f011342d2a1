"""The app factory: wires settings, database, bus, scheduler and routes into one FastAPI app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from redis.asyncio import Redis

from centrale.api import router as api_router
from centrale.db import Database
from centrale.events.bus import EventBus, InProcessBus
from centrale.events.redis_bus import RedisBus
from centrale.events.service import add_commit_listener, remove_commit_listener
from centrale.settings import Settings, get_settings
from web import errors, health, pages
from web.board.hub import Hub, HubLimits
from web.board.router import router as board_router

STATIC = Path(__file__).parent / "static"


def create_app(settings: Settings | None = None, *, database: Database | None = None) -> FastAPI:
    """Build an app instance; tests pass their own settings (and may share a database)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owns_db = database is None
        app.state.db = database or Database(settings.database_url)
        app.state.redis = None
        if settings.redis_url:
            app.state.redis = Redis.from_url(settings.redis_url)
        # the event bus wakes outbox readers after each commit (every instance's, with Redis)
        bus: EventBus = RedisBus(settings.redis_url) if settings.redis_url else InProcessBus()
        await bus.start()
        committed = bus.committed  # one bound method, so that it can be removed again
        add_commit_listener(committed, engine=app.state.db.engine)
        app.state.bus = bus
        app.state.hub = Hub(app.state.db, bus, HubLimits.from_settings(settings))
        await app.state.hub.start()
        try:
            yield
        finally:
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
    app.include_router(pages.router)
    app.include_router(board_router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
