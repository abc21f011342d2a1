"""Protected discharges (dimissioni protette): a hospital stay that must become a plan at home in time.

A ``Discharge`` is one transition from a ward to home, tied to the person's case; its
``DischargeMilestone`` rows are the steps the district must take, each with a deadline relative to the
notice or to the discharge date (``alerts.discharges.deadlines``). A ``HospitalClient`` is the credential
a hospital's system presents when it posts a notice as FHIR.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from centrale.common import created_at_field, utc_field


class DischargeState(StrEnum):
    IN_CORSO = "IN_CORSO"  # notice received, milestones pending
    COMPLETATA = "COMPLETATA"  # every milestone done
    ANNULLATA = "ANNULLATA"  # the discharge will not happen (death, transfer, notice withdrawn)


class Milestone(StrEnum):
    """The steps of a protected discharge, in order."""

    NOTIFICA = "NOTIFICA"  # notice received
    UVM_PRENOTATA = "UVM_PRENOTATA"  # the multidimensional evaluation booked
    UVM_SVOLTA = "UVM_SVOLTA"  # the evaluation done
    PIANO_APPROVATO = "PIANO_APPROVATO"  # the plan at home approved
    DIMISSIONE = "DIMISSIONE"  # the person left the ward
    PRIMA_VISITA = "PRIMA_VISITA"  # first home visit (within 48 h of the discharge)
    TELEFONATA_CONTROLLO = "TELEFONATA_CONTROLLO"  # follow-up call (day 7)


MILESTONES: tuple[Milestone, ...] = tuple(Milestone)


class DischargeSource(StrEnum):
    PAGINA = "PAGINA"  # recorded on the page by the PUA or the ward's discharge planner
    FHIR = "FHIR"  # posted by the hospital's system


class DischargeNotice(SQLModel):
    """What a notice says, from the page or from a FHIR Bundle (the person by codice fiscale)."""

    codice_fiscale: str = Field(min_length=11, max_length=16)
    cognome: str | None = Field(default=None, max_length=100, description="Per una persona non ancora registrata")
    nome: str | None = Field(default=None, max_length=100)
    sesso: str | None = Field(default=None, max_length=1)
    data_nascita: date | None = None
    indirizzo: str | None = Field(default=None, max_length=300)
    municipio: str | None = Field(default=None, max_length=5)
    hospital_org_id: int
    ward: str = Field(min_length=2, max_length=200, description="Reparto")
    expected_date: date = Field(description="Data prevista di dimissione")
    needs: str = Field(default="", max_length=4000, description="Bisogni alla dimissione")
    hospital_contact: str = Field(min_length=2, max_length=200, description="Referente del reparto")
    hospital_ref: str | None = Field(default=None, max_length=64, description="Identificativo del ricovero")
    case_manager_id: int | None = Field(default=None, description="Responsabile del caso, se si apre un caso")


class Discharge(SQLModel, table=True):
    __tablename__ = "discharge"
    __table_args__ = (
        UniqueConstraint("hospital_org_id", "hospital_ref", name="uq_discharge_hospital_ref"),
        Index("ix_discharge_state_expected", "state", "expected_date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    hospital_org_id: int = Field(foreign_key="organisation.id", index=True)
    ward: str = Field(max_length=200)
    expected_date: date
    first_expected_date: date = Field(description="La data annunciata dall'ospedale alla notifica (indicatori)")
    needs: str = Field(default="", max_length=4000)
    hospital_contact: str = Field(max_length=200)
    hospital_ref: str | None = Field(default=None, max_length=64)
    state: DischargeState = Field(default=DischargeState.IN_CORSO, index=True)
    source: DischargeSource
    notified_at: datetime = created_at_field()
    notified_by_id: int | None = Field(default=None, foreign_key="operator.id")
    discharged_at: datetime | None = utc_field(default=None)
    closed_at: datetime | None = utc_field(default=None)
    cancel_reason: str | None = Field(default=None, max_length=500)
    updated_at: datetime | None = utc_field(default=None)


class DischargeMilestone(SQLModel, table=True):
    __tablename__ = "discharge_milestone"
    __table_args__ = (
        UniqueConstraint("discharge_id", "milestone", name="uq_discharge_milestone"),
        Index("ix_discharge_milestone_due", "done_at", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    discharge_id: int = Field(foreign_key="discharge.id", index=True)
    milestone: Milestone
    position: int = Field(description="Ordine della tappa (0 = notifica)")
    due_at: datetime = utc_field()
    done_at: datetime | None = utc_field(default=None)
    done_by_id: int | None = Field(default=None, foreign_key="operator.id")
    note: str | None = Field(default=None, max_length=1000)
    overdue_alert_id: int | None = Field(default=None, foreign_key="alert.id")


class DischargeMilestonePublic(SQLModel):
    id: int
    milestone: Milestone
    position: int
    due_at: datetime
    done_at: datetime | None
    done_by_id: int | None
    note: str | None
    overdue_alert_id: int | None


class DischargePublic(SQLModel):
    id: int
    person_id: int
    case_id: int
    hospital_org_id: int
    ward: str
    expected_date: date
    first_expected_date: date
    hospital_contact: str
    hospital_ref: str | None
    state: DischargeState
    source: DischargeSource
    notified_at: datetime
    discharged_at: datetime | None
    closed_at: datetime | None
    milestones: list[DischargeMilestonePublic] = []


class HospitalClient(SQLModel, table=True):
    """A hospital's system allowed to post discharge notices: a hashed secret, or a client certificate."""

    __tablename__ = "hospital_client"

    id: int | None = Field(default=None, primary_key=True)
    client_id: str = Field(max_length=64, unique=True, index=True)
    secret_sha256: str = Field(max_length=64, description="SHA-256 (hex) del segreto: il segreto non è salvato")
    cert_fingerprint: str | None = Field(
        default=None, max_length=95, unique=True, description="SHA-256 del certificato del client (TLS reciproco)"
    )
    hospital_org_id: int = Field(foreign_key="organisation.id", index=True)
    receiving_org_id: int = Field(foreign_key="organisation.id", description="Il PUA che riceve le notifiche")
    active: bool = True
    created_at: datetime = created_at_field()
