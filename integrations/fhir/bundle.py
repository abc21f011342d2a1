"""A case as a FHIR R4 Bundle, built with fhir.resources so that every resource validates.

fhir.resources 8 defaults to R5; the ``R4B`` package (FHIR 4.3) is used throughout, whose Patient,
RelatedPerson, Organization, Practitioner, CareTeam, CarePlan (with ``activity.detail``), Task,
Flag and Consent are those of R4. Only the parts of the case file the reader's role may see
(``FASCICOLO_SECTIONS``) are put in the Bundle.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.careplan import CarePlan
from fhir.resources.R4B.careteam import CareTeam
from fhir.resources.R4B.consent import Consent as FhirConsent
from fhir.resources.R4B.flag import Flag
from fhir.resources.R4B.organization import Organization
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.practitioner import Practitioner
from fhir.resources.R4B.relatedperson import RelatedPerson
from fhir.resources.R4B.resource import Resource
from fhir.resources.R4B.task import Task
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.models import OPEN_STATES, Alert
from centrale.auth.actor import Actor
from centrale.authz.policy import Section, visible_sections
from centrale.cases import service as cases
from centrale.cases.models import Case
from centrale.clock import utcnow
from centrale.consents.models import Consent
from centrale.operators.models import Operator
from centrale.organisations.models import Organisation
from centrale.persons.models import NetworkRole, Person, Sesso
from centrale.persons.service import network_of
from centrale.plans.models import Intervention, Plan, ReviewUnit
from centrale.plans.service import active_plan
from centrale.tasks.models import Task as MonitoringTask
from centrale.tasks.models import TaskState

CF_SYSTEM = "http://hl7.it/sid/codiceFiscale"
SIUSS_SYSTEM = "https://www.inps.it/siuss/prestazioni"
FLAG_SEVERITY = {"BASSA": "bassa", "MEDIA": "media", "ALTA": "alta", "URGENTE": "urgente"}
REVIEW_STEP = {
    ReviewUnit.GIORNI: relativedelta(days=1),
    ReviewUnit.SETTIMANE: relativedelta(weeks=1),
    ReviewUnit.MESI: relativedelta(months=1),
}


def _ref(kind: str, ident: object) -> dict[str, str]:
    return {"reference": f"{kind}/{ident}"}


def patient(person: Person) -> Patient:
    return Patient.model_validate(
        {
            "id": f"persona-{person.id}",
            "identifier": [{"system": CF_SYSTEM, "value": person.codice_fiscale}],
            "name": [{"family": person.cognome, "given": [person.nome]}],
            "gender": "male" if person.sesso == Sesso.M else "female",
            "birthDate": person.data_nascita.isoformat(),
            "telecom": [{"system": "phone", "value": phone} for phone in person.telefoni] or None,
            "address": [{"text": person.indirizzo, "district": f"Municipio {person.municipio}"}]
            if person.indirizzo
            else None,
        }
    )


def organization(org: Organisation) -> Organization:
    return Organization.model_validate(
        {"id": f"org-{org.id}", "name": org.name, "type": [{"text": str(org.kind)}], "active": org.deleted_at is None}
    )


def practitioner(op: Operator) -> Practitioner:
    return Practitioner.model_validate(
        {"id": f"operatore-{op.id}", "name": [{"text": op.full_name}], "active": op.active}
    )


def _next_review(plan: Plan, today: date) -> date:
    """The first review date on or after today, stepping from the plan's start."""
    step = REVIEW_STEP[plan.review_unit]
    n = 1
    while plan.start_date + step * (plan.review_every * n) < today:
        n += 1
    due: date = plan.start_date + step * (plan.review_every * n)
    return due


async def build_bundle(session: AsyncSession, *, case: Case, actor: Actor, base_url: str) -> Bundle:
    """The Bundle (type collection) of one case, limited to what the actor's role may see."""
    sections = visible_sections(actor)
    case_id = case.id or 0
    patient_ref = _ref("Patient", f"persona-{case.person_id}")
    resources: list[Resource] = []
    orgs: dict[int, Organisation] = {}
    ops: dict[int, Operator] = {}

    async def keep_org(org_id: int) -> None:
        if org_id not in orgs and (org := await session.get(Organisation, org_id)) is not None:
            orgs[org_id] = org

    async def keep_op(op_id: int) -> None:
        if op_id not in ops and (op := await session.get(Operator, op_id)) is not None:
            ops[op_id] = op

    await keep_org(case.organisation_id)
    if Section.PERSON in sections:
        person = await session.get(Person, case.person_id)
        assert person is not None
        resources.append(patient(person))
        for consent in (await session.exec(select(Consent).where(col(Consent.person_id) == case.person_id))).all():
            resources.append(
                FhirConsent.model_validate(
                    {
                        "id": f"consenso-{consent.id}",
                        "status": "inactive" if consent.revoked_at else ("active" if consent.given else "rejected"),
                        "scope": {
                            "coding": [
                                {
                                    "system": "http://terminology.hl7.org/CodeSystem/consentscope",
                                    "code": "patient-privacy",
                                }
                            ]
                        },
                        "category": [
                            {
                                "coding": [{"system": "http://loinc.org", "code": "59284-0"}],
                                "text": str(consent.purpose),
                            }
                        ],
                        "patient": patient_ref,
                        "dateTime": consent.recorded_at.isoformat(),
                        "performer": [{"display": consent.signed_by}],
                        "policyRule": {
                            "coding": [
                                {
                                    "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                                    "code": "OPTIN" if consent.given else "OPTOUT",
                                }
                            ]
                        },
                    }
                )
            )
    if Section.NETWORK in sections:
        for link in await network_of(session, person_id=case.person_id):
            if link.role != NetworkRole.CAREGIVER:
                continue
            resources.append(
                RelatedPerson.model_validate(
                    {
                        "id": f"caregiver-{link.id}",
                        "patient": patient_ref,
                        "relationship": [{"text": f"{link.relation} / CAREGIVER"}],
                        "name": [{"text": link.name}],
                        "telecom": [{"system": "phone", "value": link.phone}] if link.phone else None,
                    }
                )
            )
    if Section.TEAM in sections:
        await keep_op(case.case_manager_id)
        participants: list[dict[str, Any]] = []
        for member in await cases.team(session, case_id=case_id):
            await keep_org(member.organisation_id)
            who = _ref("Organization", f"org-{member.organisation_id}")
            if member.operator_id is not None:
                await keep_op(member.operator_id)
                who = _ref("Practitioner", f"operatore-{member.operator_id}")
            participants.append(
                {
                    "role": [{"text": str(member.role)}],
                    "member": who,
                    "onBehalfOf": _ref("Organization", f"org-{member.organisation_id}"),
                }
            )
        resources.append(
            CareTeam.model_validate(
                {
                    "id": f"equipe-{case_id}",
                    "status": "active",
                    "name": f"Équipe del caso {case_id}",
                    "subject": patient_ref,
                    "participant": participants or None,
                    "managingOrganization": [_ref("Organization", f"org-{case.organisation_id}")],
                }
            )
        )
    plan = await active_plan(session, case_id=case_id) if Section.PLAN in sections else None
    if plan is not None:
        interventions = (await session.exec(select(Intervention).where(col(Intervention.plan_id) == plan.id))).all()
        activities = []
        for item in interventions:
            await keep_org(item.provider_org_id)
            detail: dict[str, Any] = {
                "kind": "ServiceRequest",
                "code": {"coding": [{"system": SIUSS_SYSTEM, "code": item.service_code}]},
                "status": "in-progress",
                "performer": [_ref("Organization", f"org-{item.provider_org_id}")],
                "description": f"{item.frequency}, {item.hours_per_month} ore/mese",
            }
            if item.rrule:
                detail["scheduledString"] = item.rrule
            activities.append({"detail": detail})
        resources.append(
            CarePlan.model_validate(
                {
                    "id": f"piano-{plan.id}",
                    "status": "active",
                    "intent": "plan",
                    "title": f"Progetto personalizzato v{plan.version}",
                    "subject": patient_ref,
                    "period": {
                        "start": plan.start_date.isoformat(),
                        "end": plan.planned_end.isoformat() if plan.planned_end else None,
                    },
                    "careTeam": [_ref("CareTeam", f"equipe-{case_id}")] if Section.TEAM in sections else None,
                    "activity": activities or None,
                }
            )
        )
        due = _next_review(plan, utcnow().date())
        resources.append(
            Task.model_validate(
                {
                    "id": f"revisione-{plan.id}-{due.isoformat()}",
                    "status": "requested",
                    "intent": "plan",
                    "code": {"text": "Monitoraggio degli obiettivi del progetto"},
                    "focus": _ref("CarePlan", f"piano-{plan.id}"),
                    "for": patient_ref,
                    "owner": _ref("Practitioner", f"operatore-{case.case_manager_id}"),
                    "restriction": {"period": {"end": due.isoformat()}},
                }
            )
        )
        await keep_op(case.case_manager_id)
    if Section.PLAN in sections:  # the tutors' open monitoring tasks (visits, calls) for this person
        open_tasks = (
            await session.exec(
                select(MonitoringTask).where(
                    col(MonitoringTask.person_id) == case.person_id, col(MonitoringTask.state) == TaskState.APERTA
                )
            )
        ).all()
        for task in open_tasks:
            await keep_op(task.assignee_id)
            resources.append(
                Task.model_validate(
                    {
                        "id": f"attivita-{task.id}",
                        "status": "requested",
                        "intent": "order",
                        "code": {"text": str(task.type)},
                        "for": patient_ref,
                        "owner": _ref("Practitioner", f"operatore-{task.assignee_id}"),
                        "restriction": {
                            "period": {"start": task.due_start.isoformat(), "end": task.due_end.isoformat()}
                        },
                    }
                )
            )
    open_alerts = (
        await session.exec(
            select(Alert).where(col(Alert.person_id) == case.person_id, col(Alert.state).in_(OPEN_STATES))
        )
    ).all()
    for alert in open_alerts:
        resources.append(
            Flag.model_validate(
                {
                    "id": f"allerta-{alert.id}",
                    "status": "active",
                    "category": [{"text": str(alert.source)}],
                    "code": {"text": f"Allerta {FLAG_SEVERITY[alert.severity]}"},
                    "subject": patient_ref,
                    "period": {"start": alert.opened_at.isoformat()},
                }
            )
        )
    resources.extend(organization(o) for o in orgs.values())
    resources.extend(practitioner(o) for o in ops.values())
    return Bundle.model_validate(
        {
            "type": "collection",
            "timestamp": utcnow().isoformat(),
            "entry": [{"fullUrl": f"{base_url}/fhir/{r.get_resource_type()}/{r.id}", "resource": r} for r in resources],
        }
    )
