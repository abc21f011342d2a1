"""Sign-in: passwords, cookie and bearer sessions, logout, throttling against guessing."""

from __future__ import annotations

from datetime import timedelta

import httpx
import time_machine
from sqlalchemy import event
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.audit.models import AuditEvent
from centrale.auth import passwords
from centrale.clock import utcnow
from centrale.db import Database
from centrale.operators.models import Role
from centrale.organisations.models import OrgKind
from tests import factories as f
from web.api.deps import COOKIE_NAME


async def _account(session: AsyncSession, username: str = "giulia") -> None:
    await f.operator(session, Role.COORDINATORE, await f.org(session, OrgKind.CENTRALE), username=username)


async def test_login_sets_httponly_cookie_and_returns_a_bearer_token(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _account(session)
    r = await client.post("/api/v1/auth/login", json={"username": "giulia", "password": f.PASSWORD})
    assert r.status_code == 200
    cookie = r.headers["set-cookie"]
    assert f"{COOKIE_NAME}=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    token = r.json()["access_token"]
    me = await client.get("/api/v1/auth/me", headers=f.bearer(token))
    assert me.status_code == 200 and me.json()["username"] == "giulia"


async def test_logout_revokes_the_session(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await _account(session)
    token = (await client.post("/api/v1/auth/login", json={"username": "giulia", "password": f.PASSWORD})).json()[
        "access_token"
    ]
    client.cookies.clear()
    assert (await client.post("/api/v1/auth/logout", headers=f.bearer(token))).status_code == 204
    assert (await client.get("/api/v1/auth/me", headers=f.bearer(token))).status_code == 401


async def test_wrong_password_is_401(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await _account(session)
    r = await client.post("/api/v1/auth/login", json={"username": "giulia", "password": "sbagliata"})
    assert r.status_code == 401
    r = await client.post("/api/v1/auth/login", json={"username": "nessuno", "password": "sbagliata"})
    assert r.status_code == 401


async def test_tenth_attempt_in_a_minute_is_refused_without_checking_and_owner_signs_in_later(
    client: httpx.AsyncClient, session: AsyncSession, monkeypatch
) -> None:
    await _account(session)
    start = utcnow()
    with time_machine.travel(start, tick=False):
        for _ in range(9):
            r = await client.post("/api/v1/auth/login", json={"username": "giulia", "password": "tentativo"})
            assert r.status_code == 401
        checked: list[str] = []
        real_verify = passwords._hasher.verify
        monkeypatch.setattr(passwords._hasher, "verify", lambda p, h: checked.append(p) or real_verify(p, h))
        tenth = await client.post("/api/v1/auth/login", json={"username": "giulia", "password": f.PASSWORD})
        assert tenth.status_code == 429
        assert checked == [], "the password must not be checked when throttled"
        other = await client.post("/api/v1/auth/login", json={"username": "altro", "password": "x"})
        assert other.status_code == 401, "throttling is per account"
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        later = await client.post("/api/v1/auth/login", json={"username": "giulia", "password": f.PASSWORD})
        assert later.status_code == 200


async def test_login_page_sets_cookie_and_board_greets(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await _account(session)
    r = await client.post("/login", data={"username": "giulia", "password": f.PASSWORD})
    assert r.status_code == 303
    page = await client.get("/")
    assert page.status_code == 200 and "Esci" in page.text
    english = await client.get("/?lang=en")
    assert "Sign out" in english.text


def _from(app: object, address: str) -> httpx.AsyncClient:
    """A browser-like client on the public origin whose requests come from ``address``."""
    transport = httpx.ASGITransport(app=app, client=(address, 40000))  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=transport, base_url="http://testserver", headers={"Origin": "http://testserver"})


async def test_a_stranger_guessing_the_account_does_not_lock_the_owner_out(app: object, session: AsyncSession) -> None:
    await _account(session)
    async with _from(app, "203.0.113.7") as stranger, _from(app, "198.51.100.20") as owner:
        for _ in range(9):
            r = await stranger.post("/api/v1/auth/login", json={"username": "giulia", "password": "tentativo"})
            assert r.status_code == 401
        r = await stranger.post("/api/v1/auth/login", json={"username": "giulia", "password": f.PASSWORD})
        assert r.status_code == 429, "that account, from that address, is throttled"
        r = await owner.post("/api/v1/auth/login", json={"username": "giulia", "password": f.PASSWORD})
        assert r.status_code == 200, "the owner, from their own address, is not"


async def test_one_address_spraying_many_usernames_is_throttled_after_its_bound(
    app: object, session: AsyncSession
) -> None:
    await _account(session)
    answers = []
    async with _from(app, "203.0.113.8") as sprayer, _from(app, "198.51.100.21") as owner:
        for n in range(30):  # 30 usernames x 3 wrong passwords: never 9 on one account
            for attempt in range(3):
                r = await sprayer.post("/api/v1/auth/login", json={"username": f"utente{n}", "password": f"p{attempt}"})
                answers.append(r.status_code)
        assert answers[:30] == [401] * 30
        assert set(answers[30:]) == {429}, "after 30 failures the address tries nothing more"
        r = await sprayer.post("/api/v1/auth/login", json={"username": "giulia", "password": f.PASSWORD})
        assert r.status_code == 429 and r.headers["Retry-After"] == "600"
        r = await owner.post("/api/v1/auth/login", json={"username": "giulia", "password": f.PASSWORD})
        assert r.status_code == 200, "the owner, from another address, signs in"
    throttled = await session.exec(
        select(AuditEvent).where(
            col(AuditEvent.subtype) == "login.throttled", col(AuditEvent.source_address) == "203.0.113.8"
        )
    )
    assert len(throttled.all()) == 61


async def test_unknown_username_costs_the_same_work_as_a_wrong_password(
    client: httpx.AsyncClient, session: AsyncSession, database: Database, monkeypatch
) -> None:
    await _account(session)
    verified: list[str] = []
    real_verify = passwords._hasher.verify
    monkeypatch.setattr(passwords._hasher, "verify", lambda p, h: verified.append(h) or real_verify(p, h))
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if any(table in statement for table in ("operator", "login_attempt", "audit_event", "auth_session")):
            statements.append(statement)  # the board's own readers run meanwhile: leave their statements out

    work = {}
    await client.post("/api/v1/auth/login", json={"username": "riscaldamento", "password": "x"})  # warm caches
    event.listen(database.engine.sync_engine, "before_cursor_execute", count)
    try:
        for username in ("giulia", "nessuno"):
            verified.clear()
            statements.clear()
            r = await client.post("/api/v1/auth/login", json={"username": username, "password": "sbagliata"})
            assert r.status_code == 401
            assert len(verified) == 1, "exactly one argon2 verification"
            work[username] = (verified[0].rsplit("$", 2)[0], sorted(statements))
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", count)
    known, unknown = work["giulia"], work["nessuno"]
    assert known[0].startswith("$argon2id$") and known[0] == unknown[0], "same algorithm and cost parameters"
    assert known[1] == unknown[1], "the same statements"


async def test_page_logout_ends_the_session_and_page_login_says_when_throttled(
    app: object, session: AsyncSession
) -> None:
    await _account(session)
    async with _from(app, "198.51.100.30") as browser:
        r = await browser.post("/login", data={"username": "giulia", "password": f.PASSWORD})
        assert r.status_code == 303
        token = browser.cookies[COOKIE_NAME]
        assert (await browser.post("/logout")).status_code == 303
        assert (await browser.get("/api/v1/auth/me", headers=f.bearer(token))).status_code == 401
        for _ in range(9):
            r = await browser.post("/login", data={"username": "giulia", "password": "tentativo"})
            assert r.status_code == 401
        r = await browser.post("/login", data={"username": "giulia", "password": f.PASSWORD})
        assert r.status_code == 429 and "Troppi tentativi" in r.text
    logout = await session.exec(select(AuditEvent).where(col(AuditEvent.subtype) == "auth.logout"))
    assert logout.first() is not None
