"""A case as a FHIR R4 (4.0.1) Bundle following HL7 Italia's base profiles (integrations/fhir/profiles.py).

The resources are written as FHIR's JSON directly: the Python models on the package index speak R4B and
R5, not R4, so conformance is checked instead by the tests, against the R4 JSON schema and the
profiles' rules (tests/integrations/fhir/). Only the parts of the case file the reader's role may see
(``FASCICOLO_SECTIONS``) are put in the Bundle. docs/FHIR.md maps every field.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from dateutil.relativedelta import relativedelta
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
from centrale.validators import classify_codice_fiscale
from integrations.fhir import profiles as p
from integrations.fhir.discharge_out import discharge_resources
from integrations.fhir.timing import timing_of

Resource = dict[str, Any]
FLAG_SEVERITY = {"BASSA": "bassa", "MEDIA": "media", "ALTA": "alta", "URGENTE": "urgente"}
REVIEW_STEP = {
    ReviewUnit.GIORNI: relativedelta(days=1),
    ReviewUnit.SETTIMANE: relativedelta(weeks=1),
    ReviewUnit.MESI: relativedelta(months=1),
}


def _instant(moment: datetime) -> str:
    """A FHIR dateTime with its time zone (the database may give back naive UTC)."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


def _ref(kind: str, ident: object) -> dict[str, str]:
    return {"reference": f"{kind}/{ident}"}


TEAM_ROLES = {
    "RESPONSABILE": "Responsabile del caso",
    "ASSISTENTE_SOCIALE": "Assistente sociale",
    "OPERATORE_PUA": "Operatore PUA",
    "MMG": "Medico di medicina generale",
    "INFERMIERE": "Infermiere",
    "TUTOR": "Tutor",
    "OPERATORE_ETS": "Operatore del Terzo Settore",
    "FARMACIA": "Farmacia",
    "ALTRO": "Altro",
}
TASK_TYPES = {
    "VISITA_DOMICILIARE": "Visita domiciliare",
    "TELEFONATA": "Telefonata",
    "ACCOMPAGNAMENTO": "Accompagnamento",
    "CONSEGNA_FARMACI": "Consegna farmaci",
    "CONTROLLO_CONDOMINIO": "Controllo del condominio",
    "VERIFICA_SEGNALAZIONE": "Verifica di una segnalazione",
    "ALTRO": "Attività",
}


def _drop_empty(resource: Resource) -> Resource:
    """FHIR's JSON has no nulls and no empty arrays."""
    return {key: value for key, value in resource.items() if value is not None and value != []}


def patient(person: Person) -> Resource:
    code, kind = classify_codice_fiscale(person.codice_fiscale)
    return _drop_empty(
        {
            "resourceType": "Patient",
            "id": f"persona-{person.id}",
            "meta": {"profile": [p.PATIENT_IT]},
            "identifier": [{"system": p.identifier_system(code, kind), "value": code}],
            "name": [{"family": person.cognome, "given": [person.nome]}],
            "gender": "male" if person.sesso == Sesso.M else "female",
            "birthDate": person.data_nascita.isoformat(),
            "telecom": [{"system": "phone", "value": phone} for phone in person.telefoni],
            "address": [{"text": person.indirizzo, "district": f"Municipio {person.municipio}"}]
            if person.indirizzo
            else None,
        }
    )


def organization(org: Organisation) -> Resource:
    tipo, org_type, text = p.ORG_TYPES[str(org.kind)]
    coding = [{"system": p.ORGANIZATION_TYPE, "code": org_type}]
    if tipo is not None:
        coding.insert(0, {"system": p.TIPO_ENTITA, "code": tipo})
    return {
        "resourceType": "Organization",
        "id": f"org-{org.id}",
        "meta": {"profile": [p.ORGANIZATION_IT]},
        "active": org.deleted_at is None,
        "type": [{"coding": coding, "text": text}],
        "name": org.name,
    }


def practitioner(op: Operator) -> Resource:
    return {
        "resourceType": "Practitioner",
        "id": f"operatore-{op.id}",
        "meta": {"profile": [p.PRACTITIONER_IT]},
        "active": op.active,
        "name": [{"text": op.full_name}],
    }


def _team_role(role: str, base_url: str) -> dict[str, Any]:
    coding = [{"system": f"{base_url}/fhir/CodeSystem/ruolo-equipe", "code": role, "display": TEAM_ROLES[role]}]
    if role == "MMG":
        coding.insert(0, {"system": p.ROLE_CODE_IT, "code": "MMG", "display": "medico di medicina generale"})
    return {"coding": coding, "text": TEAM_ROLES[role]}


def _next_review(plan: Plan, today: date) -> date:
    """The first review date on or after today, stepping from the plan's start."""
    step = REVIEW_STEP[plan.review_unit]
    n = 1
    while plan.start_date + step * (plan.review_every * n) < today:
        n += 1
    due: date = plan.start_date + step * (plan.review_every * n)
    return due


async def build_bundle(session: AsyncSession, *, case: Case, actor: Actor, base_url: str) -> Resource:
    """The Bundle (type collection) of one case, limited to what the actor's role may see."""
    sections = visible_sections(actor)
    case_id = case.id or 0
    patient_ref = _ref("Patient", f"persona-{case.person_id}")
    base_url = base_url.rstrip("/")
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
                _drop_empty(
                    {
                        "resourceType": "Consent",
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
                        "dateTime": _instant(consent.recorded_at),
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
                _drop_empty(
                    {
                        "resourceType": "RelatedPerson",
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
                    "role": [_team_role(str(member.role), base_url)],
                    "member": who,
                    "onBehalfOf": _ref("Organization", f"org-{member.organisation_id}"),
                }
            )
        resources.append(
            _drop_empty(
                {
                    "resourceType": "CareTeam",
                    "id": f"equipe-{case_id}",
                    "status": "active",
                    "name": f"Équipe del caso {case_id}",
                    "subject": patient_ref,
                    "participant": participants,
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
                "code": {"coding": [{"system": p.SIUSS_SYSTEM, "code": item.service_code}]},
                "status": "in-progress",
                "performer": [_ref("Organization", f"org-{item.provider_org_id}")],
                "description": f"{item.frequency}, {item.hours_per_month} ore/mese",
            }
            if item.rrule and (timing := timing_of(item.rrule)) is not None:
                detail["scheduledTiming"] = timing
            activities.append({"detail": detail})
        period = {"start": plan.start_date.isoformat()}
        if plan.planned_end:
            period["end"] = plan.planned_end.isoformat()
        resources.append(
            _drop_empty(
                {
                    "resourceType": "CarePlan",
                    "id": f"piano-{plan.id}",
                    "status": "active",
                    "intent": "plan",
                    "title": f"Progetto personalizzato v{plan.version}",
                    "subject": patient_ref,
                    "period": period,
                    "careTeam": [_ref("CareTeam", f"equipe-{case_id}")] if Section.TEAM in sections else None,
                    "activity": activities,
                }
            )
        )
        due = _next_review(plan, utcnow().date())
        resources.append(
            {
                "resourceType": "Task",
                "id": f"revisione-{plan.id}-{due.isoformat()}",
                "status": "requested",
                "intent": "plan",
                "code": {
                    "coding": [
                        {
                            "system": f"{base_url}/fhir/CodeSystem/tipo-attivita",
                            "code": "REVISIONE_PIANO",
                            "display": "Revisione del progetto",
                        }
                    ],
                    "text": "Monitoraggio degli obiettivi del progetto",
                },
                "focus": _ref("CarePlan", f"piano-{plan.id}"),
                "for": patient_ref,
                "owner": _ref("Practitioner", f"operatore-{case.case_manager_id}"),
                "restriction": {"period": {"end": due.isoformat()}},
            }
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
                {
                    "resourceType": "Task",
                    "id": f"attivita-{task.id}",
                    "status": "requested",
                    "intent": "order",
                    "code": {
                        "coding": [
                            {"system": p.TASK_CODE, "code": "fulfill"},
                            {
                                "system": f"{base_url}/fhir/CodeSystem/tipo-attivita",
                                "code": str(task.type),
                                "display": TASK_TYPES[str(task.type)],
                            },
                        ],
                        "text": TASK_TYPES[str(task.type)],
                    },
                    "for": patient_ref,
                    "owner": _ref("Practitioner", f"operatore-{task.assignee_id}"),
                    "restriction": {"period": {"start": _instant(task.due_start), "end": _instant(task.due_end)}},
                }
            )
    if Section.PLAN in sections:  # completed protected discharges: the request, its plan, the milestones
        resources += await discharge_resources(
            session, case_id=case_id, patient=patient_ref, base_url=base_url, keep_org=keep_org, keep_op=keep_op
        )
    open_alerts = (
        await session.exec(
            select(Alert).where(col(Alert.person_id) == case.person_id, col(Alert.state).in_(OPEN_STATES))
        )
    ).all()
    for alert in open_alerts:
        category, words = p.FLAG_CATEGORIES[str(alert.source)]
        resources.append(
            {
                "resourceType": "Flag",
                "id": f"allerta-{alert.id}",
                "status": "active",
                "category": [{"coding": [{"system": p.FLAG_CATEGORY, "code": category}], "text": words}],
                "code": {"text": f"Allerta {FLAG_SEVERITY[alert.severity]}"},
                "subject": patient_ref,
                "period": {"start": _instant(alert.opened_at)},
            }
        )
    resources.extend(organization(o) for o in orgs.values())
    resources.extend(practitioner(o) for o in ops.values())
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": _instant(utcnow()),
        "entry": [{"fullUrl": f"{base_url}/fhir/{r['resourceType']}/{r['id']}", "resource": r} for r in resources],
    }
