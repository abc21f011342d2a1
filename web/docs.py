"""The API's documentation pages (Swagger UI at ``/docs``, ReDoc at ``/redoc``) served from this app, not a CDN.

The scripts and styles come from the ``fastapi-offline`` distribution (its ``static`` folder, mounted
under ``/docs/static``), so the pages work without internet. The pages themselves are written here rather
than by FastAPI's helpers, whose pages start Swagger UI with an inline script: the start-up scripts are
files (``web/static/docs/``), so the docs' Content-Security-Policy allows no inline script (``web.security``).
They are mounted only when the settings publish the docs (``public_docs``: not in production by default);
the web guard answers 404 for ``/docs``, ``/redoc`` and ``/openapi.json`` otherwise.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = Path(fastapi_offline.__file__).parent / "static"
ASSETS_URL = "/docs/static"
OWN = "/static/docs"  # this app's start-up scripts and style (web/static/docs)
FAVICON = "/static/favicon.svg"
REDIRECT = "/docs/oauth2-redirect"


def _page(title: str, head: str, body: str) -> HTMLResponse:
    return HTMLResponse(
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<title>{escape(title)}</title>\n<link rel="icon" href="{FAVICON}">\n{head}</head>\n'
        f"<body>\n{body}</body>\n</html>\n"
    )


def swagger_ui_html(*, title: str, openapi_url: str, root: str = "") -> HTMLResponse:
    """Swagger UI: the bundle, then ``swagger-init.js`` reading its settings from the container's data."""
    return _page(
        title,
        f'<link rel="stylesheet" href="{root}{ASSETS_URL}/swagger-ui.css">\n',
        f'<div id="swagger-ui" data-openapi="{escape(openapi_url)}" data-oauth2-redirect="{root}{REDIRECT}"></div>\n'
        f'<script src="{root}{ASSETS_URL}/swagger-ui-bundle.js"></script>\n'
        f'<script src="{root}{OWN}/swagger-init.js"></script>\n',
    )


def redoc_html(*, title: str, openapi_url: str, root: str = "") -> HTMLResponse:
    """ReDoc: its standalone bundle starts itself on the ``<redoc>`` element; no Google fonts."""
    return _page(
        title,
        f'<link rel="stylesheet" href="{root}{OWN}/docs.css">\n',
        "<noscript>ReDoc requires JavaScript.</noscript>\n"
        f'<redoc spec-url="{escape(openapi_url)}"></redoc>\n'
        f'<script src="{root}{ASSETS_URL}/redoc.standalone.js"></script>\n',
    )


def install(app: FastAPI, *, public: bool) -> None:
    """Add ``/docs`` and ``/redoc`` with local assets (create the app with ``docs_url=None, redoc_url=None``)."""
    if not public:
        return
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS), name="docs-static")

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return swagger_ui_html(title=app.title + " - Swagger UI", openapi_url=f"{root}{app.openapi_url}", root=root)

    @app.get(REDIRECT, include_in_schema=False)
    async def swagger_ui_redirect(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return _page("Swagger UI: OAuth2 Redirect", "", f'<script src="{root}{OWN}/oauth2-redirect.js"></script>\n')

    @app.get("/redoc", include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return redoc_html(title=app.title + " - ReDoc", openapi_url=f"{root}{app.openapi_url}", root=root)
