"""A case built through the API as a case manager would: person, case, team, assessments, active plan."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.events.service import commit
from centrale.operators.models import Operator, Role
from centrale.organisations.models import Organisation, OrgKind
from centrale.persons.models import NetworkLink, NetworkRelation, NetworkRole, Person
from centrale.plans.catalogue import seed_catalogue
from tests import factories as f
from tests.centrale.test_cases import open_case

BARTHEL = {
    "alimentazione": 8,
    "bagno": 1,
    "igiene_personale": 3,
    "abbigliamento": 5,
    "continenza_intestinale": 8,
    "continenza_urinaria": 5,
    "uso_gabinetto": 5,
    "trasferimento_letto_sedia": 8,
    "deambulazione": 8,
    "scale": 2,
}  # 53: grave
KATZ = {"bagno": 0, "vestirsi": 1, "toilette": 1, "spostarsi": 1, "continenza": 0, "alimentazione": 1}  # 4
INSPIRE = {"VRS": 2, "AP": 3, "AS": 2, "ISL": 0, "FNF": 2}
MMSE = {"punteggio_corretto": 20}  # lieve


@dataclass
class Scenario:
    municipio: Organisation
    coop: Organisation
    case_manager: Operator
    headers: dict[str, str]
    person: Person
    case: dict
    plan: dict


def plan_body(coop_id: int) -> dict:
    return {
        "start_date": "2024-03-01",
        "planned_end": "2024-12-31",
        "isee": "18750",
        "goals": [{"term": "BREVE", "description": "Spesa settimanale garantita"}],
        "interventions": [
            {
                "service_code": "A2.07",
                "provider_org_id": coop_id,
                "frequency": "REGOLARE",
                "rrule": "FREQ=WEEKLY;BYDAY=MO,TH",
                "hours_per_month": "20",
            },
            {
                "service_code": "A1.16",
                "provider_org_id": coop_id,
                "frequency": "UNA_TANTUM",
                "hours_per_month": "0",
                "tariff": "0",
            },
        ],
    }


async def build(client: httpx.AsyncClient, session: AsyncSession) -> Scenario:
    await seed_catalogue(session)
    await commit(session)
    municipio = await f.org(session, OrgKind.MUNICIPIO)
    coop = await f.org(session, OrgKind.ETS)
    cm = await f.operator(session, Role.CASE_MANAGER, municipio)
    token = await f.token_for(session, cm)
    headers = f.bearer(token)
    person = await f.person(session, municipio)
    session.add(
        NetworkLink(
            person_id=person.id or 0,
            relation=NetworkRelation.FAMILIARE,
            role=NetworkRole.CAREGIVER,
            name="Laura Bianchi",
            phone="+393331112223",
        )
    )
    await commit(session)
    case = await open_case(client, token, person.id or 0)
    for kind, answers in (("BARTHEL", BARTHEL), ("KATZ_ADL", KATZ), ("INSPIRE", INSPIRE), ("MMSE", MMSE)):
        r = await client.post(
            f"/api/v1/cases/{case['id']}/assessments",
            headers=headers,
            json={"kind": kind, "answers": answers, "assessed_on": "2024-02-20"},
        )
        assert r.status_code == 201, r.text
    r = await client.post(f"/api/v1/cases/{case['id']}/plans", headers=headers, json=plan_body(coop.id or 0))
    assert r.status_code == 201, r.text
    plan = r.json()
    assert (await client.post(f"/api/v1/plans/{plan['id']}/approvals", headers=headers)).status_code == 200
    r = await client.post(f"/api/v1/plans/{plan['id']}/signature", headers=headers, json={"signed_by": "Maria Bianchi"})
    assert r.json()["status"] == "ATTIVO", r.text
    plan = r.json()
    for step in (
        {"state": "PRESO_IN_CARICO", "phase": "VALUTAZIONE"},
        {"phase": "PROGETTAZIONE"},
        {"phase": "ATTUAZIONE"},
    ):
        r = await client.post(f"/api/v1/cases/{case['id']}/transitions", headers=headers, json=step)
        assert r.status_code == 200, r.text
    return Scenario(municipio, coop, cm, headers, person, r.json(), plan)
