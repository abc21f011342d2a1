"""The evaluation panel: no direct identifiers; stable keyed pseudonyms; outcomes per person and month."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import httpx
import pyarrow.parquet as pq
import time_machine
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.models import Alert, AlertOutcome, AlertSource, AlertState, Severity
from centrale.events.service import commit
from centrale.operators.models import Role
from centrale.organisations.models import OrgKind
from integrations.evaluation.panel import build_panel, pseudonym
from tests import factories as f
from tests.integrations.conftest import PSEUDONYM_KEY
from tests.integrations.scenario import build

PERIOD = {"from": "2024-05-01", "to": "2024-06-30"}


async def seeded(client: httpx.AsyncClient, session: AsyncSession):  # type: ignore[no-untyped-def]
    with time_machine.travel(datetime(2024, 5, 10, 9, tzinfo=UTC), tick=True):  # the case lives in May 2024
        s = await build(client, session)
    s.person.indirizzo, s.person.telefoni = "Via Laurentina 100, Roma", ["+393471234567"]
    session.add(s.person)
    control = await f.person(session, s.municipio, cognome="Verdi")  # registered, not followed
    at = datetime(2024, 5, 12, 9, tzinfo=UTC)
    session.add(
        Alert(
            source=AlertSource.SEGNALAZIONE_SENTINELLA,
            severity=Severity.URGENTE,
            summary="caduta",
            person_id=s.person.id,
            state=AlertState.RISOLTA,
            opened_at=at,
            outcome=AlertOutcome.INVIO_118,
        )
    )
    session.add(
        Alert(
            source=AlertSource.CHECKIN_MANCATO,
            severity=Severity.MEDIA,
            summary="x",
            person_id=s.person.id,
            opened_at=at,
        )
    )
    await commit(session)
    analyst = await f.operator(session, Role.ANALISTA, await f.org(session, OrgKind.CENTRALE))
    return s, control, f.bearer(await f.token_for(session, analyst))


async def test_the_export_has_no_direct_identifiers_in_csv_nor_parquet(
    client: httpx.AsyncClient, session: AsyncSession
):
    s, control, headers = await seeded(client, session)
    csv_r = await client.get("/api/v1/evaluation/panel.csv", params=PERIOD, headers=headers)
    parquet_r = await client.get("/api/v1/evaluation/panel.parquet", params=PERIOD, headers=headers)
    assert csv_r.status_code == 200 and parquet_r.status_code == 200
    table = pq.read_table(io.BytesIO(parquet_r.content)).to_pylist()
    text = csv_r.text + repr(table)
    for person in (s.person, control):
        for secret in (person.cognome, person.nome, person.codice_fiscale, "Via Laurentina", "3471234567"):
            assert secret not in text, secret
            assert secret.encode() not in parquet_r.content
    assert len(table) == 4  # two people, two months
    row = next(r for r in table if r["pseudonimo"] == pseudonym(PSEUDONYM_KEY, s.person.id) and r["mese"] == "2024-05")
    assert (row["allerte"], row["allerte_urgenti"], row["invii_ospedale"], row["seguito_centrale"]) == (2, 1, 1, True)
    assert row["ore_piano_mese"] == 20.0 and row["intensita"] == "MEDIA"
    other = next(r for r in table if r["pseudonimo"] == pseudonym(PSEUDONYM_KEY, control.id) and r["mese"] == "2024-05")
    assert (other["allerte"], other["seguito_centrale"]) == (0, False)


async def test_same_key_same_pseudonym_another_key_another(client: httpx.AsyncClient, session: AsyncSession):
    s, _, headers = await seeded(client, session)
    first = (await client.get("/api/v1/evaluation/panel.csv", params=PERIOD, headers=headers)).text
    second = (await client.get("/api/v1/evaluation/panel.csv", params=PERIOD, headers=headers)).text
    mine = pseudonym(PSEUDONYM_KEY, s.person.id)
    assert mine in first and mine in second
    other_key = await build_panel(
        session,
        key="un-altra-chiave-di-prova-abcdefghijklmnop",
        first=datetime(2024, 5, 1).date(),
        last=datetime(2024, 5, 31).date(),
    )
    assert mine not in {r["pseudonimo"] for r in other_key}
    assert pseudonym("un-altra-chiave-di-prova-abcdefghijklmnop", s.person.id) in {r["pseudonimo"] for r in other_key}


async def test_only_analysts_and_coordinators_export(client: httpx.AsyncClient, session: AsyncSession):
    cm = await f.operator(session, Role.CASE_MANAGER, await f.org(session, OrgKind.MUNICIPIO))
    r = await client.get(
        "/api/v1/evaluation/panel.csv", params=PERIOD, headers=f.bearer(await f.token_for(session, cm))
    )
    assert r.status_code == 403
