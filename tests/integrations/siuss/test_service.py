"""Flows from a real case: what is missing is shown on the case; complete data give XSD-valid flows."""

from __future__ import annotations

from datetime import date

import httpx
from lxml import etree
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.audit.models import AuditEvent, AuditOutcome
from centrale.clock import to_rome, utcnow
from centrale.events.service import commit
from centrale.operators.models import Role
from centrale.organisations.models import OrgKind
from centrale.persons.models import Sesso
from integrations.siuss.models import SiussFlow
from integrations.siuss.spec import NAMESPACE, ps_psa_sina_schema
from tests import factories as f
from tests.integrations.scenario import build

SIUSS_DATA = {
    "protocollo_domanda": "PRT-2024-17",
    "codice_cittadinanza": "380",
    "disturbi_comportamentali": "1",
    "area_reddituale": "2",
}
NS = {"c": NAMESPACE}


async def flow_count(session: AsyncSession) -> int:
    return (await session.exec(select(func.count()).select_from(SiussFlow))).one()


async def test_missing_data_are_listed_on_the_case_and_no_flow_is_emitted(
    client: httpx.AsyncClient, session: AsyncSession
):
    s = await build(client, session)
    status = (await client.get(f"/api/v1/cases/{s.case['id']}/siuss", headers=s.headers)).json()
    missing = {m["field"] for b in status["blocked"] for m in b["missing"]}
    assert missing == {
        "prestazione.protocollo_domanda",
        "beneficiario.codice_cittadinanza",
        "prestazione.sina.disturbi_comportamentali",
        "prestazione.sina.area_reddituale",
    }
    r = await client.post(f"/api/v1/cases/{s.case['id']}/siuss/flussi", headers=s.headers)
    assert r.status_code == 200 and r.json()["emitted"] == []
    assert len(r.json()["blocked"]) == 2  # both interventions, each with its list
    assert await flow_count(session) == 0


async def test_complete_case_emits_one_valid_flow_per_prestazione_mapped_from_plan_and_scales(
    client: httpx.AsyncClient, session: AsyncSession
):
    s = await build(client, session)
    r = await client.put(f"/api/v1/cases/{s.case['id']}/siuss/dati", headers=s.headers, json=SIUSS_DATA)
    assert r.status_code == 200 and r.json()["blocked"] == []
    r = await client.post(f"/api/v1/cases/{s.case['id']}/siuss/flussi", headers=s.headers)
    emitted = r.json()["emitted"]
    day = to_rome(utcnow()).strftime("%Y%m%d")
    assert [e["id_flusso"] for e in emitted] == [f"H501.PS.{day}.0000001", f"H501.PS.{day}.0000002"]

    flows = (await session.exec(select(SiussFlow).order_by(col(SiussFlow.id)))).all()
    for flow in flows:
        ps_psa_sina_schema().validate(flow.xml)
        root = etree.fromstring(flow.xml.encode())
        assert len(root.findall("c:Beneficiario", NS)) == 1
        assert len(root.findall("c:Beneficiario/c:PrestazioniSociali", NS)) == 1
    home = etree.fromstring(flows[0].xml.encode()).find("c:Beneficiario/c:PrestazioniSociali", NS)
    assert {
        k: home.get(k)
        for k in (
            "CodicePrestazione",
            "ImportoMensile",
            "ImportoQuotaEnte",
            "ImportoQuotaUtente",
            "ImportoSogliaISEE",
            "OreServizioMensile",
            "PresenzaProvaMezzi",
            "PresaCarico",
            "AreaUtenza",
            "CaratterePrestazione",
            "DataInizioPrestazione",
        )
    } == {
        "CodicePrestazione": "A2.07",
        "ImportoMensile": "276.00",
        "ImportoQuotaEnte": "196.00",
        "ImportoQuotaUtente": "80.00",
        "ImportoSogliaISEE": "30000.00",
        "OreServizioMensile": "20.00",
        "PresenzaProvaMezzi": "1",
        "PresaCarico": "1",
        "AreaUtenza": "2",
        "CaratterePrestazione": "1",
        "DataInizioPrestazione": "2024-03-01",
    }
    sina = home.find("c:SINA", NS)
    # Barthel walking 8 -> assisted; Katz 4 -> partly dependent; MMSE 20 -> lieve; FNF 2 with a network -> 2
    assert (
        sina.get("Mobilita"),
        sina.get("AttivitaVitaQuotidiana"),
        sina.get("DisturbiAreaCognitiva"),
        sina.get("AreaSupporto"),
        sina.get("StrumentoValutazione"),
    ) == ("2", "2", "1", "2", "7")
    one_off = etree.fromstring(flows[1].xml.encode()).find("c:Beneficiario/c:PrestazioniSociali", NS)
    assert (
        one_off.get("CodicePrestazione"),
        one_off.get("PresenzaProvaMezzi"),
        one_off.get("CaratterePrestazione"),
    ) == ("A1.16", "4", "2")

    # nothing changed: INPS already has these flows, none is emitted again
    r = await client.post(f"/api/v1/cases/{s.case['id']}/siuss/flussi", headers=s.headers)
    assert r.json()["emitted"] == [] and await flow_count(session) == 2


async def test_an_outsider_cannot_emit_and_the_refusal_is_audited(client: httpx.AsyncClient, session: AsyncSession):
    s = await build(client, session)
    other = await f.operator(session, Role.CASE_MANAGER, await f.org(session, OrgKind.MUNICIPIO, municipio="V"))
    headers = f.bearer(await f.token_for(session, other))
    assert (
        await client.put(f"/api/v1/cases/{s.case['id']}/siuss/dati", headers=headers, json=SIUSS_DATA)
    ).status_code == 403
    assert (await client.post(f"/api/v1/cases/{s.case['id']}/siuss/flussi", headers=headers)).status_code == 403
    assert (await client.get(f"/api/v1/cases/{s.case['id']}/siuss", headers=headers)).status_code == 403
    assert await flow_count(session) == 0
    status = (await client.get(f"/api/v1/cases/{s.case['id']}/siuss", headers=s.headers)).json()
    assert status["data"] is None  # the refused PUT stored nothing
    denials = (
        await session.exec(
            select(AuditEvent).where(
                col(AuditEvent.outcome) == AuditOutcome.DENIED, col(AuditEvent.agent_operator_id) == other.id
            )
        )
    ).all()
    assert {d.subtype for d in denials} == {"case.siuss.manage", "case.siuss.read"} and len(denials) == 3


async def test_an_omocodic_codice_fiscale_gives_the_birthplace_decoded_and_the_flow_validates(
    client: httpx.AsyncClient, session: AsyncSession
):
    s = await build(client, session)
    # a man born in Roma (H501) on 8 June 1933 whose code had its digits replaced (omocodia): 0 -> L, 1 -> M, 5 -> R
    s.person.codice_fiscale, s.person.sesso, s.person.data_nascita = "GLLLNZ33H08HRLMU", Sesso.M, date(1933, 6, 8)
    session.add(s.person)
    await commit(session)
    r = await client.put(f"/api/v1/cases/{s.case['id']}/siuss/dati", headers=s.headers, json=SIUSS_DATA)
    assert r.status_code == 200 and r.json()["blocked"] == []
    r = await client.post(f"/api/v1/cases/{s.case['id']}/siuss/flussi", headers=s.headers)
    assert len(r.json()["emitted"]) == 2
    for flow in (await session.exec(select(SiussFlow))).all():
        ps_psa_sina_schema().validate(flow.xml)
        beneficiario = etree.fromstring(flow.xml.encode()).find("c:Beneficiario", NS)
        anagrafica = beneficiario.find("c:Anagrafica", NS)
        assert beneficiario.get("CodiceFiscale") == "GLLLNZ33H08HRLMU"  # the person's code as issued
        assert (anagrafica.get("LuogoNascita"), anagrafica.get("AnnoNascita"), anagrafica.get("Genere")) == (
            "H501",
            "1933",
            "1",
        )
