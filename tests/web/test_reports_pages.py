"""The reports page: Italian, charts as inline SVG (no external scripts), only for report readers."""

from __future__ import annotations

import httpx
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.operators.models import Role
from centrale.organisations.models import OrgKind
from tests import factories as f
from tests.integrations.reports.test_reports import PERIOD, seed
from web.api.deps import COOKIE_NAME


async def test_coordinator_sees_the_charts_and_the_csv_link(client: httpx.AsyncClient, session: AsyncSession):
    await seed(session)
    coordinator = await f.operator(session, Role.COORDINATORE, await f.org(session, OrgKind.CENTRALE))
    client.cookies.set(COOKIE_NAME, await f.token_for(session, coordinator))
    r = await client.get("/reports", params=PERIOD)
    assert r.status_code == 200
    assert "Tempi di presa visione e risoluzione" in r.text and "<svg" in r.text
    assert "8 min" in r.text and "46 min" in r.text and "50,0 %" in r.text  # durations and rates in Italian
    assert 'id="andamento_settimanale"' in r.text and "<polyline" in r.text
    assert "/api/v1/reports/csv?from=2024-05-01&amp;to=2024-05-31" in r.text
    assert "<script src=" not in r.text and "http://" not in r.text.split("<svg", 1)[1].replace(
        'xmlns="http://www.w3.org/2000/svg"', ""
    )


async def test_other_roles_and_anonymous_do_not_get_the_page(client: httpx.AsyncClient, session: AsyncSession):
    assert (await client.get("/reports")).status_code == 303
    cm = await f.operator(session, Role.CASE_MANAGER, await f.org(session, OrgKind.MUNICIPIO))
    client.cookies.set(COOKIE_NAME, await f.token_for(session, cm))
    assert (await client.get("/reports")).status_code == 403
