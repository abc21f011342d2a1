"""The reports page's protected discharges: a coordinator reads a completed transition's figures per hospital
and per municipio with the weekly lines; an analyst sees a group smaller than the minimum cell hidden."""

from __future__ import annotations

import re

import httpx
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.discharges.models import Discharge, Milestone
from centrale.operators.models import Role
from centrale.organisations.models import OrgKind
from tests import factories as f
from tests.web.test_pages_discharges import _world, notice
from web.api.deps import COOKIE_NAME


def _row(html: str, table: str, group: str) -> list[str]:
    section = html.split(f'id="{table}"', 1)[1].split("</section>", 1)[0]
    for row in re.findall(r"<tr>(.*?)</tr>", section, re.S):
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        if cells and cells[0] == group:
            return cells
    raise AssertionError(f"no row {group!r} in {table}")


async def test_a_completed_discharge_in_the_reports_figures(client: httpx.AsyncClient, session: AsyncSession) -> None:
    w = await _world(session)
    client.cookies.set(COOKIE_NAME, await f.token_for(session, w["pua"]))  # type: ignore[arg-type]
    form = notice(w["hospital"].id, f.valid_cf(905), w["cm"].id, days=2)  # type: ignore[attr-defined]
    assert (await client.post("/dimissioni/nuova", data=form)).status_code == 303
    discharge = (await session.exec(select(Discharge))).one()
    client.cookies.set(COOKIE_NAME, await f.token_for(session, w["cm"]))  # type: ignore[arg-type]
    for milestone in list(Milestone)[1:]:
        done = await client.post(f"/casi/{discharge.case_id}/dimissione/tappa", data={"milestone": milestone.value})
        assert done.status_code == 303

    coordinator = await f.operator(session, Role.COORDINATORE, await f.org(session, OrgKind.CENTRALE))
    client.cookies.set(COOKIE_NAME, await f.token_for(session, coordinator))
    page = (await client.get("/reports")).text
    # one transition, plan approved on the day of the notice, ready before the discharge, no bed kept, visited
    assert _row(page, "dimissioni_ospedale", "Ospedale Sant&#39;Eugenio") == [
        "Ospedale Sant&#39;Eugenio",
        "1",
        "0",
        "100,0 %",
        "0",
        "100,0 %",
    ]
    assert _row(page, "dimissioni_municipio", "IX")[1] == "1"
    weekly = page.split('id="dimissioni_settimanale"', 1)[1].split("</section>", 1)[0]
    assert (weekly.count("<svg") == 3 and "<polyline" in weekly) or "<circle" in weekly

    analyst = await f.operator(session, Role.ANALISTA, await f.org(session, OrgKind.CENTRALE))
    client.cookies.set(COOKIE_NAME, await f.token_for(session, analyst))
    page = (await client.get("/reports")).text
    assert _row(page, "dimissioni_ospedale", "Ospedale Sant&#39;Eugenio") == [
        "Ospedale Sant&#39;Eugenio",
        "—",
        "—",
        "—",
        "—",
        "—",
    ]
