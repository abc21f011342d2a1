"""A completed protected discharge in the case's FHIR export: ServiceRequest, the CarePlan answering it, the Tasks."""

from __future__ import annotations

from datetime import date, datetime

import httpx
import time_machine
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.discharges import flows
from alerts.discharges.models import MILESTONES, Milestone
from centrale.clock import ROME
from centrale.db import Database
from centrale.uow import Tx
from tests import factories as f
from tests.alerts.discharges.helpers import actor, notice, notify_as, ward
from tests.integrations.fhir.conformance import profile_errors, schema_errors

T0 = datetime(2026, 3, 3, 10, 0, tzinfo=ROME)


async def _export(client: httpx.AsyncClient, session: AsyncSession, case_id: int, token: str) -> dict:  # type: ignore[type-arg]
    r = await client.get(f"/api/v1/cases/{case_id}/fhir", headers=f.bearer(token))
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def _of(bundle: dict, kind: str) -> list[dict]:  # type: ignore[type-arg]
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


async def test_a_completed_transition_is_exported_as_request_plan_and_milestone_tasks(
    client: httpx.AsyncClient, session: AsyncSession, database: Database
):
    w = await ward(session, policies=False)
    manager = await actor(session, w.case_manager)
    token = await f.token_for(session, w.case_manager)
    with time_machine.travel(T0, tick=False) as clock:
        data = notice(w, cf=f.valid_cf(), expected=date(2026, 3, 9), ref="RIC-77")
        done = await notify_as(database, await actor(session, w.pua), data)
        ident, case_id = done.discharge.id or 0, done.discharge.case_id
        in_flight = await _export(client, session, case_id, token)
        assert _of(in_flight, "ServiceRequest") == []  # the working record stays home until it is complete
        for day, milestone in enumerate(MILESTONES[1:], start=4):
            clock.move_to(datetime(2026, 3, day, 11, 0, tzinfo=ROME))
            async with Tx.open(database, actor=manager) as tx:
                await flows.complete_milestone(tx, discharge_id=ident, milestone=milestone)
                await tx.commit()
        bundle = await _export(client, session, case_id, token)
    assert schema_errors(bundle) == [] and profile_errors(bundle) == []
    [request] = _of(bundle, "ServiceRequest")
    assert request["status"] == "completed" and request["identifier"][0]["value"] == "RIC-77"
    assert request["requester"] == {"reference": f"Organization/org-{w.hospital.id}"}
    [plan] = [p for p in _of(bundle, "CarePlan") if p["id"].startswith("dimissione")]
    assert plan["basedOn"] == [{"reference": f"ServiceRequest/{request['id']}"}] and plan["status"] == "completed"
    tasks = [t for t in _of(bundle, "Task") if t["id"].startswith("dimissione")]
    assert [t["code"]["coding"][0]["code"] for t in tasks] == [str(m) for m in MILESTONES]
    assert all(t["status"] == "completed" and t["focus"] == {"reference": f"CarePlan/{plan['id']}"} for t in tasks)
    assert [a["reference"]["reference"] for a in plan["activity"]] == [f"Task/{t['id']}" for t in tasks]
    visit = next(t for t in tasks if t["code"]["coding"][0]["code"] == Milestone.PRIMA_VISITA)
    assert visit["owner"] == {"reference": f"Practitioner/operatore-{w.case_manager.id}"}
    assert visit["executionPeriod"]["end"] == "2026-03-08T10:00:00+00:00"  # the 8th at 11:00 in Rome
