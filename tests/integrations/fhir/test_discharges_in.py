"""A hospital posts a discharge notice as a FHIR R4 Bundle: created with its deadlines, idempotent, refused clearly."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import httpx
import pytest
import time_machine
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.discharges import clients
from alerts.discharges.models import Discharge, DischargeMilestone, DischargeSource
from centrale.audit.models import AuditEvent, AuditOutcome
from centrale.cases.models import Case
from centrale.clock import ROME
from centrale.db import Database
from centrale.events.models import Event
from centrale.events.service import commit
from centrale.persons.models import Person
from centrale.settings import Settings
from tests import factories as f
from tests.alerts.discharges.helpers import Ward, ward
from tests.integrations.fhir.conformance import schema_errors
from web.app import create_app

T0 = datetime(2026, 3, 3, 10, 0, tzinfo=ROME)
CERT_HEADER = "X-Client-Cert-Sha256"
FINGERPRINT = "AB:CD:" + "01" * 30


def discharge_bundle(cf: str, *, stay: str = "RIC-2026-0001", end: str | None = "2026-03-09") -> dict[str, Any]:
    """What a hospital's system sends: written here by hand, as HL7 Italia's examples write a Patient."""
    encounter: dict[str, Any] = {
        "resourceType": "Encounter",
        "id": "ricovero",
        "identifier": [{"system": "urn:oid:2.16.840.1.113883.2.9.4.3.8", "value": stay}],
        "status": "in-progress",
        "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "IMP"},
        "subject": {"reference": "urn:uuid:paziente"},
        "period": {"start": "2026-02-25T09:30:00+01:00"},
        "location": [{"location": {"display": "Medicina interna, 3° piano"}}],
    }
    if end is not None:
        encounter["period"]["end"] = end
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {
                "fullUrl": "urn:uuid:paziente",
                "resource": {
                    "resourceType": "Patient",
                    "identifier": [{"system": "http://hl7.it/sid/codiceFiscale", "value": cf}],
                    "name": [{"family": "Bianchi", "given": ["Anna"]}],
                    "gender": "female",
                    "birthDate": "1936-07-14",
                    "address": [{"text": "Via della Magliana 200, Roma", "district": "Municipio XI"}],
                },
            },
            {"fullUrl": "urn:uuid:ricovero", "resource": encounter},
            {
                "fullUrl": "urn:uuid:richiesta",
                "resource": {
                    "resourceType": "ServiceRequest",
                    "status": "active",
                    "intent": "order",
                    "code": {"text": "Continuità assistenziale: dimissione protetta"},
                    "subject": {"reference": "urn:uuid:paziente"},
                    "encounter": {"reference": "urn:uuid:ricovero"},
                    "requester": {"display": "Inf. Coord. Sara Neri, tel. 06 5555 1234"},
                    "note": [{"text": "Ossigenoterapia domiciliare; vive sola"}],
                },
            },
        ],
    }


async def _credential(session: AsyncSession, w: Ward, fingerprint: str | None = None) -> str:
    assert w.hospital.id is not None and w.asl.id is not None
    _, credential = await clients.issue(
        session, client_id="sfn", hospital_org_id=w.hospital.id, receiving_org_id=w.asl.id, cert_fingerprint=fingerprint
    )
    await commit(session)
    return credential


async def _counts(session: AsyncSession) -> dict[str, int]:
    counted = {"discharges": Discharge, "milestones": DischargeMilestone, "persons": Person, "cases": Case}
    out = {name: (await session.exec(select(func.count()).select_from(model))).one() for name, model in counted.items()}
    return out | {"events": (await session.exec(select(func.count()).select_from(Event))).one()}


async def test_a_bundle_creates_the_transition_with_its_deadlines_and_again_changes_nothing(
    client: httpx.AsyncClient, session: AsyncSession
):
    w = await ward(session)
    w.case_manager.organisation_id = w.asl.id  # the PUA's organisation has the case manager of new cases
    session.add(w.case_manager)
    await commit(session)
    headers = f.bearer(await _credential(session, w))
    bundle = discharge_bundle(f.valid_cf())
    assert schema_errors(bundle) == []  # what the test sends is itself FHIR R4
    with time_machine.travel(T0, tick=False):
        first = await client.post("/api/v1/fhir/discharges", json=bundle, headers=headers)
        assert first.status_code == 201, first.text
        before = await _counts(session)
        again = await client.post("/api/v1/fhir/discharges", json=bundle, headers=headers)
    assert again.status_code == 200 and again.json() == first.json()
    assert await _counts(session) == before
    body = first.json()
    assert (body["ward"], body["expected_date"], body["hospital_ref"]) == (
        "Medicina interna, 3° piano",
        "2026-03-09",
        "RIC-2026-0001",
    )
    assert body["hospital_org_id"] == w.hospital.id and body["source"] == DischargeSource.FHIR
    dues = {m["milestone"]: m["due_at"][:16] for m in body["milestones"]}
    assert dues["UVM_PRENOTATA"] == "2026-03-04T17:00" and dues["PRIMA_VISITA"] == "2026-03-11T11:00"  # UTC
    assert before["persons"] == 1 and before["cases"] == 1


@pytest.mark.parametrize(
    ("change", "status", "element"),
    [
        (lambda b: b["entry"][1]["resource"]["period"].pop("end"), 422, "Encounter.period.end"),
        (lambda b: b["entry"][0]["resource"]["identifier"][0].update(value="RSSMRA38E41H501X"), 422,
         "Patient.identifier.value"),
        (lambda b: b["entry"][0]["resource"].pop("identifier"), 422, "Patient.identifier"),
        (lambda b: b["entry"][1]["resource"]["class"].update(code="AMB"), 422, "Encounter.class"),
        (lambda b: b["entry"].pop(2), 422, "Bundle.entry.resource.ofType(ServiceRequest)"),
        (lambda b: b["entry"][2]["resource"].pop("requester"), 422, "ServiceRequest.requester.display"),
        (lambda b: b["entry"][1]["resource"]["period"].update(end="2031-01-01"), 422, "Encounter.period.end"),
    ],
)  # fmt: skip
async def test_an_invalid_bundle_answers_an_operation_outcome_naming_the_element(
    client: httpx.AsyncClient, session: AsyncSession, change: Any, status: int, element: str
):
    w = await ward(session, policies=False)
    headers = f.bearer(await _credential(session, w))
    bundle = copy.deepcopy(discharge_bundle(f.valid_cf()))
    change(bundle)
    with time_machine.travel(T0, tick=False):
        r = await client.post("/api/v1/fhir/discharges", json=bundle, headers=headers)
    assert r.status_code == status and r.headers["content-type"].startswith("application/fhir+json")
    outcome = r.json()
    assert schema_errors(outcome) == []
    [issue] = outcome["issue"]
    assert issue["severity"] == "error" and issue["expression"] == [element] and issue["location"] == [element]
    assert (await _counts(session))["discharges"] == 0


async def test_a_body_that_is_not_json_is_a_400_outcome(client: httpx.AsyncClient, session: AsyncSession):
    w = await ward(session, policies=False)
    headers = f.bearer(await _credential(session, w)) | {"Content-Type": "application/fhir+json"}
    r = await client.post("/api/v1/fhir/discharges", content=b"<Bundle/>", headers=headers)
    assert r.status_code == 400 and r.json()["issue"][0]["expression"] == ["Bundle"]


@pytest.mark.parametrize("authorization", [None, "Bearer sfn.wrong-secret", "Bearer nobody.x", "Basic c2ZuOng="])
async def test_without_the_credential_401_and_an_audit_row(
    client: httpx.AsyncClient, session: AsyncSession, database: Database, authorization: str | None
):
    w = await ward(session, policies=False)
    await _credential(session, w)
    headers = {"Authorization": authorization} if authorization else {}
    r = await client.post("/api/v1/fhir/discharges", json=discharge_bundle(f.valid_cf()), headers=headers)
    assert r.status_code == 401 and r.json()["issue"][0]["code"] == "login"
    async with database.sessionmaker() as s:
        rows = (await s.exec(select(AuditEvent).where(col(AuditEvent.subtype) == "discharge.notify"))).all()
    assert [(row.outcome, row.source_address) for row in rows] == [(AuditOutcome.DENIED, "127.0.0.1")]
    assert (await _counts(session))["discharges"] == 0


@pytest.fixture
async def mtls_client(database: Database, request: pytest.FixtureRequest) -> AsyncIterator[httpx.AsyncClient]:
    allowed, scheme = request.param
    settings = Settings(
        environment="test",
        database_url=database.url,
        public_url="http://testserver",
        scheduler_enabled=False,
        fhir_client_cert_header=CERT_HEADER,
        forwarded_allow_ips=allowed,
        tls_terminated_by_proxy=True,
    )
    application = create_app(settings, database=database)
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url=f"{scheme}://testserver") as c:
            yield c


@pytest.mark.parametrize(
    ("mtls_client", "status"),
    [
        (("127.0.0.1", "http"), 201),  # the proxy's own address
        (("10.0.0.0/8", "https"), 201),  # https set by a trusted proxy's X-Forwarded-Proto
        (("10.0.0.0/8", "http"), 401),  # straight to the app: the header is anybody's
    ],
    indirect=["mtls_client"],
)
async def test_the_certificate_header_is_believed_only_from_a_trusted_proxy(
    mtls_client: httpx.AsyncClient, session: AsyncSession, status: int
):
    w = await ward(session, policies=False)
    await _credential(session, w, fingerprint=FINGERPRINT)
    w.case_manager.organisation_id = w.asl.id
    session.add(w.case_manager)
    await commit(session)
    headers = {CERT_HEADER: FINGERPRINT.lower()}
    with time_machine.travel(T0, tick=False):
        r = await mtls_client.post("/api/v1/fhir/discharges", json=discharge_bundle(f.valid_cf()), headers=headers)
    assert r.status_code == status, r.text


async def test_the_same_bundle_twice_at_once_records_one_transition(client: httpx.AsyncClient, session: AsyncSession):
    w = await ward(session, policies=False)
    w.case_manager.organisation_id = w.asl.id
    session.add(w.case_manager)
    await commit(session)
    headers = f.bearer(await _credential(session, w))
    bundle = discharge_bundle(f.valid_cf())
    with time_machine.travel(T0, tick=False):
        answers = await asyncio.gather(
            *(client.post("/api/v1/fhir/discharges", json=bundle, headers=headers) for _ in range(2))
        )
    assert sorted(a.status_code for a in answers) == [200, 201], [a.text for a in answers]
    assert answers[0].json()["id"] == answers[1].json()["id"]
    counts = await _counts(session)
    assert (counts["discharges"], counts["persons"], counts["cases"]) == (1, 1, 1)
