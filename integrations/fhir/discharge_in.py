"""A hospital's discharge notice as a FHIR R4 Bundle: Patient, inpatient Encounter, ServiceRequest.

What we read (docs/FHIR.md, "Dimissioni protette"):

- ``Patient.identifier`` with the codice fiscale's system (or an STP/ENI one), as HL7 Italia's
  Patient-it-base slices it; name, gender, birth date and address to register a person we do not know;
- ``Encounter`` of class ``IMP`` (inpatient): its identifier is the hospital's identifier of the stay
  (what makes a notice sent twice the same notice), its ward (``location[0].location.display``) and its
  planned end (``period.end``, or R5's ``plannedEndDate`` carried by the cross-version extension);
- ``ServiceRequest`` for continuity of care: the needs (``code.text`` and ``note.text``) and the
  ward's contact (``requester.display``).

A notice that breaks any of these is refused with an ``OperationOutcome`` whose issue names the element
(``expression`` and ``location``, FHIRPath), never half-read.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from alerts.discharges.models import DischargeNotice
from integrations.fhir import profiles as p

PLANNED_END_URLS = (
    "http://hl7.org/fhir/5.0/StructureDefinition/extension-Encounter.plannedEndDate",
    "http://hl7.org/fhir/StructureDefinition/encounter-plannedEndDate",
)
PERSON_SYSTEMS = {p.CF_SYSTEM, p.STP_NATIONAL, p.ENI_NATIONAL, *p.STP_SYSTEMS.values(), *p.ENI_SYSTEMS.values()}
GENDER = {"male": "M", "female": "F"}


class BundleError(ValueError):
    """A notice that cannot be read: the FHIRPath of the element at fault, the words, the issue code."""

    def __init__(self, expression: str, message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.expression = expression
        self.message = message
        self.code = code


def operation_outcome(expression: str | None, message: str, code: str = "invalid") -> dict[str, Any]:
    issue: dict[str, Any] = {"severity": "error", "code": code, "diagnostics": message}
    if expression:
        issue |= {"expression": [expression], "location": [expression]}
    return {"resourceType": "OperationOutcome", "issue": [issue]}


def _one(resources: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    found = [r for r in resources if r.get("resourceType") == kind]
    if len(found) != 1:
        raise BundleError(f"Bundle.entry.resource.ofType({kind})", f"serve esattamente una risorsa {kind}", "required")
    return found[0]


def _text(value: Any, expression: str, *, required: bool = True, limit: int = 200) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise BundleError(expression, f"{expression}: elemento obbligatorio", "required")
        return None
    if not isinstance(value, str):
        raise BundleError(expression, f"{expression}: deve essere un testo")
    if len(value) > limit:
        raise BundleError(expression, f"{expression}: al più {limit} caratteri")
    return value.strip()


def _date(value: Any, expression: str) -> date:
    if not isinstance(value, str) or len(value) < 10:
        raise BundleError(
            expression, f"{expression}: data mancante o non valida", "required" if value is None else "value"
        )
    try:
        return date.fromisoformat(value[:10]) if len(value) == 10 else datetime.fromisoformat(value).date()
    except ValueError:
        raise BundleError(expression, f"{expression}: data non valida", "value") from None


def _patient(patient: dict[str, Any]) -> dict[str, Any]:
    ids = [i for i in patient.get("identifier") or [] if isinstance(i, dict) and i.get("system") in PERSON_SYSTEMS]
    if not ids:
        raise BundleError(
            "Patient.identifier", "Patient.identifier: manca il codice fiscale (system " + p.CF_SYSTEM + ")", "required"
        )
    name = (patient.get("name") or [{}])[0] if isinstance(patient.get("name"), list) else {}
    given = name.get("given") or [None]
    address = (patient.get("address") or [{}])[0] if isinstance(patient.get("address"), list) else {}
    district = str(address.get("district") or "").removeprefix("Municipio").strip() or None
    birth = patient.get("birthDate")
    return {
        "codice_fiscale": _text(ids[0].get("value"), "Patient.identifier.value", limit=16),
        "cognome": _text(name.get("family"), "Patient.name.family", required=False, limit=100),
        "nome": _text(given[0], "Patient.name.given", required=False, limit=100),
        "sesso": GENDER.get(str(patient.get("gender"))),
        "data_nascita": _date(birth, "Patient.birthDate") if birth is not None else None,
        "indirizzo": _text(
            address.get("text") or " ".join(address.get("line") or []) or None,
            "Patient.address",
            required=False,
            limit=300,
        ),
        "municipio": district if district and len(district) <= 5 else None,
    }


def _planned_end(encounter: dict[str, Any]) -> date:
    end = (encounter.get("period") or {}).get("end")
    if end is None:
        for extension in encounter.get("extension") or []:
            if isinstance(extension, dict) and extension.get("url") in PLANNED_END_URLS:
                end = extension.get("valueDateTime") or extension.get("valueDate")
    if end is None:
        raise BundleError(
            "Encounter.period.end", "Encounter.period.end: manca la data prevista di dimissione", "required"
        )
    return _date(end, "Encounter.period.end")


def _encounter(encounter: dict[str, Any]) -> dict[str, Any]:
    klass = encounter.get("class") or {}
    if not isinstance(klass, dict) or klass.get("code") != "IMP":
        raise BundleError("Encounter.class", "Encounter.class: serve un ricovero (IMP, inpatient encounter)", "value")
    identifiers = [i for i in encounter.get("identifier") or [] if isinstance(i, dict) and i.get("value")]
    if not identifiers:
        raise BundleError(
            "Encounter.identifier", "Encounter.identifier: manca l'identificativo del ricovero", "required"
        )
    location = (encounter.get("location") or [{}])[0]
    ward = (location.get("location") or {}).get("display") if isinstance(location, dict) else None
    return {
        "hospital_ref": _text(identifiers[0]["value"], "Encounter.identifier.value", limit=64),
        "ward": _text(ward, "Encounter.location.location.display"),
        "expected_date": _planned_end(encounter),
    }


def _service_request(request: dict[str, Any]) -> dict[str, Any]:
    code = request.get("code") or {}
    notes = [n.get("text") for n in request.get("note") or [] if isinstance(n, dict) and n.get("text")]
    needs = "\n".join(t for t in [code.get("text") if isinstance(code, dict) else None, *notes] if isinstance(t, str))
    return {
        "hospital_contact": _text((request.get("requester") or {}).get("display"), "ServiceRequest.requester.display"),
        "needs": _text(needs or None, "ServiceRequest.note", required=False, limit=4000) or "",
    }


def notice_of(bundle: Any, *, hospital_org_id: int) -> DischargeNotice:
    """The notice a Bundle carries, or ``BundleError`` naming the element at fault."""
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise BundleError("Bundle", "serve una risorsa Bundle", "structure")
    entries = bundle.get("entry")
    if not isinstance(entries, list) or not entries:
        raise BundleError("Bundle.entry", "Bundle.entry: il Bundle è vuoto", "required")
    resources: list[dict[str, Any]] = [
        e["resource"] for e in entries if isinstance(e, dict) and isinstance(e.get("resource"), dict)
    ]
    patient = _one(resources, "Patient")
    fields = (
        _patient(patient)
        | _encounter(_one(resources, "Encounter"))
        | _service_request(_one(resources, "ServiceRequest"))
    )
    return DischargeNotice.model_validate(fields | {"hospital_org_id": hospital_org_id})


#: the notice's fields, as the elements of the Bundle they come from (to name them in an OperationOutcome)
ELEMENTS = {
    "codice_fiscale": "Patient.identifier.value",
    "cognome": "Patient.name.family",
    "nome": "Patient.name.given",
    "sesso": "Patient.gender",
    "data_nascita": "Patient.birthDate",
    "expected_date": "Encounter.period.end",
    "ward": "Encounter.location.location.display",
    "hospital_ref": "Encounter.identifier.value",
    "hospital_contact": "ServiceRequest.requester.display",
    "needs": "ServiceRequest.note",
    "case_manager_id": "Bundle",
    "hospital_org_id": "Bundle",
}
