"""/waas/v1 answers as INPS's api-comuni.yaml says, only to INPS's credential; refusals reach the case."""

from __future__ import annotations

import base64
from typing import Any

import httpx
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations.siuss.models import SiussFlow
from integrations.siuss.spec import api_comuni, ps_psa_sina_schema
from tests.integrations.conftest import WAAS_TOKEN
from tests.integrations.scenario import build
from tests.integrations.siuss.test_service import SIUSS_DATA

INPS = {"Authorization": f"Bearer {WAAS_TOKEN}"}


def assert_valid(instance: Any, component: str) -> None:
    """Validate against ``#/components/schemas/<component>`` of the YAML loaded from the package."""
    spec = api_comuni()
    schema = {"$ref": f"#/components/schemas/{component}", "components": spec["components"]}
    OAS30Validator(schema, format_checker=oas30_format_checker).validate(instance)


async def emitted_case(client: httpx.AsyncClient, session: AsyncSession):  # type: ignore[no-untyped-def]
    s = await build(client, session)
    await client.put(f"/api/v1/cases/{s.case['id']}/siuss/dati", headers=s.headers, json=SIUSS_DATA)
    r = await client.post(f"/api/v1/cases/{s.case['id']}/siuss/flussi", headers=s.headers)
    assert len(r.json()["emitted"]) == 2
    return s


async def test_flussi_are_base64_valid_chronological_and_empty_when_nothing_is_new(
    client: httpx.AsyncClient, session: AsyncSession
):
    await emitted_case(client, session)
    r = await client.get("/waas/v1/flussi", params={"since": 0}, headers=INPS)
    assert r.status_code == 200
    body = r.json()
    assert_valid(body, "Entries")
    entries = body["elenco_flussi"]
    assert [e["tipo"] for e in entries] == ["PS_PSA_SINA", "PS_PSA_SINA"]
    assert entries[0]["ts_flusso"] < entries[1]["ts_flusso"]
    for e in entries:
        ps_psa_sina_schema().validate(base64.b64decode(e["flusso"]).decode())
        assert e["codice_ente"] == "H501" and e["id_flusso"].startswith("H501.PS.")

    # paging with since: the first page of one, then the rest, then nothing
    first = (await client.get("/waas/v1/flussi", params={"since": 0, "limit": 1}, headers=INPS)).json()
    assert [e["id_flusso"] for e in first["elenco_flussi"]] == [entries[0]["id_flusso"]]
    rows = (await session.exec(select(SiussFlow).order_by(SiussFlow.ts_ms))).all()  # type: ignore[arg-type]
    after_first = (await client.get("/waas/v1/flussi", params={"since": rows[0].ts_ms}, headers=INPS)).json()
    assert [e["id_flusso"] for e in after_first["elenco_flussi"]] == [entries[1]["id_flusso"]]
    empty = (await client.get("/waas/v1/flussi", params={"since": rows[-1].ts_ms}, headers=INPS)).json()
    assert empty == {"elenco_flussi": []}
    assert_valid(empty, "Entries")


async def test_only_inps_credential_gets_in(client: httpx.AsyncClient, session: AsyncSession):
    await emitted_case(client, session)
    for headers in ({}, {"Authorization": "Bearer altro"}, {"Authorization": f"Basic {WAAS_TOKEN}"}):
        r = await client.get("/waas/v1/flussi", params={"since": 0}, headers=headers)
        assert r.status_code == 401 and r.headers["content-type"] == "application/problem+json"
        assert_valid(r.json(), "Problem")
        r = await client.post("/waas/v1/esiti", headers=headers, json={"elenco_esiti": []})
        assert r.status_code == 401


async def test_bad_parameters_are_400_problems(client: httpx.AsyncClient):
    for params in ({}, {"since": "ieri"}, {"since": 0, "limit": 101}, {"since": -1}):
        r = await client.get("/waas/v1/flussi", params=params, headers=INPS)
        assert r.status_code == 400, params
        assert_valid(r.json(), "Problem")
    r = await client.post("/waas/v1/esiti", headers=INPS, json={"elenco_esiti": [{"id_flusso": "x"}]})
    assert r.status_code == 400 and "tipo" in r.json()["detail"]


async def test_esiti_are_recorded_and_a_rejection_shows_to_the_case_manager_with_its_reason(
    client: httpx.AsyncClient, session: AsyncSession
):
    s = await emitted_case(client, session)
    entries = (await client.get("/waas/v1/flussi", params={"since": 0}, headers=INPS)).json()["elenco_flussi"]
    payload = {
        "elenco_esiti": [
            {
                "id_flusso": entries[0]["id_flusso"],
                "ts_flusso": entries[0]["ts_flusso"],
                "ts_acquisizione": "2024-03-16T09:00:00.000Z",
                "tipo": "PS_PSA_SINA",
                "codice_esito": "OK",
                "id_acquisizione_siuss": "22738",
            },
            {
                "id_flusso": entries[1]["id_flusso"],
                "ts_flusso": entries[1]["ts_flusso"],
                "ts_acquisizione": "2024-03-16T09:00:00.000Z",
                "tipo": "PS_PSA_SINA",
                "codice_esito": "RICHIESTA_INVALIDA",
                "descrizione_esito": "Protocollo domanda già utilizzato",
            },
            {
                "id_flusso": "H501.PS.20000101.0000001",
                "ts_flusso": "2000-01-01T00:00:00Z",
                "ts_acquisizione": "2000-01-01T00:00:00Z",
                "tipo": "PS_PSA_SINA",
                "codice_esito": "OK",
            },
        ]
    }
    assert_valid(payload, "ElencoEsiti")
    r = await client.post("/waas/v1/esiti", headers=INPS, json=payload)
    assert r.status_code == 204 and r.content == b""

    status = (await client.get(f"/api/v1/cases/{s.case['id']}/siuss", headers=s.headers)).json()
    assert [(f["status"], f["id_acquisizione_siuss"]) for f in status["flows"]] == [
        ("ACQUISITO", "22738"),
        ("SCARTATO", None),
    ]
    assert [(f["codice_esito"], f["descrizione_esito"]) for f in status["rejected"]] == [
        ("RICHIESTA_INVALIDA", "Protocollo domanda già utilizzato")
    ]
    # after a rejection the corrected intervention can be sent again under a new id
    r = await client.post(f"/api/v1/cases/{s.case['id']}/siuss/flussi", headers=s.headers)
    assert [e["codice_prestazione"] for e in r.json()["emitted"]] == ["A1.16"]
    assert (await session.exec(select(func.count()).select_from(SiussFlow))).one() == 3
