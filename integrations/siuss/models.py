"""SIUSS tables: what the case manager adds for INPS, the emitted flows with INPS's outcome, the counter."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from sqlalchemy import BigInteger, Column, Text
from sqlmodel import Field, SQLModel

from centrale.common import created_at_field, utc_field
from integrations.siuss.flow import MissingField


class SiussDataIn(SQLModel):
    """Data INPS asks for that the care record does not hold; the case manager fills them per case."""

    protocollo_domanda: str | None = Field(default=None, min_length=1, max_length=32)
    codice_cittadinanza: str | None = Field(default=None, regex=r"^[0-9]{3}$", description="ISO numerico, 380")
    codice_seconda_cittadinanza: str | None = Field(default=None, regex=r"^[0-9]{3}$")
    luogo_nascita: str | None = Field(
        default=None, min_length=4, max_length=4, description="Codice catastale (se il CF è provvisorio)"
    )
    presenza_prova_mezzi: str | None = Field(default=None, regex=r"^[1-4]$", description="Sovrascrive la regola")
    numero_protocollo_dsu: str | None = Field(default=None, max_length=30)
    anno_protocollo_dsu: str | None = Field(default=None, regex=r"^[0-9]{4}$")
    data_dsu: date | None = None
    disturbi_comportamentali: str | None = Field(default=None, regex=r"^[12]$", description="1 assenti, 2 presenti")
    area_reddituale: str | None = Field(default=None, regex=r"^[1-3]$")
    necessita_cure_sanitarie: str | None = Field(default=None, regex=r"^[1-3]$")
    fonte_derivazione_valutazione: str = Field(default="2", regex=r"^[1-4]$", description="2 cartella sociale")
    strumento_valutazione: str = Field(default="7", regex=r"^[1-7]$", description="7 altro sistema")


class SiussData(SiussDataIn, table=True):
    __tablename__ = "siuss_data"

    case_id: int = Field(foreign_key="case.id", primary_key=True)
    updated_by_id: int = Field(foreign_key="operator.id")
    updated_at: datetime = created_at_field()


class FlowStatus(StrEnum):
    EMESSO = "EMESSO"  # available to INPS on /waas/v1/flussi
    ACQUISITO = "ACQUISITO"  # INPS answered OK
    SCARTATO = "SCARTATO"  # INPS refused it: the case manager sees why


class SiussFlow(SQLModel, table=True):
    __tablename__ = "siuss_flow"

    id: int | None = Field(default=None, primary_key=True)
    id_flusso: str = Field(max_length=64, unique=True, index=True)
    tipo: str = Field(default="PS_PSA_SINA", max_length=12)
    case_id: int = Field(foreign_key="case.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    plan_id: int | None = Field(default=None, foreign_key="plan.id")
    intervention_id: int | None = Field(default=None, foreign_key="intervention.id")
    codice_prestazione: str = Field(max_length=10)
    xml: str = Field(sa_column=Column(Text, nullable=False))
    ts_ms: int = Field(sa_column=Column(BigInteger, nullable=False, unique=True, index=True))
    created_at: datetime = created_at_field()
    created_by_id: int = Field(foreign_key="operator.id")
    content_hash: str = Field(max_length=64, description="The flow's content without its name")
    status: FlowStatus = Field(default=FlowStatus.EMESSO, index=True)
    codice_esito: str | None = Field(default=None, max_length=40)
    descrizione_esito: str | None = Field(default=None, max_length=2000)
    ts_acquisizione: datetime | None = utc_field(default=None)
    id_acquisizione_siuss: str | None = Field(default=None, max_length=64)
    esito_at: datetime | None = utc_field(default=None)


class SiussCounter(SQLModel, table=True):
    """The daily progressive of flow ids, per ente and day."""

    __tablename__ = "siuss_counter"

    codice_ente: str = Field(primary_key=True, max_length=4)
    day: date = Field(primary_key=True)
    last: int = 0


class SiussFlowPublic(SQLModel):
    id: int
    id_flusso: str
    tipo: str
    codice_prestazione: str
    intervention_id: int | None
    created_at: datetime
    status: FlowStatus
    codice_esito: str | None
    descrizione_esito: str | None
    ts_acquisizione: datetime | None
    id_acquisizione_siuss: str | None


class BlockedPrestazione(SQLModel):
    """An intervention whose flow cannot be emitted yet, and what is missing."""

    intervention_id: int | None
    codice_prestazione: str | None
    missing: list[MissingField]
    errors: list[str] = []


class SiussStatus(SQLModel):
    """What the case file shows: the flows with INPS's outcome and what still blocks the others."""

    case_id: int
    flows: list[SiussFlowPublic]
    blocked: list[BlockedPrestazione]
    rejected: list[SiussFlowPublic]
    data: dict[str, Any] | None = None


class GenerationResult(SQLModel):
    emitted: list[SiussFlowPublic]
    blocked: list[BlockedPrestazione]


class EsitoFlusso(BaseModel):
    """INPS's outcome of one flow (``EsitoFlusso`` of the WaaS OpenAPI)."""

    model_config = ConfigDict(extra="allow")

    id_flusso: str
    tipo: str
    ts_flusso: datetime
    ts_acquisizione: datetime
    codice_esito: Literal["OK", "DATI_NON_TROVATI", "RICHIESTA_INVALIDA", "ERRORE_GENERICO"]
    descrizione_esito: str | None = None
    id_acquisizione_siuss: str | None = None


class ElencoEsiti(BaseModel):
    """The body of ``POST /esiti``."""

    model_config = ConfigDict(extra="forbid")

    elenco_esiti: list[EsitoFlusso] = []
