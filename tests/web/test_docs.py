"""The API's documentation pages work offline: Swagger UI and ReDoc load their scripts from this app."""

from __future__ import annotations

import httpx

from centrale.db import Database
from centrale.settings import Settings
from web.app import create_app

CDN_HOSTS = ("cdn.jsdelivr.net", "unpkg.com", "fastapi.tiangolo.com", "fonts.googleapis.com", "cdn.redoc.ly")


async def test_swagger_ui_and_redoc_load_their_assets_from_the_app(client: httpx.AsyncClient) -> None:
    for page, assets in (
        ("/docs", ["/docs/static/swagger-ui-bundle.js", "/docs/static/swagger-ui.css"]),
        ("/redoc", ["/docs/static/redoc.standalone.js"]),
    ):
        r = await client.get(page)
        assert r.status_code == 200, page
        assert not [host for host in CDN_HOSTS if host in r.text], page
        assert "/openapi.json" in r.text and "/static/favicon.svg" in r.text
        for asset in assets:
            assert asset in r.text
            served = await client.get(asset)
            assert served.status_code == 200 and len(served.content) > 10_000, asset
    assert (await client.get("/openapi.json")).json()["info"]["title"] == "Centrale Operativa di Distretto"


async def test_production_serves_neither_the_docs_nor_their_assets(database: Database) -> None:
    settings = Settings(
        environment="production",
        secret_key="x" * 40,
        database_url=database.url,
        public_url="https://centrale.example.org",
        scheduler_enabled=False,
    )
    app = create_app(settings, database=database)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://centrale.example.org") as c:
            for path in ("/docs", "/redoc", "/docs/static/swagger-ui-bundle.js", "/openapi.json"):
                assert (await c.get(path)).status_code == 404, path
