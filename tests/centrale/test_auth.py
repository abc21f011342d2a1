"""Sign-in: passwords, cookie and bearer sessions, logout, throttling against guessing."""

from __future__ import annotations

from datetime import timedelta

import httpx
import time_machine
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.auth import passwords
from centrale.clock import utcnow
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
