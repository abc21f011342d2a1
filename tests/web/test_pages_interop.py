"""Interoperability from the page: a case's FHIR bundle downloads, its SIUSS flows read in words (waiting,
acquired, refused with INPS's reason), the district's flows and the evaluation export's key status."""

from __future__ import annotations

import html
import json

import httpx
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.events.service import commit
from centrale.operators.models import Role
from centrale.organisations.models import OrgKind
from integrations.siuss.models import FlowStatus, SiussFlow
from tests import factories as f
from tests.centrale.test_cases import open_case
from web.api.deps import COOKIE_NAME


async def test_a_case_manager_downloads_the_bundle_and_reads_the_flows(
    client: httpx.AsyncClient, session: AsyncSession
):
    municipio = await f.org(session, OrgKind.MUNICIPIO)
    manager = await f.operator(session, Role.CASE_MANAGER, municipio)
    token = await f.token_for(session, manager)
    person = await f.person(session, municipio)
    case = await open_case(client, token, person.id or 0)
    for n, (status, reason) in enumerate(
        [(FlowStatus.EMESSO, None), (FlowStatus.SCARTATO, "Codice fiscale del beneficiario non valido")]
    ):
        session.add(
            SiussFlow(
                id_flusso=f"H501-{n}",
                case_id=case["id"],
                person_id=person.id or 0,
                codice_prestazione="A2.07",
                xml="<x/>",
                ts_ms=n + 1,
                created_by_id=manager.id or 0,
                content_hash=str(n),
                status=status,
                descrizione_esito=reason,
            )
        )
    await commit(session)
    client.cookies.set(COOKIE_NAME, token)
    page = html.unescape((await client.get(f"/casi/{case['id']}/interoperabilita")).text)
    assert "In attesa: pronto per INPS" in page and "Scartato da INPS" in page
    assert "Codice fiscale del beneficiario non valido" in page
    assert "Un progetto personalizzato attivo" in page  # what blocks the others, in words
    bundle = await client.get(f"/casi/{case['id']}/fhir.json")
    assert bundle.status_code == 200 and "attachment" in bundle.headers["content-disposition"]
    assert json.loads(bundle.text)["resourceType"] == "Bundle"

    stranger = await f.operator(session, Role.CASE_MANAGER, await f.org(session, OrgKind.MUNICIPIO, municipio="I"))
    client.cookies.set(COOKIE_NAME, await f.token_for(session, stranger))
    assert (await client.get(f"/casi/{case['id']}/fhir.json")).status_code == 403

    coordinator = await f.operator(session, Role.COORDINATORE, await f.org(session, OrgKind.CENTRALE))
    client.cookies.set(COOKIE_NAME, await f.token_for(session, coordinator))
    page = html.unescape((await client.get("/interoperabilita")).text)
    assert "Scartato da INPS: 1" in page and "Codice fiscale del beneficiario non valido" in page
    assert 'id="key-status"' in page
    tutor = await f.operator(session, Role.TUTOR, municipio)
    client.cookies.set(COOKIE_NAME, await f.token_for(session, tutor))
    assert (await client.get("/interoperabilita")).status_code == 403
