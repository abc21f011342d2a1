"""Restore drill (docs/BACKUP.md): a populated database is dumped with ``pg_dump -Fc``, restored with
``pg_restore`` into a new database, and the app started on the copy finds every case, alert, event and
audit row, answers as before, and goes on writing after them.

It runs on a private PostgreSQL cluster of its own (tests/fault/conftest.py), with the client programs a
machine with ``postgresql-client`` has."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import col, select

from bench.procs import PostgresCluster
from centrale.db import Database
from centrale.demo import SENTINELS, seed_demo
from centrale.events.service import commit
from centrale.operators.models import Operator
from centrale.persons.models import Person
from centrale.settings import Settings
from tests import factories as f
from tests.integrations.conftest import ACCOUNT, PUBLIC, TOKEN, post_signed
from web import migrate
from web.app import create_app
from web.schema import metadata

pytestmark = [pytest.mark.fault]

#: what the drill must find again, row for row (every other table is compared too)
MUST_FIND = ("case", "alert", "event", "audit_event")


def settings_for(url: str) -> Settings:
    return Settings(
        environment="test",
        database_url=url,
        public_url=PUBLIC,
        scheduler_enabled=False,
        twilio_account_sid=ACCOUNT,
        twilio_auth_token=TOKEN,
    )


@asynccontextmanager
async def running(url: str) -> AsyncIterator[httpx.AsyncClient]:
    """The app started on ``url`` (its own database pool, as a fresh instance has), and a client of it."""
    app = create_app(settings_for(url))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


async def every_row(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the schema, in a fixed order."""
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            rows = {}
            for table in metadata.sorted_tables:
                result = await conn.execute(text(f'SELECT * FROM "{table.name}"'))  # noqa: S608 - names from metadata
                rows[table.name] = sorted((tuple(row) for row in result.all()), key=repr)
            return rows
    finally:
        await engine.dispose()


async def highest_seq(url: str) -> int:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            return int((await conn.execute(text("SELECT max(seq) FROM event"))).scalar_one())
    finally:
        await engine.dispose()


def client_program(name: str, cluster: PostgresCluster, *args: str) -> None:
    program = shutil.which(name)
    assert program, f"{name} is missing: apt-get install postgresql-client"
    command = [program, "-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres", *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, (command, done.stderr[-2000:])


async def populate(url: str) -> tuple[str, list[str]]:
    """The demo district, two cases with a diary, alerts from sentinels' SMS, reads of case files (audited);
    returns a case manager's token and the API paths to ask again after the restore."""
    database = Database(url)
    try:
        async with database.sessionmaker() as session:
            await seed_demo(session)
            await commit(session)
            cm = (await session.exec(select(Operator).where(col(Operator.username) == "casemanager"))).one()
            token = await f.token_for(session, cm)
            persons = (await session.exec(select(Person).order_by(col(Person.id)).limit(2))).all()
    finally:
        await database.dispose()
    paths = ["/api/v1/cases", "/api/v1/alerts"]
    async with running(url) as client:
        for person in persons:
            intake = {
                "person_id": person.id,
                "requested_by": "Vicina di casa",
                "expressed_need": "Vive sola e non esce più di casa",
                "source": "SPONTANEO",
                "outcome": "PROPOSTA_PRESA_IN_CARICO",
                "category": "ANZIANI",
            }
            r = await client.post("/api/v1/intakes", json=intake, headers=f.bearer(token))
            assert r.status_code == 201, r.text
            case_id = r.json()["case"]["id"]
            diary = {"kind": "COLLOQUIO", "text": "Primo colloquio a domicilio"}
            r = await client.post(f"/api/v1/cases/{case_id}/diary", json=diary, headers=f.bearer(token))
            assert r.status_code == 201, r.text
            paths += [f"/api/v1/cases/{case_id}", f"/api/v1/cases/{case_id}/diary"]
        for n, (_name, phone, _cond, _kind) in enumerate(SENTINELS[:3]):
            form = {"MessageSid": f"SM{n:032d}", "AccountSid": ACCOUNT, "From": phone, "Body": "aiuto, è caduta"}
            assert (await post_signed(client, "/integrations/twilio/sms", form)).status_code == 200
        for path in paths:
            assert (await client.get(path, headers=f.bearer(token))).status_code == 200
    return token, paths


async def test_a_dump_restored_into_a_new_database_serves_every_row(
    private_postgres: PostgresCluster, tmp_path: Path
) -> None:
    source = private_postgres.create_database("centrale_prima")
    await asyncio.to_thread(migrate.upgrade, source)
    token, paths = await populate(source)
    async with running(source) as client:
        answers = {path: (await client.get(path, headers=f.bearer(token))).json() for path in paths}
    before = await every_row(source)
    assert all(before[table] for table in MUST_FIND), {table: len(before[table]) for table in MUST_FIND}
    assert len(before["alert"]) >= 2 and len(before["case"]) >= 2  # two sentinels of one building share one

    dump = tmp_path / "centrale.dump"
    client_program("pg_dump", private_postgres, "-Fc", "-d", "centrale_prima", "-f", str(dump))
    target = private_postgres.create_database("centrale_ripristino")
    client_program(
        "pg_restore", private_postgres, "--no-owner", "--exit-on-error", "-d", "centrale_ripristino", str(dump)
    )

    after = await every_row(target)
    for table in MUST_FIND:
        assert after[table] == before[table], table
    assert after == before
    await asyncio.to_thread(migrate.upgrade, target)  # the copy is at the code's revision: nothing to do

    async with running(target) as client:
        assert (await client.get("/readyz")).status_code == 200
        for path, answer in answers.items():
            r = await client.get(path, headers=f.bearer(token))  # the session itself came back with the data
            assert r.status_code == 200 and r.json() == answer, path
        # the restored sequences go on after the restored rows: a new report is stored and numbered after them
        form = {"MessageSid": "SM" + "7" * 32, "AccountSid": ACCOUNT, "From": SENTINELS[0][1], "Body": "aiuto"}
        assert (await post_signed(client, "/integrations/twilio/sms", form)).status_code == 200
    grown = await every_row(target)
    assert len(grown["alert"]) >= len(before["alert"]) and len(grown["audit_event"]) > len(before["audit_event"])
    assert await highest_seq(target) > await highest_seq(source)
    assert all(row in grown["event"] for row in before["event"])  # added after, nothing changed
