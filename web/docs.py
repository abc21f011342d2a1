"""The API's documentation pages (Swagger UI at ``/docs``, ReDoc at ``/redoc``) served from this app, not a CDN.

The scripts and styles come from the ``fastapi-offline`` distribution (its ``static`` folder, mounted
under ``/docs/static``), so the pages work without internet. They are mounted only when the settings
publish the docs (``public_docs``: not in production by default); the web guard answers 404 for
``/docs``, ``/redoc`` and ``/openapi.json`` otherwise.
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = Path(fastapi_offline.__file__).parent / "static"
ASSETS_URL = "/docs/static"
FAVICON = "/static/favicon.svg"


def install(app: FastAPI, *, public: bool) -> None:
    """Add ``/docs`` and ``/redoc`` with local assets (create the app with ``docs_url=None, redoc_url=None``)."""
    if not public:
        return
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS), name="docs-static")
    redirect = "/docs/oauth2-redirect"

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=app.title + " - Swagger UI",
            oauth2_redirect_url=redirect,
            swagger_js_url=f"{root}{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=FAVICON,
        )

    @app.get(redirect, include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/redoc", include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_redoc_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=app.title + " - ReDoc",
            redoc_js_url=f"{root}{ASSETS_URL}/redoc.standalone.js",
            redoc_favicon_url=FAVICON,
            with_google_fonts=False,
        )
