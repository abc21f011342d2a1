"""The case as a FHIR R4 Bundle: valid against R4's schema; only the reader's sections; 403 audited."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.models import Alert, AlertSource, AlertState, Severity
from centrale.audit.models import AuditEvent, AuditOutcome
from centrale.clock import utcnow
from centrale.events.service import commit
from centrale.operators.models import Role
from centrale.organisations.models import OrgKind
from centrale.tasks.models import Task as MonitoringTask
from centrale.tasks.models import TaskType
from tests import factories as f
from tests.integrations.fhir.conformance import schema_errors
from tests.integrations.scenario import build


async def test_every_resource_of_the_bundle_validates_as_r4(client: httpx.AsyncClient, session: AsyncSession):
    s = await build(client, session)
    for state in (AlertState.NUOVA, AlertState.RISOLTA):
        session.add(
            Alert(
                source=AlertSource.SEGNALAZIONE_SENTINELLA,
                severity=Severity.ALTA,
                summary="caduta",
                person_id=s.person.id,
                state=state,
            )
        )
    session.add(
        MonitoringTask(
            code="V1",
            person_id=s.person.id,
            type=TaskType.VISITA_DOMICILIARE,
            assignee_id=s.case_manager.id,
            due_start=utcnow(),
            due_end=utcnow() + timedelta(hours=2),
        )
    )
    await commit(session)
    r = await client.get(f"/api/v1/cases/{s.case['id']}/fhir", headers=s.headers)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/fhir+json")
    assert r.json()["type"] == "collection"
    assert schema_errors(r.json()) == []  # FHIR R4's JSON schema
    kinds = [entry["resource"]["resourceType"] for entry in r.json()["entry"]]
    assert {
        "Patient",
        "RelatedPerson",
        "Organization",
        "Practitioner",
        "CareTeam",
        "CarePlan",
        "Task",
        "Flag",
        "Consent",
    } <= set(kinds)
    assert kinds.count("Flag") == 1  # only the open alert
    assert kinds.count("Task") == 2  # the plan's next review and the open visit
    plan = next(e["resource"] for e in r.json()["entry"] if e["resource"]["resourceType"] == "CarePlan")
    assert [a["detail"]["code"]["coding"][0]["code"] for a in plan["activity"]] == ["A2.07", "A1.16"]
    patient = next(e["resource"] for e in r.json()["entry"] if e["resource"]["resourceType"] == "Patient")
    assert patient["identifier"][0]["value"] == s.person.codice_fiscale
    audit = (await session.exec(select(AuditEvent).where(col(AuditEvent.subtype) == "case.fhir"))).all()
    assert [(a.outcome, a.person_id) for a in audit] == [(AuditOutcome.SUCCESS, s.person.id)]


async def test_a_tutor_on_the_team_gets_only_the_tutor_sections(client: httpx.AsyncClient, session: AsyncSession):
    s = await build(client, session)
    tutor = await f.operator(session, Role.TUTOR, s.coop)
    r = await client.post(
        f"/api/v1/cases/{s.case['id']}/team",
        headers=s.headers,
        json={"organisation_id": s.coop.id, "operator_id": tutor.id, "role": "TUTOR"},
    )
    assert r.status_code == 201
    r = await client.get(f"/api/v1/cases/{s.case['id']}/fhir", headers=f.bearer(await f.token_for(session, tutor)))
    assert r.status_code == 200
    kinds = {e["resource"]["resourceType"] for e in r.json()["entry"]}
    assert "Patient" in kinds and "CarePlan" in kinds


async def test_a_reader_who_may_not_see_the_case_gets_403_audited(client: httpx.AsyncClient, session: AsyncSession):
    s = await build(client, session)
    for role, org in (
        (Role.CASE_MANAGER, await f.org(session, OrgKind.MUNICIPIO, municipio="V")),
        (Role.ANALISTA, s.municipio),
    ):
        outsider = await f.operator(session, role, org)
        r = await client.get(
            f"/api/v1/cases/{s.case['id']}/fhir", headers=f.bearer(await f.token_for(session, outsider))
        )
        assert r.status_code == 403
        denied = (await session.exec(select(AuditEvent).where(col(AuditEvent.agent_operator_id) == outsider.id))).all()
        assert [(d.subtype, d.outcome, d.person_id) for d in denied] == [
            ("case.fhir", AuditOutcome.DENIED, s.person.id)
        ]
