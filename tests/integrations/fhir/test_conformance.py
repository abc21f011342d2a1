"""The FHIR export against FHIR R4's JSON schema and HL7 Italia's base profiles, checked independently
(tests/integrations/fhir/conformance.py), on every case of the demo district and on a full case file."""

from __future__ import annotations

import copy
from datetime import date

import httpx
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.auth.actor import actor_from
from centrale.cases.models import Case
from centrale.demo import seed_demo, seed_demo_tasks
from centrale.operators.models import Operator
from centrale.organisations.models import Organisation
from centrale.persons.models import Person, Sesso
from integrations.fhir.bundle import build_bundle, patient
from integrations.fhir.timing import timing_of
from tests.integrations.fhir.conformance import profile_errors, schema_errors
from tests.integrations.scenario import build

BASE = "https://centrale.example.it"


async def test_every_bundle_of_the_demo_conforms_to_r4_and_the_italian_profiles(session: AsyncSession) -> None:
    await seed_demo(session)
    await seed_demo_tasks(session)
    cases = (await session.exec(select(Case))).all()
    assert len(cases) >= 2
    kinds: set[str] = set()
    for case in cases:
        manager = await session.get(Operator, case.case_manager_id)
        assert manager is not None
        org = await session.get(Organisation, manager.organisation_id)
        assert org is not None
        bundle = await build_bundle(session, case=case, actor=actor_from(manager, org), base_url=BASE)
        assert schema_errors(bundle) == [], case.id
        assert profile_errors(bundle) == [], case.id
        kinds |= {e["resource"]["resourceType"] for e in bundle["entry"]}
    assert {"Patient", "Organization", "Practitioner", "CareTeam"} <= kinds


async def test_a_full_case_file_conforms_and_says_its_fhir_version(client: httpx.AsyncClient, session: AsyncSession):
    s = await build(client, session)
    r = await client.get(f"/api/v1/cases/{s.case['id']}/fhir", headers=s.headers)
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/fhir+json; fhirVersion=4.0"
    bundle = r.json()
    assert schema_errors(bundle) == []
    assert profile_errors(bundle) == []
    plan = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "CarePlan")
    weekly = plan["activity"][0]["detail"]
    assert weekly["scheduledTiming"] == {
        "repeat": {"frequency": 1, "period": 1, "periodUnit": "wk", "dayOfWeek": ["mon", "thu"]}
    }
    team = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "CareTeam")
    assert all(p["role"][0]["text"] and p["role"][0]["coding"] for p in team["participant"])


async def test_the_checks_refuse_what_r4_or_the_profiles_refuse(client: httpx.AsyncClient, session: AsyncSession):
    s = await build(client, session)
    bundle = (await client.get(f"/api/v1/cases/{s.case['id']}/fhir", headers=s.headers)).json()
    index = next(i for i, e in enumerate(bundle["entry"]) if e["resource"]["resourceType"] == "Patient")

    broken = copy.deepcopy(bundle)
    broken["entry"][index]["resource"]["scheduledString"] = "FREQ=DAILY"  # not an element of Patient
    assert any("scheduledString" in e for e in schema_errors(broken))
    r4b_only = copy.deepcopy(bundle)
    r4b_only["entry"][index]["resource"]["gender"] = "maschio"
    assert schema_errors(r4b_only)

    stp = copy.deepcopy(bundle)
    stp["entry"][index]["resource"]["identifier"] = [
        {"system": "http://hl7.it/sid/codiceFiscale", "value": "STP1201010000001"}
    ]
    assert "Patient.identifier:codiceSTP: system http://hl7.it/sid/codiceFiscale is not in UriIdStp" in (
        profile_errors(stp)
    )
    unclaimed = copy.deepcopy(bundle)
    del unclaimed["entry"][index]["resource"]["meta"]
    assert any("does not claim" in e for e in profile_errors(unclaimed))


def _person(code: str) -> Person:
    return Person(
        id=7,
        nome="Amina",
        cognome="Diallo",
        sesso=Sesso.F,
        data_nascita=date(1950, 1, 1),
        codice_fiscale=code,
        telefoni=[],
    )


def test_stp_and_eni_codes_have_their_regions_systems_and_an_omocodic_cf_its_own() -> None:
    assert patient(_person("STP1201010000001"))["identifier"] == [
        {"system": "http://hl7.it/sid/lazio/stp", "value": "STP1201010000001"}
    ]
    assert patient(_person("ENI0801010000001"))["identifier"][0]["system"] == "http://hl7.it/sid/eni"
    assert patient(_person("GLLLNZ33H08HRLMU"))["identifier"] == [
        {"system": "http://hl7.it/sid/codiceFiscale", "value": "GLLLNZ33H08HRLMU"}
    ]


def test_recurrences_become_fhir_timing() -> None:
    assert timing_of("FREQ=WEEKLY;BYDAY=TU;BYHOUR=10;BYMINUTE=30") == {
        "repeat": {"frequency": 1, "period": 1, "periodUnit": "wk", "dayOfWeek": ["tue"], "timeOfDay": ["10:30:00"]}
    }
    assert timing_of("FREQ=DAILY;INTERVAL=2;BYHOUR=9,16") == {
        "repeat": {"frequency": 1, "period": 2, "periodUnit": "d", "timeOfDay": ["09:00:00", "16:00:00"]}
    }
    assert timing_of("FREQ=MONTHLY;BYDAY=1MO") is None  # "the first Monday": Timing cannot say it
