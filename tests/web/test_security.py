"""The web surface's guard: cross-site requests refused and audited, security headers on every route,
the production settings that refuse plain http, and what is not served publicly (docs, metrics)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import ValidationError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.models import Alert, AlertSource, AlertState, Severity
from alerts.raising import raise_alert
from centrale.audit.models import AuditEvent, AuditOutcome
from centrale.cases.models import DiaryEntry
from centrale.db import Database
from centrale.events.service import commit
from centrale.operators.models import Role
from centrale.organisations.models import OrgKind
from centrale.settings import Settings
from tests import factories as f
from tests.centrale.test_cases import open_case
from web.api.deps import COOKIE_NAME
from web.app import create_app
from web.security import DOCS_CSP, REDOC_CSP

FOREIGN = "http://127.0.0.1:9"


async def _case_and_alert(client: httpx.AsyncClient, session: AsyncSession) -> tuple[int, int, str, str]:
    """A case of a case manager and an open alert a coordinator may acknowledge, with both tokens."""
    municipio = await f.org(session, OrgKind.MUNICIPIO)
    cm = await f.operator(session, Role.CASE_MANAGER, municipio)
    cm_token = await f.token_for(session, cm)
    who = await f.person(session, municipio)
    assert who.id is not None
    case = await open_case(client, cm_token, who.id)
    centrale = await f.org(session, OrgKind.CENTRALE)
    coordinator = await f.operator(session, Role.COORDINATORE, centrale)
    raised = await raise_alert(
        session, source=AlertSource.OPERATORE, severity=Severity.MEDIA, summary="Allerta di prova", person_id=who.id
    )
    await commit(session)
    assert raised.alert.id is not None
    return int(case["id"]), raised.alert.id, cm_token, await f.token_for(session, coordinator)


async def _csrf_rows(session: AsyncSession) -> list[AuditEvent]:
    session.expire_all()
    return list((await session.exec(select(AuditEvent).where(col(AuditEvent.subtype) == "csrf"))).all())


async def _state(session: AsyncSession, alert_id: int) -> AlertState:
    session.expire_all()
    alert = await session.get(Alert, alert_id)
    assert alert is not None
    return alert.state


@pytest.mark.parametrize(
    "headers",
    [
        {},  # neither Origin nor Sec-Fetch-Site: an old browser or a forged request, refused all the same
        {"Origin": FOREIGN},
        {"Origin": "null", "Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "http://testserver.evil.example"},
    ],
)
async def test_cookie_writes_from_elsewhere_are_refused_and_audited(
    client: httpx.AsyncClient, session: AsyncSession, headers: dict[str, str]
) -> None:
    case_id, alert_id, cm_token, coordinator_token = await _case_and_alert(client, session)
    client.headers.pop("Origin", None)

    client.cookies.set(COOKIE_NAME, cm_token)
    r = await client.post(f"/casi/{case_id}/diario", data={"kind": "NOTA", "text": "scritto altrove"}, headers=headers)
    assert r.status_code == 403 and "non proviene dalle pagine" in r.text
    assert (await session.exec(select(DiaryEntry))).all() == []

    client.cookies.set(COOKIE_NAME, coordinator_token)
    r = await client.post(f"/api/v1/alerts/{alert_id}/acknowledge", json={}, headers=headers)
    assert r.status_code == 403 and "non proviene dalle pagine" in r.json()["detail"]
    assert await _state(session, alert_id) == AlertState.NUOVA

    rows = await _csrf_rows(session)
    assert [(row.outcome, row.entity_id) for row in rows] == [
        (AuditOutcome.DENIED, f"POST /casi/{case_id}/diario"),
        (AuditOutcome.DENIED, f"POST /api/v1/alerts/{alert_id}/acknowledge"),
    ]
    assert rows[0].agent_role == Role.CASE_MANAGER.value and rows[1].agent_role == Role.COORDINATORE.value


@pytest.mark.parametrize("headers", [{"Origin": "http://testserver"}, {"Sec-Fetch-Site": "same-origin"}])
async def test_cookie_writes_from_the_public_origin_pass(
    client: httpx.AsyncClient, session: AsyncSession, headers: dict[str, str]
) -> None:
    case_id, alert_id, cm_token, coordinator_token = await _case_and_alert(client, session)
    client.headers.pop("Origin", None)
    client.cookies.set(COOKIE_NAME, cm_token)
    r = await client.post(f"/casi/{case_id}/diario", data={"kind": "NOTA", "text": "dalla pagina"}, headers=headers)
    assert r.status_code == 303, r.text
    client.cookies.set(COOKIE_NAME, coordinator_token)
    r = await client.post(f"/api/v1/alerts/{alert_id}/acknowledge", json={}, headers=headers)
    assert r.status_code == 200, r.text
    assert await _state(session, alert_id) == AlertState.PRESA_VISIONE
    assert await _csrf_rows(session) == []


async def test_another_site_cannot_sign_a_browser_in(client: httpx.AsyncClient, session: AsyncSession) -> None:
    operator = await f.operator(session, Role.COORDINATORE, await f.org(session, OrgKind.CENTRALE))
    form = {"username": operator.username, "password": f.PASSWORD}
    r = await client.post("/login", data=form, headers={"Origin": FOREIGN})
    assert r.status_code == 403 and COOKIE_NAME not in r.headers.get("set-cookie", "")
    assert [row.agent_name for row in await _csrf_rows(session)] == [None]
    assert (await client.post("/login", data=form)).status_code == 303  # from its own page (the client's Origin)
    client.headers.pop("Origin", None)
    client.cookies.clear()
    r = await client.post("/api/v1/auth/login", json=form)  # a program: no Origin, no cookie to ride
    assert r.status_code == 200, r.text


async def test_bearer_calls_and_reads_are_not_asked_for_an_origin(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    _case_id, alert_id, _cm_token, coordinator_token = await _case_and_alert(client, session)
    client.headers.pop("Origin", None)
    client.cookies.set(COOKIE_NAME, coordinator_token)  # a stale cookie beside the bearer token changes nothing
    r = await client.post(
        f"/api/v1/alerts/{alert_id}/acknowledge", json={}, headers=f.bearer(coordinator_token) | {"Origin": FOREIGN}
    )
    assert r.status_code == 200, r.text
    assert (await client.get(f"/api/v1/alerts/{alert_id}", headers={"Origin": FOREIGN})).status_code == 200
    assert await _csrf_rows(session) == []
    # another scheme leaves the cookie in charge: the origin is checked again
    r = await client.post(
        f"/api/v1/alerts/{alert_id}/resolve", json={}, headers={"Authorization": "Basic eDp5", "Origin": FOREIGN}
    )
    assert r.status_code == 403 and len(await _csrf_rows(session)) == 1


async def test_twilio_webhook_and_waas_are_left_to_their_own_credentials(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    client.headers.pop("Origin", None)
    client.cookies.set(COOKIE_NAME, "anything")
    r = await client.post("/integrations/twilio/sms", data={"MessageSid": "SM1", "From": "+39333", "Body": "x"})
    assert r.status_code == 403 and "Firma" in r.text  # the signature's refusal, not the origin's
    r = await client.post("/waas/v1/esiti", json={})
    assert r.status_code in (401, 403, 404, 422) and "non proviene" not in r.text
    assert await _csrf_rows(session) == []


# --- headers ---------------------------------------------------------------------------------------------


def _sample_path(path: str) -> str:
    """The route's path with every parameter filled in (the answer may be 404: its headers still count)."""
    return re.sub(r"\{[^}:]+:path\}", "x", re.sub(r"\{[^}:]+\}", "1", path))


def _checked_routes(app: FastAPI) -> list[tuple[str, str]]:
    """Every /api/v1 route (each method) and every page's GET, as the app routes them."""
    routes: list[tuple[str, str]] = []
    for context in iter_route_contexts(app.routes):
        path = context.path or ""
        if not isinstance(context.original_route, APIRoute):
            continue
        methods = sorted(context.methods or ())
        if path.startswith("/api/v1/"):
            routes += [(method, _sample_path(path)) for method in methods]
        elif not context.include_in_schema and not path.startswith(("/integrations/", "/metrics")) and "GET" in methods:
            routes.append(("GET", _sample_path(path)))
    return routes


def _assert_protected(r: httpx.Response, where: str) -> None:
    csp = r.headers.get("content-security-policy", "")
    if where.startswith("GET /redoc "):
        # ReDoc's bundle writes its <style> elements as it loads (no nonce can reach it): inline STYLES on
        # that page only, scripts this app's files only (tests/web/test_docs_browser.py renders it in Chromium)
        assert csp == REDOC_CSP and csp.replace(" 'unsafe-inline'", "", 1) == DOCS_CSP, where
        csp = DOCS_CSP
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp, where
    assert r.headers.get("x-frame-options") == "DENY", where
    assert r.headers.get("x-content-type-options") == "nosniff", where
    assert r.headers.get("referrer-policy") in ("no-referrer", "same-origin"), where
    assert r.headers.get("cache-control") == "no-store", where
    assert r.headers.get("x-request-id"), where


async def test_every_page_and_api_route_answers_with_the_security_headers(
    app: FastAPI, client: httpx.AsyncClient, session: AsyncSession
) -> None:
    coordinator = await f.operator(session, Role.COORDINATORE, await f.org(session, OrgKind.CENTRALE))
    client.cookies.set(COOKIE_NAME, await f.token_for(session, coordinator))
    routes = _checked_routes(app)
    assert len([r for r in routes if r[1].startswith("/api/v1/")]) > 50
    assert ("GET", "/") in routes and any(p.startswith("/casi/") for _m, p in routes)
    for method, path in routes:
        r = await client.request(method, path, json={} if method != "GET" else None)
        _assert_protected(r, f"{method} {path} -> {r.status_code}")
    for path in ("/healthz", "/nessuna-pagina", "/api/v1/nessuna-risorsa"):
        _assert_protected(await client.get(path), path)
    assert "strict-transport-security" not in r.headers  # http public URL (the tests'): no HSTS


async def test_static_files_may_be_cached_but_keep_the_other_headers(client: httpx.AsyncClient) -> None:
    r = await client.get("/static/board.js")
    assert r.status_code == 200 and r.headers.get("cache-control") != "no-store"
    assert r.headers["x-content-type-options"] == "nosniff"


async def test_the_board_page_has_no_inline_script(client: httpx.AsyncClient, session: AsyncSession) -> None:
    coordinator = await f.operator(session, Role.COORDINATORE, await f.org(session, OrgKind.CENTRALE))
    client.cookies.set(COOKIE_NAME, await f.token_for(session, coordinator))
    r = await client.get("/")
    assert r.status_code == 200 and '<script type="application/json" id="board-data">' in r.text
    assert "window.BOARD" not in r.text
    for chunk in r.text.split("<script")[1:]:
        assert chunk.lstrip().startswith(('src="', 'type="application/json"')), chunk[:80]


TEMPLATES = Path(__file__).resolve().parents[2] / "web" / "templates"


def test_no_template_needs_unsafe_inline() -> None:
    """What the Content-Security-Policy would block: inline scripts, event attributes, style attributes."""
    found = []
    for template in sorted(TEMPLATES.rglob("*.html")):
        source = template.read_text()
        for tag in re.findall(r"<script\b[^>]*>", source):
            if "src=" not in tag and 'type="application/json"' not in tag:
                found.append(f"{template.name}: {tag}")
        for tag in re.findall(r"<[a-zA-Z][^>]*>", source):
            if re.search(r"\s(on[a-z]+|style)\s*=", tag) or "javascript:" in tag:
                found.append(f"{template.name}: {tag}")
    assert found == []


# --- settings and exposure -------------------------------------------------------------------------------

SECRET = "s" * 40


def test_production_refuses_plain_http_unless_tls_ends_at_a_proxy() -> None:
    with pytest.raises(ValidationError, match="CENTRALE_TLS_TERMINATED_BY_PROXY"):
        Settings(environment="production", secret_key=SECRET, public_url="http://centrale.example.org")
    behind = Settings(
        environment="production",
        secret_key=SECRET,
        public_url="http://centrale.example.org",
        tls_terminated_by_proxy=True,
    )
    assert behind.secure_cookies
    assert Settings(environment="production", secret_key=SECRET, public_url="https://c.example.org").secure_cookies
    assert not Settings(environment="test", public_url="http://testserver").secure_cookies


def test_docs_default_follows_the_environment_and_metrics_addresses_are_checked() -> None:
    assert Settings(environment="test").public_docs is True
    assert Settings(environment="development").public_docs is True
    production = Settings(environment="production", secret_key=SECRET, public_url="https://c.example.org")
    assert production.public_docs is False
    assert Settings(
        environment="production", secret_key=SECRET, public_url="https://c.example.org", public_docs=True
    ).public_docs
    with pytest.raises(ValidationError):
        Settings(metrics_allow="127.0.0.1,not-an-address")


@pytest.fixture
async def production_client(database: Database) -> AsyncIterator[httpx.AsyncClient]:
    """A production instance over https (client address 10.1.2.3 unless a test says otherwise)."""
    settings = Settings(
        environment="production",
        secret_key=SECRET,
        database_url=database.url,
        public_url="https://centrale.example.org",
        scheduler_enabled=False,
        metrics_allow="127.0.0.1,::1,192.168.10.0/24",
    )
    app = create_app(settings, database=database)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("10.1.2.3", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="https://centrale.example.org") as c:
            c.app = app  # type: ignore[attr-defined]
            yield c


async def test_production_hides_the_docs_and_gives_metrics_only_to_the_allowed(
    production_client: httpx.AsyncClient,
) -> None:
    for path in ("/docs", "/redoc", "/openapi.json", "/docs/oauth2-redirect", "/metrics"):
        r = await production_client.get(path)
        assert r.status_code == 404, path
    assert (await production_client.get("/healthz")).status_code == 200
    r = await production_client.get("/")
    assert r.headers["strict-transport-security"].startswith("max-age=")
    app: Any = production_client.app  # type: ignore[attr-defined]
    for address, status in (("127.0.0.1", 200), ("::1", 200), ("192.168.10.7", 200), ("192.168.11.7", 404)):
        transport = httpx.ASGITransport(app=app, client=(address, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="https://centrale.example.org") as c:
            r = await c.get("/metrics")
            assert r.status_code == status, address
            if status == 200:
                assert "centrale_alerts_open" in r.text


async def test_development_and_test_serve_the_docs(client: httpx.AsyncClient) -> None:
    r = await client.get("/openapi.json")
    assert r.status_code == 200 and "/api/v1/alerts" in r.text
    docs = await client.get("/docs")
    assert docs.status_code == 200 and "frame-ancestors 'none'" in docs.headers["content-security-policy"]
    assert (await client.get("/metrics")).status_code == 200  # httpx's ASGI client speaks from 127.0.0.1


async def test_session_cookie_is_secure_over_https(production_client: httpx.AsyncClient, session: AsyncSession) -> None:
    operator = await f.operator(session, Role.COORDINATORE, await f.org(session, OrgKind.CENTRALE))
    r = await production_client.post("/api/v1/auth/login", json={"username": operator.username, "password": f.PASSWORD})
    assert r.status_code == 200, r.text
    cookie = r.headers["set-cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
