"""What the FHIR export claims and codes: FHIR R4 (4.0.1) and HL7 Italia's base profiles.

The canonical URLs, identifier systems and code systems are those of HL7 Italia's base implementation
guide (canonical ``http://hl7.it/fhir``, FHIR 4.0.1) and of FHIR R4's own terminology; docs/FHIR.md maps
each of our fields to its element and the profile rule it follows.
"""

from __future__ import annotations

from centrale.validators import CfKind

FHIR_VERSION = "4.0.1"
MEDIA_TYPE = "application/fhir+json; fhirVersion=4.0"

PATIENT_IT = "http://hl7.it/fhir/StructureDefinition/Patient-it-base"
ORGANIZATION_IT = "http://hl7.it/fhir/StructureDefinition/Organization-it-base"
PRACTITIONER_IT = "http://hl7.it/fhir/StructureDefinition/Practitioner-it-base"

CF_SYSTEM = "http://hl7.it/sid/codiceFiscale"  # Patient-it-base, slice codiceFiscale (fixed system)
# STP and ENI codes: "STP"/"ENI", the region's three-digit code, the ASL's three digits, a progressive.
# HL7 Italia's value sets UriIdStp and UriIdEni give each region that has one its own system.
STP_SYSTEMS = {
    "120": "http://hl7.it/sid/lazio/stp",
    "010": "http://hl7.it/sid/piemonte/stp",
    "020": "http://hl7.it/sid/vallee/stp",
    "050": "urn:oid:2.16.840.1.113883.2.9.2.50.4.1.1",
}
ENI_SYSTEMS = {
    "120": "http://hl7.it/sid/lazio/eni",
    "010": "http://hl7.it/sid/piemonte/eni",
    "020": "http://hl7.it/sid/vallee/eni",
    "050": "urn:oid:2.16.840.1.113883.2.9.2.50.4.1.4",
}
STP_NATIONAL = "http://hl7.it/sid/stp"
ENI_NATIONAL = "http://hl7.it/sid/eni"

SIUSS_SYSTEM = "https://www.inps.it/siuss/prestazioni"
TIPO_ENTITA = "http://terminology.hl7.it/CodeSystem/it-tipoEntita"  # HL7 Italia: kinds of organisation
ORGANIZATION_TYPE = "http://terminology.hl7.org/CodeSystem/organization-type"  # FHIR R4
ROLE_CODE_IT = "http://hl7.it/fhir/CodeSystem/V3RoleCodeIT"  # HL7 Italia: MMG, PLS, ...
FLAG_CATEGORY = "http://terminology.hl7.org/CodeSystem/flag-category"  # FHIR R4
TASK_CODE = "http://hl7.org/fhir/CodeSystem/task-code"  # FHIR R4


def identifier_system(code: str, kind: CfKind) -> str:
    """The system of a person's identifier: the codice fiscale's (provisional ones too), or STP/ENI by region."""
    if kind == CfKind.STP:
        return STP_SYSTEMS.get(code[3:6], STP_NATIONAL)
    if kind == CfKind.ENI:
        return ENI_SYSTEMS.get(code[3:6], ENI_NATIONAL)
    return CF_SYSTEM


# Our organisation kinds as HL7 Italia's tipoEntita where it has one, and FHIR R4's organization-type.
ORG_TYPES: dict[str, tuple[str | None, str, str]] = {
    # kind: (it-tipoEntita code, organization-type code, Italian text)
    "MUNICIPIO": ("comune", "govt", "Municipio (servizi sociali)"),
    "ASL_PUA": ("asl", "prov", "ASL - Punto Unico di Accesso"),
    "ASL_DISTRETTO": ("distretto", "prov", "ASL - Distretto sanitario"),
    "MMG": (None, "prov", "Medico di medicina generale"),
    "FARMACIA": (None, "prov", "Farmacia"),
    "ETS": (None, "cg", "Ente del Terzo Settore"),
    "CENTRALE": ("distretto", "dept", "Centrale Operativa di Distretto"),
    "OSPEDALE": ("ao", "prov", "Ospedale"),
}

# Alert sources as FHIR R4 flag categories (safety: a risk to the person; admin: the service's own follow-up).
FLAG_CATEGORIES = {
    "SEGNALAZIONE_SENTINELLA": ("safety", "Segnalazione di una sentinella"),
    "CHECKIN_MANCATO": ("safety", "Check-in mancato"),
    "OPERATORE": ("safety", "Segnalazione di un operatore"),
    "ATTIVITA_SCADUTA": ("admin", "Attività scaduta"),
    "REVISIONE_PIANO": ("admin", "Revisione del piano"),
    "SISTEMA": ("admin", "Segnalazione di sistema"),
    "DIMISSIONE_PROTETTA": ("admin", "Scadenza di una dimissione protetta"),
}
