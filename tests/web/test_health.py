"""Liveness and readiness, with and without Redis."""

from __future__ import annotations

import httpx

from centrale.db import Database
from centrale.settings import Settings
from web.app import create_app


async def _get(settings: Settings, database: Database, path: str) -> httpx.Response:
    app = create_app(settings, database=database)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c:
            return await c.get(path)


async def test_healthz_and_readyz_with_database_only(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"]["database"] == "ok"
    assert "redis" not in ready.json()["checks"]


async def test_readyz_checks_redis_when_configured(settings: Settings, database: Database, redis_url: str) -> None:
    ok = await _get(settings.model_copy(update={"redis_url": redis_url}), database, "/readyz")
    assert ok.status_code == 200 and ok.json()["checks"]["redis"] == "ok"
    down = await _get(settings.model_copy(update={"redis_url": "redis://127.0.0.1:1/0"}), database, "/readyz")
    assert down.status_code == 503 and down.json()["checks"]["redis"].startswith("error")
