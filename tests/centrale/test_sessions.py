"""Sessions: a changed password ends the other sessions; a session ends when idle as well as when old."""

from __future__ import annotations

from datetime import timedelta

import httpx
import time_machine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.audit.models import AuditEvent, AuditOutcome
from centrale.clock import utcnow
from centrale.operators.models import Operator, Role
from centrale.organisations.models import OrgKind
from tests import factories as f
from web.api.deps import COOKIE_NAME

NEW_PASSWORD = "una-password-nuova"


async def _accounts(session: AsyncSession) -> tuple[Operator, Operator]:
    centrale = await f.org(session, OrgKind.CENTRALE)
    owner = await f.operator(session, Role.COORDINATORE, centrale, username="giulia")
    admin = await f.operator(session, Role.AMMINISTRATORE, centrale, username="admin")
    return owner, admin


async def _login(client: httpx.AsyncClient, username: str, password: str = f.PASSWORD) -> str:
    r = await client.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    client.cookies.clear()  # each token is used explicitly below, by header or by cookie
    token: str = r.json()["access_token"]
    return token


async def _me_by_bearer(client: httpx.AsyncClient, token: str) -> int:
    client.cookies.clear()
    return (await client.get("/api/v1/auth/me", headers=f.bearer(token))).status_code


async def _me_by_cookie(client: httpx.AsyncClient, token: str) -> int:
    client.cookies.clear()
    client.cookies.set(COOKIE_NAME, token)
    try:
        return (await client.get("/api/v1/auth/me")).status_code
    finally:
        client.cookies.clear()


async def _board_greets(client: httpx.AsyncClient, token: str) -> bool:
    client.cookies.clear()
    client.cookies.set(COOKIE_NAME, token)
    try:
        return "Esci" in (await client.get("/")).text
    finally:
        client.cookies.clear()


async def test_owner_changing_password_ends_every_other_session(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _accounts(session)
    current, other = await _login(client, "giulia"), await _login(client, "giulia")
    assert await _me_by_bearer(client, other) == 200 and await _board_greets(client, other)
    r = await client.post(
        "/api/v1/auth/password",
        json={"current_password": f.PASSWORD, "new_password": NEW_PASSWORD},
        headers=f.bearer(current),
    )
    assert r.status_code == 204, r.text
    assert await _me_by_bearer(client, current) == 200, "the session that changed it goes on"
    assert await _me_by_bearer(client, other) == 401
    assert await _me_by_cookie(client, other) == 401
    assert not await _board_greets(client, other)
    await _login(client, "giulia", NEW_PASSWORD)


async def test_wrong_current_password_changes_nothing_and_is_audited(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    owner, _ = await _accounts(session)
    current, other = await _login(client, "giulia"), await _login(client, "giulia")
    r = await client.post(
        "/api/v1/auth/password",
        json={"current_password": "non-e-lei", "new_password": NEW_PASSWORD},
        headers=f.bearer(current),
    )
    assert r.status_code == 403
    assert await _me_by_bearer(client, other) == 200
    await _login(client, "giulia")  # the old password still works
    denied = await session.exec(
        select(AuditEvent).where(
            col(AuditEvent.agent_operator_id) == owner.id,
            col(AuditEvent.subtype) == "operator.set_password",
            col(AuditEvent.outcome) == AuditOutcome.DENIED,
        )
    )
    assert denied.first() is not None


async def test_administrator_reset_ends_all_sessions_of_the_operator(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    owner, _ = await _accounts(session)
    first, second = await _login(client, "giulia"), await _login(client, "giulia")
    admin_token = await _login(client, "admin")
    r = await client.put(
        f"/api/v1/operators/{owner.id}/password", json={"password": NEW_PASSWORD}, headers=f.bearer(admin_token)
    )
    assert r.status_code == 204, r.text
    for token in (first, second):
        assert await _me_by_bearer(client, token) == 401
        assert await _me_by_cookie(client, token) == 401
    assert await _me_by_bearer(client, admin_token) == 200, "the administrator's own session is not touched"
    await _login(client, "giulia", NEW_PASSWORD)


async def test_administrator_update_with_a_password_ends_all_sessions(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    owner, _ = await _accounts(session)
    token = await _login(client, "giulia")
    admin_token = await _login(client, "admin")
    untouched = await client.patch(
        f"/api/v1/operators/{owner.id}", json={"full_name": "Giulia R."}, headers=f.bearer(admin_token)
    )
    assert untouched.status_code == 200 and await _me_by_bearer(client, token) == 200
    r = await client.patch(
        f"/api/v1/operators/{owner.id}", json={"password": NEW_PASSWORD}, headers=f.bearer(admin_token)
    )
    assert r.status_code == 200, r.text
    assert await _me_by_bearer(client, token) == 401
    assert await _me_by_cookie(client, token) == 401


async def test_session_ends_when_idle_and_use_keeps_it_alive(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await _accounts(session)
    start = utcnow()
    with time_machine.travel(start, tick=False):
        idle, used = await _login(client, "giulia"), await _login(client, "giulia")
    for minutes in (20, 40):  # used every 20 minutes: alive past the 30 idle minutes
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert await _me_by_bearer(client, used) == 200
    with time_machine.travel(start + timedelta(minutes=40), tick=False):
        assert await _me_by_bearer(client, idle) == 401, "not used for 40 minutes"
        assert await _me_by_cookie(client, idle) == 401
    with time_machine.travel(start + timedelta(minutes=40 + 31), tick=False):
        assert await _me_by_bearer(client, used) == 401, "then left unused for 31 minutes"


async def test_session_ends_after_its_lifetime_however_busy(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await _accounts(session)
    start = utcnow()
    with time_machine.travel(start, tick=False):
        token = await _login(client, "giulia")
    minutes = 25
    while minutes < 12 * 60:
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert await _me_by_bearer(client, token) == 200, f"used at minute {minutes}"
        minutes += 25
    with time_machine.travel(start + timedelta(hours=12, seconds=1), tick=False):
        assert await _me_by_bearer(client, token) == 401


async def test_deactivating_an_operator_ends_their_sessions(client: httpx.AsyncClient, session: AsyncSession) -> None:
    owner, _ = await _accounts(session)
    token = await _login(client, "giulia")
    admin_token = await _login(client, "admin")
    r = await client.patch(f"/api/v1/operators/{owner.id}", json={"active": False}, headers=f.bearer(admin_token))
    assert r.status_code == 200, r.text
    r = await client.patch(f"/api/v1/operators/{owner.id}", json={"active": True}, headers=f.bearer(admin_token))
    assert r.status_code == 200, r.text
    assert await _me_by_bearer(client, token) == 401, "reactivating the account does not bring the session back"


async def test_a_stolen_session_cannot_guess_the_password_faster_than_the_sign_in_form(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _accounts(session)
    token = await _login(client, "giulia")
    for n in range(9):
        r = await client.post(
            "/api/v1/auth/password",
            json={"current_password": f"tentativo{n}", "new_password": NEW_PASSWORD},
            headers=f.bearer(token),
        )
        assert r.status_code == 403
    r = await client.post(
        "/api/v1/auth/password",
        json={"current_password": f.PASSWORD, "new_password": NEW_PASSWORD},
        headers=f.bearer(token),
    )
    assert r.status_code == 403, "the tenth guess is not even checked"
    r = await client.post("/api/v1/auth/login", json={"username": "giulia", "password": f.PASSWORD})
    assert r.status_code == 429, "the wrong guesses count as failed sign-ins from that address"
