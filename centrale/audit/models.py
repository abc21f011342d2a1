"""Audit log rows shaped like FHIR AuditEvent: who, action, entity, outcome, purpose, when, where from."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from centrale.common import created_at_field


class AuditAction(StrEnum):
    """FHIR AuditEvent.action: Create, Read, Update, Delete, Execute."""

    CREATE = "C"
    READ = "R"
    UPDATE = "U"
    DELETE = "D"
    EXECUTE = "E"


class AuditOutcome(StrEnum):
    """FHIR R4 AuditEvent.outcome: 0 success, 4 minor failure (refused), 8 serious failure."""

    SUCCESS = "0"
    DENIED = "4"
    FAILURE = "8"


class AuditPurpose(StrEnum):
    """FHIR purposeOfEvent (v3 ActReason) codes used here."""

    TREAT = "TREAT"  # care of the person
    CAREMGT = "CAREMGT"  # care management and coordination
    ETREAT = "ETREAT"  # emergency (alerts)
    HOPERAT = "HOPERAT"  # operations (administration)
    PATRQT = "PATRQT"  # the person asked (who accessed my file)
    HRESCH = "HRESCH"  # research / evaluation (pseudonymised)
    PUBHLTH = "PUBHLTH"  # reporting to public bodies (SIUSS)


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_person_recorded", "person_id", "recorded"),)

    id: int | None = Field(default=None, primary_key=True)
    recorded: datetime = created_at_field()
    action: AuditAction
    subtype: str = Field(max_length=60, description="what was done, e.g. person.read")
    outcome: AuditOutcome
    outcome_desc: str | None = Field(default=None, max_length=300)
    purpose: AuditPurpose = AuditPurpose.CAREMGT
    agent_operator_id: int | None = Field(default=None, index=True)
    agent_name: str | None = Field(default=None, max_length=200)
    agent_role: str | None = Field(default=None, max_length=40)
    agent_org_id: int | None = None
    source_address: str | None = Field(default=None, max_length=64)
    entity_type: str = Field(max_length=40)
    entity_id: str | None = Field(default=None, max_length=64)
    person_id: int | None = Field(default=None, description="the person whose data it is")


class AuditEventPerson(SQLModel, table=True):
    """A person whose data one audit row covers, when the row covers several (FHIR AuditEvent.entity).

    The board shows many people at once: one row records the showing, and lists them here, so that
    "who accessed this person" finds it as it finds a row naming the person in ``person_id``.
    """

    __tablename__ = "audit_event_person"

    audit_event_id: int = Field(foreign_key="audit_event.id", primary_key=True)
    person_id: int = Field(primary_key=True, index=True)


class AuditEventPublic(SQLModel):
    id: int
    recorded: datetime
    action: AuditAction
    subtype: str
    outcome: AuditOutcome
    outcome_desc: str | None
    purpose: AuditPurpose
    agent_operator_id: int | None
    agent_name: str | None
    agent_role: str | None
    agent_org_id: int | None
    source_address: str | None
    entity_type: str
    entity_id: str | None
