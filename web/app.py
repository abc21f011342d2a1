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
from centrale.settings import Settings, get_settings
from integrations.twilio.router import router as twilio_router
from web import errors, health, pages

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
        try:
            yield
        finally:
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
    app.include_router(twilio_router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
