"""An independent check of the FHIR export: FHIR R4's JSON schema and the rules of HL7 Italia's base profiles.

Nothing here comes from the code under test: the schema is FHIR R4's (tests/fixtures/fhir, see
derive_schema.py there); the profile rules, systems and code lists are written from HL7 Italia's base guide
(Patient-it-base, Organization-it-base, Practitioner-it-base; value sets UriIdStp and UriIdEni; code systems
it-tipoEntita and V3RoleCodeIT) and FHIR R4's code systems (flag-category, task-code, organization-type).
"""

from __future__ import annotations

import gzip
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft6Validator

SCHEMA = Path(__file__).parents[2] / "fixtures" / "fhir" / "fhir.schema.r4.json.gz"

PROFILES = {
    "Patient": "http://hl7.it/fhir/StructureDefinition/Patient-it-base",
    "Organization": "http://hl7.it/fhir/StructureDefinition/Organization-it-base",
    "Practitioner": "http://hl7.it/fhir/StructureDefinition/Practitioner-it-base",
}
CF = "http://hl7.it/sid/codiceFiscale"
STP = {
    "http://hl7.it/sid/stp",
    "http://hl7.it/sid/lazio/stp",
    "http://hl7.it/sid/piemonte/stp",
    "http://hl7.it/sid/vallee/stp",
    "urn:oid:2.16.840.1.113883.2.9.2.50.4.1.1",
}
ENI = {
    "http://hl7.it/sid/eni",
    "http://hl7.it/sid/lazio/eni",
    "http://hl7.it/sid/piemonte/eni",
    "http://hl7.it/sid/vallee/eni",
    "urn:oid:2.16.840.1.113883.2.9.2.50.4.1.4",
}
CF_PATTERN = re.compile(r"^[A-Za-z]{6}[0-9LMNPQRSTUV]{2}[A-Za-z][0-9LMNPQRSTUV]{2}[A-Za-z][0-9LMNPQRSTUV]{3}[A-Za-z]$")
CODES = {  # the code systems whose codes the export may use, each with its complete list
    "http://terminology.hl7.org/CodeSystem/flag-category": {
        "diet", "drug", "lab", "admin", "behavioral", "research", "advance-directive", "safety", "clinical",
    },
    "http://hl7.org/fhir/CodeSystem/task-code": {
        "approve", "fulfill", "abort", "replace", "change", "suspend", "resume",
    },
    "http://terminology.hl7.org/CodeSystem/organization-type": {
        "prov", "dept", "team", "govt", "ins", "pay", "edu", "reli", "crs", "cg", "bus", "other",
    },
    "http://terminology.hl7.it/CodeSystem/it-tipoEntita": {
        "gov", "mef", "regione", "comune", "as", "asl", "ao", "aou", "irccs", "distretto", "self",
    },
    "http://hl7.it/fhir/CodeSystem/V3RoleCodeIT": {
        "MMG", "PLS", "MSD", "MCA", "MO", "MSA", "MAU", "GMT", "SPA", "MI", "MC", "AS", "AA",
    },
}  # fmt: skip


@cache
def _schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(gzip.decompress(SCHEMA.read_bytes()))
    return schema


@cache
def _validator(kind: str | None = None) -> Draft6Validator:
    """The whole schema ("any resource"), or one resource type's definition, for precise messages."""
    schema = _schema()
    return Draft6Validator(schema if kind is None else {"$ref": f"#/definitions/{kind}", **schema, "oneOf": None})


def _messages(validator: Draft6Validator, document: dict[str, Any], where: str) -> list[str]:
    return [
        f"{where}{'/'.join(str(p) for p in error.absolute_path)}: {error.message[:200]}"
        for error in validator.iter_errors(document)
    ]


def schema_errors(document: dict[str, Any]) -> list[str]:
    """Every violation of FHIR R4's JSON schema, as 'path: message': the document as a whole, and each of a
    Bundle's resources against its own type's definition (so the message names the element)."""
    problems = _messages(_validator(), document, "")
    for n, entry in enumerate(document.get("entry", []) if document.get("resourceType") == "Bundle" else []):
        kind = entry.get("resource", {}).get("resourceType")
        if kind not in _schema()["discriminator"]["mapping"]:
            problems.append(f"entry/{n}/resource: {kind!r} is not a FHIR R4 resource type")
            continue
        problems.extend(_messages(_validator(kind), entry["resource"], f"entry/{n}/resource/"))
    return problems


def _codings(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if "system" in node and "code" in node:
            found.append(node)
        for value in node.values():
            found.extend(_codings(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(_codings(value))
    return found


def _patient_rules(resource: dict[str, Any]) -> list[str]:
    problems = []
    identifiers = resource.get("identifier", [])
    if not identifiers:
        problems.append("Patient.identifier: at least one")
    for ident in identifiers:
        if not ident.get("system") or not ident.get("value"):
            problems.append("Patient.identifier: system and value are required")
            continue
        system, value = ident["system"], ident["value"]
        if system == CF and len(value) == 16 and not CF_PATTERN.match(value):
            problems.append(f"Patient.identifier:codiceFiscale: {value} is not a codice fiscale")
        if value.startswith("STP") and system not in STP:
            problems.append(f"Patient.identifier:codiceSTP: system {system} is not in UriIdStp")
        if value.startswith("ENI") and system not in ENI:
            problems.append(f"Patient.identifier:codiceENI: system {system} is not in UriIdEni")
    if sum(1 for i in identifiers if i.get("system") == CF) > 1:
        problems.append("Patient.identifier:codiceFiscale: at most one")
    names = resource.get("name", [])
    if not names:
        problems.append("Patient.name: at least one")
    if any(not (n.get("family") or n.get("given")) for n in names):
        problems.append("Patient.name: family or given (it-pat-name-1)")
    return problems


def profile_errors(bundle: dict[str, Any]) -> list[str]:
    """What breaks the profiles each resource claims, unknown codes, and references that resolve nowhere."""
    problems: list[str] = []
    present = {f"{e['resource']['resourceType']}/{e['resource']['id']}" for e in bundle.get("entry", [])}
    for entry in bundle.get("entry", []):
        resource = entry["resource"]
        kind = resource["resourceType"]
        claimed = resource.get("meta", {}).get("profile", [])
        if kind in PROFILES and PROFILES[kind] not in claimed:
            problems.append(f"{kind}/{resource['id']}: does not claim {PROFILES[kind]}")
        if kind == "Patient":
            problems.extend(_patient_rules(resource))
        if kind == "Practitioner" and sum(1 for i in resource.get("identifier", []) if i.get("system") == CF) > 1:
            problems.append("Practitioner.identifier:codiceFiscale: at most one")
        for coding in _codings(resource):
            known = CODES.get(coding["system"])
            if known is not None and coding["code"] not in known:
                problems.append(f"{kind}: code {coding['code']} is not in {coding['system']}")
        for reference in re.findall(r'"reference": "([^"]+)"', json.dumps(resource)):
            if reference not in present:
                problems.append(f"{kind}/{resource['id']}: reference {reference} resolves nowhere in the bundle")
    return problems
