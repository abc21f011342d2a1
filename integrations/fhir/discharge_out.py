"""A completed protected discharge in the case's FHIR export: the request, the plan that answered it, its steps.

- ``ServiceRequest`` (the hospital's request for continuity of care: requester the hospital, the stay's
  identifier under the hospital's system, status completed);
- ``CarePlan`` that answers it (``basedOn`` the ServiceRequest), its activities the milestones' Tasks;
- one ``Task`` per milestone (``basedOn`` the ServiceRequest, ``focus`` the CarePlan), status completed
  when done (``executionPeriod.end``, ``owner`` who did it) and the deadline as ``restriction.period.end``.

Only completed transitions are exported: one in flight is still the district's working record.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.discharges.models import Discharge, DischargeMilestone, DischargeState, Milestone

Resource = dict[str, Any]
Keep = Callable[[int], Awaitable[None]]

MILESTONE_WORDS = {
    Milestone.NOTIFICA: "Notifica della dimissione ricevuta",
    Milestone.UVM_PRENOTATA: "Valutazione multidimensionale prenotata",
    Milestone.UVM_SVOLTA: "Valutazione multidimensionale svolta",
    Milestone.PIANO_APPROVATO: "Piano di assistenza approvato",
    Milestone.DIMISSIONE: "Dimissione dal reparto",
    Milestone.PRIMA_VISITA: "Prima visita a domicilio",
    Milestone.TELEFONATA_CONTROLLO: "Telefonata di controllo",
}


def _instant(moment: datetime) -> str:
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


def _ref(kind: str, ident: object) -> dict[str, str]:
    return {"reference": f"{kind}/{ident}"}


def _task(d: Discharge, m: DischargeMilestone, patient: dict[str, str], base_url: str) -> Resource:
    words = MILESTONE_WORDS[m.milestone]
    task: Resource = {
        "resourceType": "Task",
        "id": f"dimissione-{d.id}-{m.milestone.lower().replace('_', '-')}",
        "basedOn": [_ref("ServiceRequest", f"dimissione-{d.id}")],
        "status": "completed" if m.done_at else "cancelled",
        "intent": "plan",
        "code": {
            "coding": [
                {"system": f"{base_url}/fhir/CodeSystem/tappa-dimissione", "code": str(m.milestone), "display": words}
            ],
            "text": words,
        },
        "focus": _ref("CarePlan", f"dimissione-piano-{d.id}"),
        "for": patient,
        "restriction": {"period": {"end": _instant(m.due_at)}},
    }
    if m.done_at is not None:
        task["executionPeriod"] = {"end": _instant(m.done_at)}
    if m.done_by_id is not None:
        task["owner"] = _ref("Practitioner", f"operatore-{m.done_by_id}")
    return task


async def discharge_resources(
    session: AsyncSession,
    *,
    case_id: int,
    patient: dict[str, str],
    base_url: str,
    keep_org: Keep,
    keep_op: Keep,
) -> list[Resource]:
    """The resources of the case's completed transitions (the organisations and operators they name kept)."""
    done = await session.exec(
        select(Discharge)
        .where(col(Discharge.case_id) == case_id, col(Discharge.state) == DischargeState.COMPLETATA)
        .order_by(col(Discharge.id))
    )
    resources: list[Resource] = []
    for d in done.all():
        await keep_org(d.hospital_org_id)
        steps = (
            await session.exec(
                select(DischargeMilestone)
                .where(col(DischargeMilestone.discharge_id) == d.id)
                .order_by(col(DischargeMilestone.position))
            )
        ).all()
        request: Resource = {
            "resourceType": "ServiceRequest",
            "id": f"dimissione-{d.id}",
            "status": "completed",
            "intent": "order",
            "code": {"text": "Dimissione protetta: continuità assistenziale ospedale-territorio"},
            "subject": patient,
            "authoredOn": _instant(d.notified_at),
            "requester": _ref("Organization", f"org-{d.hospital_org_id}"),
            "note": [{"text": f"Reparto: {d.ward}"}],
        }
        if d.hospital_ref:
            system = f"{base_url}/fhir/sid/ricovero/org-{d.hospital_org_id}"
            request["identifier"] = [{"system": system, "value": d.hospital_ref}]
        if d.discharged_at is not None:
            request["occurrenceDateTime"] = _instant(d.discharged_at)
        plan: Resource = {
            "resourceType": "CarePlan",
            "id": f"dimissione-piano-{d.id}",
            "basedOn": [_ref("ServiceRequest", f"dimissione-{d.id}")],
            "status": "completed",
            "intent": "plan",
            "title": "Piano di dimissione protetta",
            "subject": patient,
            "period": {"start": _instant(d.notified_at), "end": _instant(d.closed_at or d.notified_at)},
            "activity": [{"reference": _ref("Task", _task(d, m, patient, base_url)["id"])} for m in steps],
        }
        resources += [request, plan]
        for m in steps:
            if m.done_by_id is not None:
                await keep_op(m.done_by_id)
            resources.append(_task(d, m, patient, base_url))
    return resources
