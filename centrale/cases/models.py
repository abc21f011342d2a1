"""Cases (presa in carico): intake, state and Nautilus phase, history, care team (équipe), diary."""

from __future__ import annotations

from datetime import datetime
from enum import IntEnum, StrEnum

from sqlmodel import Field, SQLModel

from centrale.common import created_at_field, utc_field


class CaseState(StrEnum):
    SEGNALATO = "SEGNALATO"
    APERTO = "APERTO"
    PRESO_IN_CARICO = "PRESO_IN_CARICO"
    SOSPESO = "SOSPESO"
    CHIUSO = "CHIUSO"
    RIAPERTO = "RIAPERTO"


class CasePhase(StrEnum):
    """Nautilus phases of a case."""

    INVIO = "INVIO"
    VALUTAZIONE = "VALUTAZIONE"
    PROGETTAZIONE = "PROGETTAZIONE"
    ATTUAZIONE = "ATTUAZIONE"
    MONITORAGGIO = "MONITORAGGIO"


class CaseCategory(StrEnum):
    FAMIGLIA_MINORI = "FAMIGLIA_MINORI"
    DISABILI = "DISABILI"
    ADULTI = "ADULTI"
    ANZIANI = "ANZIANI"


class SiussArea(IntEnum):
    """SIUSS area utenza."""

    FAMIGLIA_MINORI = 1
    DISABILITA_NON_AUTOSUFFICIENZA = 2
    POVERTA_ESCLUSIONE = 3


class IntakeOutcome(StrEnum):
    PROPOSTA_PRESA_IN_CARICO = "PROPOSTA_PRESA_IN_CARICO"
    ORIENTAMENTO = "ORIENTAMENTO"  # sent to another service
    RESPINTA = "RESPINTA"


class IntakeSource(StrEnum):
    """Who brought the need to the service."""

    SPONTANEO = "SPONTANEO"
    FAMILIARE = "FAMILIARE"
    MMG = "MMG"
    OSPEDALE = "OSPEDALE"
    SERVIZI_SOCIALI = "SERVIZI_SOCIALI"
    TERZO_SETTORE = "TERZO_SETTORE"
    SENTINELLA = "SENTINELLA"
    CENTRALE = "CENTRALE"
    ALTRO = "ALTRO"


class DiaryKind(StrEnum):
    COLLOQUIO = "COLLOQUIO"
    VISITA_DOMICILIARE = "VISITA_DOMICILIARE"
    TELEFONATA = "TELEFONATA"
    RELAZIONE = "RELAZIONE"
    NOTA = "NOTA"
    CAMBIO_STATO = "CAMBIO_STATO"


# --- intake (scheda di accoglienza) ---------------------------------------------------------------


class IntakeBase(SQLModel):
    person_id: int = Field(foreign_key="person.id", index=True)
    requested_by: str = Field(min_length=2, max_length=200, description="Chi ha fatto la richiesta")
    requester_relation: str | None = Field(default=None, max_length=100, description="es. figlia, vicina, MMG")
    expressed_need: str = Field(min_length=3, max_length=4000, description="Bisogno espresso")
    source: IntakeSource
    outcome: IntakeOutcome
    referred_to: str | None = Field(default=None, max_length=200, description="Servizio (orientamento)")
    category: CaseCategory | None = None
    siuss_area: SiussArea | None = None


class IntakeCreate(IntakeBase):
    case_manager_id: int | None = Field(default=None, description="Responsabile del caso (default: chi registra)")


class Intake(IntakeBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id")
    recorded_by_id: int = Field(foreign_key="operator.id")
    case_id: int | None = Field(default=None, foreign_key="case.id")
    created_at: datetime = created_at_field()


class IntakePublic(IntakeBase):
    id: int
    organisation_id: int
    recorded_by_id: int
    case_id: int | None
    created_at: datetime


# --- case ------------------------------------------------------------------------------------------


class Case(SQLModel, table=True):
    __tablename__ = "case"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    state: CaseState = Field(index=True)
    phase: CasePhase
    category: CaseCategory
    siuss_area: SiussArea
    case_manager_id: int = Field(foreign_key="operator.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id", description="Ente titolare")
    closing_reason: str | None = Field(default=None, max_length=500)
    opened_at: datetime = created_at_field()
    updated_at: datetime | None = utc_field(default=None)


class CasePublic(SQLModel):
    id: int
    person_id: int
    state: CaseState
    phase: CasePhase
    category: CaseCategory
    siuss_area: SiussArea
    case_manager_id: int
    organisation_id: int
    closing_reason: str | None
    opened_at: datetime
    updated_at: datetime | None
    allowed_states: list[CaseState] = []
    allowed_phases: list[CasePhase] = []


class CaseListItem(CasePublic):
    cognome: str
    nome: str


class CaseTransition(SQLModel):
    """A change of state and/or phase; closing needs a reason (motivo di chiusura)."""

    state: CaseState | None = None
    phase: CasePhase | None = None
    note: str | None = Field(default=None, max_length=2000)
    closing_reason: str | None = Field(default=None, max_length=500)


class CaseHistory(SQLModel, table=True):
    """One change of a case: from, to, who and when."""

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    from_state: CaseState | None = None
    to_state: CaseState
    from_phase: CasePhase | None = None
    to_phase: CasePhase
    note: str | None = Field(default=None, max_length=2000)
    by_operator_id: int = Field(foreign_key="operator.id")
    by_name: str = Field(max_length=200)
    at: datetime = created_at_field()


class CaseHistoryPublic(SQLModel):
    id: int
    from_state: CaseState | None
    to_state: CaseState
    from_phase: CasePhase | None
    to_phase: CasePhase
    note: str | None
    by_operator_id: int
    by_name: str
    at: datetime


# --- care team (équipe / UTI) --------------------------------------------------------------------


class TeamRole(StrEnum):
    """The role a member plays in this case."""

    RESPONSABILE = "RESPONSABILE"  # case manager
    ASSISTENTE_SOCIALE = "ASSISTENTE_SOCIALE"
    OPERATORE_PUA = "OPERATORE_PUA"
    MMG = "MMG"
    INFERMIERE = "INFERMIERE"
    TUTOR = "TUTOR"
    OPERATORE_ETS = "OPERATORE_ETS"
    FARMACIA = "FARMACIA"
    ALTRO = "ALTRO"


class TeamMemberIn(SQLModel):
    """Naming an operator gives access to that operator only; an organisation alone opens it to its staff."""

    organisation_id: int
    operator_id: int | None = None
    role: TeamRole


class CareTeamMember(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    operator_id: int | None = Field(default=None, foreign_key="operator.id", index=True)
    role: TeamRole
    added_by_id: int = Field(foreign_key="operator.id")
    added_at: datetime = created_at_field()
    removed_at: datetime | None = utc_field(default=None)
    removed_by_id: int | None = Field(default=None, foreign_key="operator.id")


class CareTeamMemberPublic(SQLModel):
    id: int
    organisation_id: int
    operator_id: int | None
    role: TeamRole
    added_at: datetime
    removed_at: datetime | None


# --- diary -----------------------------------------------------------------------------------------


class DiaryEntryIn(SQLModel):
    kind: DiaryKind
    text: str = Field(min_length=1, max_length=8000)
    happened_at: datetime | None = None


class DiaryEntry(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    kind: DiaryKind
    text: str = Field(max_length=8000)
    happened_at: datetime = created_at_field()
    author_id: int = Field(foreign_key="operator.id")
    author_name: str = Field(max_length=200)
    organisation_id: int = Field(foreign_key="organisation.id")
    created_at: datetime = created_at_field()


class DiaryEntryPublic(SQLModel):
    id: int
    kind: DiaryKind
    text: str
    happened_at: datetime
    author_id: int
    author_name: str
    organisation_id: int
