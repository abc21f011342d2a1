"""The "Turni" pages: the week per role in words, the holes, a layer and a cover made by form; "I miei turni"
with a swap asked by the person whose shift it is."""

from __future__ import annotations

import html
from datetime import timedelta

import httpx
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.escalation.models import EscalationPolicyCreate, PolicyRole, PolicyStep
from alerts.escalation.service import create_policy
from alerts.models import Channel
from centrale.clock import to_rome, utcnow
from centrale.events.service import commit
from centrale.operators.models import Role
from centrale.organisations.models import OrgKind
from centrale.rota.models import OverrideKind, RotaLayer, RotaOverride
from tests import factories as f
from tests.alerts.rota.helpers import layer, operators
from web.api.deps import COOKIE_NAME


async def test_a_coordinator_reads_the_week_in_words_and_changes_it_by_form(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    _, (coordinator,) = await operators(session, Role.COORDINATORE, OrgKind.CENTRALE, 1)
    _, (mattina, pomeriggio) = await operators(session, Role.OPERATORE_PUA, OrgKind.ASL_PUA, 2)
    mattina.full_name, pomeriggio.full_name = "Anna Mattina", "Bruno Pomeriggio"
    session.add_all([mattina, pomeriggio])
    await layer(session, Role.OPERATORE_PUA, [mattina], ["08:00"], ends_at="14:00")
    await create_policy(
        session,
        data=EscalationPolicyCreate(
            name="PUA", steps=[PolicyStep(role=PolicyRole.OPERATORE_PUA, channels=[Channel.SMS], wait_minutes=5)]
        ),
    )
    await commit(session)
    client.cookies.set(COOKIE_NAME, await f.token_for(session, coordinator))

    page = html.unescape((await client.get("/turni?settimana=2026-12-07")).text)
    assert "Operatore/Operatrice PUA" in page and "OPERATORE_PUA" not in page.replace('value="OPERATORE_PUA"', "")
    assert "mercoledì 9 dicembre dalle 08:00 alle 14:00" in page and "Anna Mattina" in page
    assert "Operatore PUA scoperto" in page  # afternoons and nights: nobody

    day = to_rome(utcnow()).date() + timedelta(days=3)
    form = {
        "name": "Pomeriggi PUA",
        "role": "OPERATORE_PUA",
        "starts_on": day.isoformat(),
        "handoffs": "14:00",
        "ends_at": "20:00",
        "weekdays": ["0", "1", "2", "3", "4", "5", "6"],
        "holidays": "ANCHE",
        "rotation": "TURNO",
        "operator_ids": [str(pomeriggio.id), ""],
        "active": "1",
    }
    assert (await client.post("/turni/livelli", data=form)).status_code == 303
    made = (await session.exec(select(RotaLayer).where(col(RotaLayer.name) == "Pomeriggi PUA"))).one()
    assert (made.handoffs, made.ends_at, made.weekdays, made.operator_ids) == (["14:00"], "20:00", [], [pomeriggio.id])

    wrong = await client.post("/turni/livelli", data=form | {"handoffs": "25:00"})
    assert wrong.status_code == 422 and "orari di cambio turno" in html.unescape(wrong.text).lower()

    cover = {"operator_id": str(pomeriggio.id), "replaces_id": str(mattina.id), "day": day.isoformat()}
    answer = await client.post(
        "/turni/coperture", data=cover | {"from_time": "09:00", "to_time": "11:00", "torna": "/x"}
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/turni?fatto=1"
    row = (await session.exec(select(RotaOverride))).one()
    assert (row.kind, row.operator_id, row.replaces_id, to_rome(row.starts_at).hour) == (
        OverrideKind.COPERTURA,
        pomeriggio.id,
        mattina.id,
        9,
    )
    page = html.unescape((await client.get(f"/turni?settimana={day.isoformat()}")).text)
    assert "Copertura" in page and "dalle 09:00 alle 11:00" in page


async def test_my_shifts_and_a_swap_asked_by_the_person_whose_shift_it_is(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    _, (mattina, collega) = await operators(session, Role.OPERATORE_PUA, OrgKind.ASL_PUA, 2)
    await layer(session, Role.OPERATORE_PUA, [mattina], ["08:00"], ends_at="14:00")
    client.cookies.set(COOKIE_NAME, await f.token_for(session, mattina))
    page = html.unescape((await client.get("/turni/miei")).text)
    assert "dalle 08:00 alle 14:00" in page and "I miei turni" in page

    day = to_rome(utcnow()).date() + timedelta(days=2)
    swap = {"operator_id": str(mattina.id), "with_operator_id": str(collega.id), "day": day.isoformat()}
    answer = await client.post(
        "/turni/scambi", data=swap | {"from_time": "08:00", "to_time": "14:00", "torna": "/turni/miei"}
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/turni/miei?fatto=1"
    row = (await session.exec(select(RotaOverride))).one()
    assert (row.kind, row.operator_id, row.replaces_id) == (OverrideKind.SCAMBIO, collega.id, mattina.id)

    not_mine = swap | {"operator_id": str(collega.id), "with_operator_id": str(mattina.id)}
    refused = await client.post("/turni/scambi", data=not_mine | {"from_time": "15:00", "to_time": "16:00"})
    assert refused.status_code == 403
    assert (await client.get("/turni")).status_code == 403  # the whole rota is the coordinators'
