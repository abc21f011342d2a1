"""The demo's sentinel simulator: posts a signed webhook that the app accepts; absent outside development."""

from __future__ import annotations

import httpx
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.models import Alert
from alerts.sms.models import InboundSms
from centrale.db import Database
from centrale.settings import Settings
from tests import factories as f
from web.app import create_app


async def test_simulated_sms_is_accepted_as_a_signed_report(database: Database, session: AsyncSession):
    cond = await f.condominio(session)
    await f.assisted(session, cond, await f.person(session, await f.org(session)))
    await f.sentinel(session, cond, phone="+393330000101")
    settings = Settings(
        environment="development",
        database_url=database.url,
        public_url="https://demo.example.org",
        scheduler_enabled=False,
    )
    app = create_app(settings, database=database)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            page = await client.get("/demo/sentinella")
            assert page.status_code == 200 and "Simulatore sentinella" in page.text
            r = await client.post("/demo/sentinella", data={"sender": "333 000 0101", "body": "Nonna è caduta"})
    assert r.status_code == 200
    stored = (await session.exec(select(InboundSms))).one()
    assert stored.sender_phone == "+393330000101" and stored.receipt_code in r.text
    assert len((await session.exec(select(Alert))).all()) == 1


async def test_simulator_is_absent_outside_development(client: httpx.AsyncClient):
    assert (await client.get("/demo/sentinella")).status_code == 404
    assert (await client.post("/demo/sentinella", data={"sender": "x", "body": "y"})).status_code == 404
