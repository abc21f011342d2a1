"""Hostile input on PostgreSQL: text the database cannot store, bodies too large, a transaction that lost
a deadlock. Each gets a clear 4xx (or a 503 to retry), never a 500; and a sentinel's SMS is never lost."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.models import Alert
from alerts.sms.models import InboundSms
from centrale.db import Database
from centrale.operators.models import Role
from centrale.organisations.models import OrgKind
from centrale.settings import Settings
from tests import factories as f
from tests.integrations.conftest import ACCOUNT, PUBLIC, TOKEN, post_signed
from web.api.deps import COOKIE_NAME, SessionDep
from web.app import create_app

NUL = "prima\x00dopo"
SMS = "/integrations/twilio/sms"
SENTINEL = "+393330000171"
WRITES = ("post", "put", "patch", "delete")


@pytest.fixture
async def pg_app(pg_database: Database) -> AsyncIterator[FastAPI]:
    settings = Settings(
        environment="test",
        database_url=pg_database.url,
        public_url=PUBLIC,
        scheduler_enabled=False,
        twilio_account_sid=ACCOUNT,
        twilio_auth_token=TOKEN,
    )
    app = create_app(settings, database=pg_database)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def pg_client(pg_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client that sees a server error as a 500 answer, as a caller would, instead of an exception."""
    transport = httpx.ASGITransport(app=pg_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver", headers={"Origin": PUBLIC}) as c:
        yield c


# --- minimal bodies built from the OpenAPI schemas --------------------------------------------------------


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"]
            return _resolve(spec, options[0]) if options else {"type": "null"}
    return schema


def _example(spec: dict[str, Any], schema: dict[str, Any], depth: int = 0) -> Any:
    """A value of the schema's shape: every property filled in, strings plain words."""
    schema = _resolve(spec, schema)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        if depth > 5:
            return {}
        return {name: _example(spec, sub, depth + 1) for name, sub in schema.get("properties", {}).items()}
    if kind == "array":
        return [_example(spec, schema.get("items", {}), depth + 1)] if depth <= 5 else []
    if kind == "integer":
        return max(1, int(schema.get("minimum", 1)))
    if kind == "number":
        return max(1.0, float(schema.get("minimum", 1)))
    if kind == "boolean":
        return False
    if kind == "string":
        return {"date": "2024-03-04", "date-time": "2024-03-04T10:00:00+01:00"}.get(schema.get("format", ""), "testo")
    return None


def _string_leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, str):
        yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _string_leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _string_leaves(item, (*path, index))


def _with(value: Any, path: tuple[Any, ...], leaf: str) -> Any:
    changed = copy.deepcopy(value)
    target = changed
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = leaf
    return changed


def _attempts(spec: dict[str, Any]) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """(method, url, field, request keywords): a NUL in each string of each write operation's body, query
    and path."""
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method not in WRITES or path.startswith("/integrations/"):
                continue  # Twilio's webhooks store such text instead (test below)
            params = operation.get("parameters", [])
            filled = path
            for p in params:
                if p["in"] == "path":
                    filled = filled.replace("{" + p["name"] + "}", "1")
            for p in params:
                if p["in"] == "path" and _resolve(spec, p.get("schema", {})).get("type") == "string":
                    yield method, path.replace("{" + p["name"] + "}", "a%00b"), p["name"], {}
                if p["in"] == "query":
                    yield method, filled, p["name"], {"params": {p["name"]: NUL}}
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" not in content:
                continue
            body = _example(spec, content["application/json"]["schema"])
            for leaf in _string_leaves(body):
                field = ".".join(str(step) for step in leaf) or "richiesta"
                yield method, filled, field, {"json": _with(body, leaf, NUL) if leaf else NUL}
            if isinstance(body, dict) and body:  # and a key of the object itself
                yield method, filled, "chiave", {"json": body | {NUL: "x"}}


async def test_nul_in_any_string_of_any_write_is_a_4xx_naming_the_field(
    pg_client: httpx.AsyncClient, session_pg: AsyncSession
) -> None:
    coordinator = await f.operator(session_pg, Role.COORDINATORE, await f.org(session_pg, OrgKind.CENTRALE))
    headers = f.bearer(await f.token_for(session_pg, coordinator))
    spec = (await pg_client.get("/openapi.json")).json()
    answers: list[tuple[str, str, str, int]] = []
    for method, url, field, keywords in _attempts(spec):
        r = await pg_client.request(method.upper(), url, headers=headers, **keywords)
        answers.append((method, url, field, r.status_code))
        assert r.status_code < 500, (method, url, field, r.status_code, r.text)
        assert r.status_code in (401, 403, 404, 409, 422), (method, url, field, r.status_code, r.text)
        if "json" in keywords or "params" in keywords:
            assert r.status_code == 422 and r.json()["field"], (method, url, field, r.text)
            assert "carattere non ammesso" in r.json()["detail"]
    assert len(answers) > 150 and len({(m, u) for m, u, _f, _s in answers}) > 40  # the enumeration found them


@pytest.fixture
async def session_pg(pg_database: Database) -> AsyncIterator[AsyncSession]:
    async with pg_database.sessionmaker() as s:
        yield s


async def test_a_form_page_with_nul_is_422_in_italian(pg_client: httpx.AsyncClient, session_pg: AsyncSession) -> None:
    operator = await f.operator(session_pg, Role.CASE_MANAGER, await f.org(session_pg, OrgKind.MUNICIPIO))
    pg_client.cookies.set(COOKIE_NAME, await f.token_for(session_pg, operator))
    r = await pg_client.post("/casi/1/diario", data={"kind": "NOTA", "text": NUL})
    assert r.status_code == 422 and "Il campo «text» contiene un carattere non ammesso" in r.text
    r = await pg_client.get("/casi", params={"q": NUL})
    assert r.status_code == 422 and "«q»" in r.text


async def test_a_signed_sms_with_nul_is_stored_once_and_raises_its_alert(
    pg_client: httpx.AsyncClient, session_pg: AsyncSession
) -> None:
    cond = await f.condominio(session_pg)
    who = await f.person(session_pg, await f.org(session_pg, OrgKind.MUNICIPIO))
    await f.assisted(session_pg, cond, who, alias="A1")
    await f.sentinel(session_pg, cond, phone=SENTINEL)
    params = {
        "MessageSid": "SM" + "7" * 32,
        "AccountSid": ACCOUNT,
        "From": SENTINEL,
        "To": "+390699999999",
        "Body": "A1 caduta\x00 in casa, non risponde",
    }
    for _retry in range(2):  # Twilio retries: still one message
        r = await post_signed(pg_client, SMS, params)
        assert r.status_code == 200, r.text
    session_pg.expire_all()
    stored = (await session_pg.exec(select(InboundSms))).all()
    assert len(stored) == 1
    assert stored[0].body == "A1 caduta in casa, non risponde"
    assert stored[0].params["Body"] == params["Body"]  # the original, NUL and all (escaped in the JSON)
    assert stored[0].alert_id is not None
    assert (await session_pg.exec(select(func.count()).select_from(Alert))).one() == 1


# --- sizes ----------------------------------------------------------------------------------------------


async def test_bodies_over_their_limit_are_413_before_parsing(
    pg_client: httpx.AsyncClient, session_pg: AsyncSession
) -> None:
    headers = f.bearer(
        await f.token_for(
            session_pg, await f.operator(session_pg, Role.COORDINATORE, await f.org(session_pg, OrgKind.CENTRALE))
        )
    )
    big = {"text": "x" * (1024 * 1024 + 1)}
    r = await pg_client.post("/api/v1/alerts/1/comments", json=big, headers=headers)
    assert r.status_code == 413 and "troppo grande" in r.json()["detail"]

    async def streamed() -> AsyncIterator[bytes]:  # no Content-Length: counted while it arrives
        yield b'{"text": "'
        for _ in range(20):
            yield b"x" * 65536
        yield b'"}'

    r = await pg_client.post(
        "/api/v1/alerts/1/comments", content=streamed(), headers=headers | {"Content-Type": "application/json"}
    )
    assert r.status_code == 413
    r = await pg_client.post(SMS, data={"Body": "x" * (64 * 1024), "From": SENTINEL, "MessageSid": "SM1"})
    assert r.status_code == 413
    assert (await session_pg.exec(select(func.count()).select_from(InboundSms))).one() == 0
    r = await pg_client.post("/api/v1/alerts/1/comments", json={"text": "x" * 1000}, headers=headers)
    assert r.status_code == 404  # within the limit: on to the route (no such alert)


# --- a transaction that lost ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sqlstate", "status"),
    [("40P01", 503), ("40001", 503), ("22021", 422), ("22P05", 422), ("23505", 409)],
)
async def test_postgres_errors_map_to_their_answer(
    pg_app: FastAPI, pg_client: httpx.AsyncClient, sqlstate: str, status: int
) -> None:
    async def failing(session: SessionDep) -> None:
        await (await session.connection()).execute(
            text(f"DO $$ BEGIN RAISE EXCEPTION 'prova' USING ERRCODE = '{sqlstate}'; END $$")
        )

    pg_app.add_api_route("/api/v1/_prova/errore", failing, methods=["GET"])
    r = await pg_client.get("/api/v1/_prova/errore")
    assert r.status_code == status, r.text
    if status == 503:
        assert r.headers["retry-after"] == "1" and "riprovare" in r.json()["detail"]
