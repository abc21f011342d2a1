"""Logs carry no personal data, and every line of a request carries its id.

A scenario that handles a person's name, codice fiscale and phone and a sentinel's SMS runs with every
logger at DEBUG; no captured line may contain any of them. A real server's access log is read too."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.db import Database
from centrale.operators.models import Role
from centrale.organisations.models import OrgKind
from centrale.settings import Settings
from tests import factories as f
from tests.integrations.conftest import ACCOUNT, PUBLIC, TOKEN, post_signed
from web.api.deps import COOKIE_NAME
from web.logs import AccessLogFilter, JsonLineFormatter, RequestIdFilter, install_logging
from web.schema import metadata

NAME, SURNAME = "Ermenegilda", "Quarantotti"
PHONE = "+393471234987"
SENTINEL_PHONE = "+393330000191"
SMS_BODY = "Signora Quarantotti caduta in cucina, chiamate il 3471234987"


@pytest.fixture
def settings(database: Database) -> Settings:
    return Settings(
        environment="test",
        database_url=database.url,
        public_url=PUBLIC,
        scheduler_enabled=False,
        twilio_account_sid=ACCOUNT,
        twilio_auth_token=TOKEN,
    )


async def test_no_personal_data_in_any_log_line(
    client: httpx.AsyncClient, session: AsyncSession, caplog: pytest.LogCaptureFixture
) -> None:
    municipio = await f.org(session, OrgKind.MUNICIPIO)
    cm = await f.operator(session, Role.CASE_MANAGER, municipio)
    headers = f.bearer(await f.token_for(session, cm))
    cond = await f.condominio(session)
    await f.sentinel(session, cond, phone=SENTINEL_PHONE)
    cf = f.valid_cf(4242)
    person = {
        "cognome": SURNAME,
        "nome": NAME,
        "sesso": "F",
        "data_nascita": "1936-05-17",
        "codice_fiscale": cf,
        "telefoni": [PHONE],
        "municipio": "IX",
    }
    caplog.handler.addFilter(RequestIdFilter())
    with caplog.at_level(logging.DEBUG):
        r = await client.post("/api/v1/persons", json=person, headers=headers)
        assert r.status_code == 201, r.text
        again = await client.post("/api/v1/persons", json=person, headers=headers)  # the same codice fiscale
        assert again.status_code in (409, 422), again.text
        found = await client.get("/api/v1/persons", params={"q": SURNAME}, headers=headers | {"X-Request-ID": "rq-1"})
        assert found.status_code == 200 and found.json()["count"] == 1 and found.headers["x-request-id"] == "rq-1"
        sms = {"MessageSid": "SM" + "9" * 32, "AccountSid": ACCOUNT, "From": SENTINEL_PHONE, "Body": SMS_BODY}
        assert (await post_signed(client, "/integrations/twilio/sms", sms)).status_code == 200
        unknown = sms | {"MessageSid": "SM" + "8" * 32, "From": "+393339999999"}  # to the quarantine
        assert (await post_signed(client, "/integrations/twilio/sms", unknown)).status_code == 200
        client.cookies.set(COOKIE_NAME, "rubato")  # a cross-site attempt: logged, with the request's id
        refused = await client.post("/api/v1/persons", json=person, headers={"Origin": "http://altrove.example"})
        assert refused.status_code == 403
    # the test's own HTTP client logs the URLs it asks for: that is the caller's log, not the service's
    records = [r for r in caplog.records if not r.getMessage().startswith("HTTP Request: GET http://testserver/")]
    lines = [caplog.handler.format(record) for record in records]
    assert len(records) > 0  # something was logged at DEBUG
    for secret in (NAME, SURNAME, cf, PHONE, PHONE.removeprefix("+39"), SENTINEL_PHONE, SMS_BODY, "caduta"):
        leaked = [line for line in lines if secret in line]
        assert not leaked, (secret, leaked[:3])
    during = [record for record in records if record.name.startswith("web.")]
    assert during and all(getattr(record, "request_id", "-") == refused.headers["x-request-id"] for record in during)
    # the same records as the JSON lines production writes: one object each, the request id a field of its own
    as_json = JsonLineFormatter(None)
    objects = [json.loads(as_json.format(record)) for record in records]
    assert all({"timestamp", "level", "logger", "message"} <= set(one) for one in objects)
    for secret in (NAME, SURNAME, cf, PHONE, PHONE.removeprefix("+39"), SENTINEL_PHONE, SMS_BODY, "caduta"):
        assert not [one for one in objects if secret in json.dumps(one, ensure_ascii=False)], secret
    web_lines = [one for one in objects if one["logger"].startswith("web.")]
    assert web_lines and all(one["request_id"] == refused.headers["x-request-id"] for one in web_lines)


async def test_request_id_is_taken_when_sane_and_made_otherwise(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz", headers={"X-Request-ID": "abc-123.4"})).headers["x-request-id"] == "abc-123.4"
    made = (await client.get("/healthz", headers={"X-Request-ID": "a b\tc" + "x" * 80})).headers["x-request-id"]
    assert made != "a b\tc" and len(made) == 32
    first = (await client.get("/healthz")).headers["x-request-id"]
    assert first != (await client.get("/healthz")).headers["x-request-id"]


def test_access_log_lines_lose_their_query_string(caplog: pytest.LogCaptureFixture) -> None:
    install_logging()
    access = logging.getLogger("uvicorn.access")
    assert any(isinstance(one, AccessLogFilter) for one in access.filters)
    with caplog.at_level(logging.INFO, logger="uvicorn.access"):
        access.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", f"/api/v1/persons?q={SURNAME}", "1.1", 200)
    assert caplog.messages == ['127.0.0.1:5000 - "GET /api/v1/persons HTTP/1.1" 200']


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _schema(url: str) -> None:
    db = Database(url)
    async with db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    await db.dispose()


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_a_real_servers_access_log_has_the_request_id_and_no_query(tmp_path: Path, log_format: str) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'logs.sqlite3'}"
    asyncio.run(_schema(url))
    port = _free_port()
    env = os.environ | {
        "CENTRALE_DATABASE_URL": url,
        "CENTRALE_ENVIRONMENT": "test",
        "CENTRALE_SCHEDULER_ENABLED": "false",
        "CENTRALE_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "CENTRALE_LOG_FORMAT": log_format,
    }
    env.pop("CENTRALE_REDIS_URL", None)
    command = [sys.executable, "-m", "uvicorn", "web.app:create_app", "--factory", "--port", str(port)]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        r = httpx.get(f"{base}/healthz", params={"q": SURNAME}, headers={"X-Request-ID": "prova-42"})
        assert r.status_code == 200 and r.headers["x-request-id"] == "prova-42"
    finally:
        proc.terminate()
        output, _ = proc.communicate(timeout=10)
    assert SURNAME not in output
    if log_format == "text":
        line = next(one for one in output.splitlines() if "request_id=prova-42" in one)
        assert '"GET /healthz HTTP/1.1" 200' in line
        return
    # every line the app and the server write once the app is built is one JSON object
    started = output[output.index('{"') :].splitlines()
    objects = [json.loads(one) for one in started if one.strip()]
    access = next(one for one in objects if one.get("request_id") == "prova-42")
    assert access["logger"] == "uvicorn.access" and access["level"] == "INFO"
    assert '"GET /healthz HTTP/1.1" 200' in access["message"]
    assert any(one["message"].startswith("Application startup complete") for one in objects)
