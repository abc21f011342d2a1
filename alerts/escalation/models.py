"""Escalation policies: ordered steps "notify <role> by <channels>, then wait <duration>"."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from alerts.models import AlertSource, Channel, Severity
from centrale.common import created_at_field, utc_field


class PolicyRole(StrEnum):
    """Who a step notifies; each resolves to operators through the case, the condominio or the district."""

    TUTOR = "TUTOR"  # the case's tutor, else the operator of the person's condominio
    CASE_MANAGER = "CASE_MANAGER"  # the case's manager, else the registering organisation's
    COORDINATORE_DI_TURNO = "COORDINATORE_DI_TURNO"  # coordinators on duty
    OPERATORE_PUA = "OPERATORE_PUA"  # ASL PUA operators on duty
    MMG = "MMG"  # the person's GP practice
    AMMINISTRATORE = "AMMINISTRATORE"


class PolicyStep(SQLModel):
    role: PolicyRole
    channels: list[Channel] = Field(min_length=1)
    wait_minutes: int = Field(ge=0, le=7 * 24 * 60, description="Attesa prima del passo successivo")
    office_hours: bool = Field(default=False, description="Solo in orario d'ufficio (lun–ven 8–18, festivi esclusi)")


class EscalationPolicyBase(SQLModel):
    name: str = Field(min_length=2, max_length=120, unique=True)
    severity: Severity | None = Field(default=None, description="Vuoto: ogni priorità")
    source: AlertSource | None = Field(default=None, description="Vuoto: ogni origine")
    repeat_last: int = Field(default=0, ge=0, le=20, description="Ripeti l'ultimo passo N volte")
    ack_timeout_minutes: int = Field(
        default=60, ge=1, le=7 * 24 * 60, description="Presa visione senza risoluzione: riattiva dopo"
    )
    active: bool = True


class EscalationPolicyCreate(EscalationPolicyBase):
    steps: list[PolicyStep] = Field(min_length=1, max_length=20)


class EscalationPolicyUpdate(SQLModel):
    name: str | None = Field(default=None, min_length=2, max_length=120)
    severity: Severity | None = None
    source: AlertSource | None = None
    repeat_last: int | None = Field(default=None, ge=0, le=20)
    ack_timeout_minutes: int | None = Field(default=None, ge=1, le=7 * 24 * 60)
    active: bool | None = None
    steps: list[PolicyStep] | None = Field(default=None, min_length=1, max_length=20)


class EscalationPolicy(EscalationPolicyBase, table=True):
    __tablename__ = "escalation_policy"

    id: int | None = Field(default=None, primary_key=True)
    steps: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = created_at_field()
    updated_at: datetime | None = utc_field(default=None)


class EscalationPolicyPublic(EscalationPolicyBase):
    id: int
    steps: list[PolicyStep]
