"""Personalised plan / contract (progetto personalizzato): versions, goals, interventions, approvals."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from dateutil.rrule import rrulestr
from pydantic import field_validator, model_validator
from sqlalchemy import BigInteger, Dialect, UniqueConstraint
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

from centrale.common import created_at_field, utc_field
from centrale.plans.costs import CENT


class Hundredths(TypeDecorator[Decimal]):
    """A Decimal with two places stored as an integer of hundredths (exact on SQLite and PostgreSQL)."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> int | None:
        return None if value is None else int((Decimal(value) * 100).to_integral_exact())

    def process_result_value(self, value: int | None, dialect: Dialect) -> Decimal | None:
        return None if value is None else (Decimal(value) / 100).quantize(CENT)


def money(**kwargs: object):  # type: ignore[no-untyped-def]
    return Field(sa_type=Hundredths, **kwargs)  # type: ignore[call-overload]


# --- service catalogue (SIUSS prestazioni) -------------------------------------------------------


class ServiceType(SQLModel, table=True):
    """A SIUSS prestazione, with its ISEE cost-share thresholds when the person pays a part."""

    code: str = Field(primary_key=True, max_length=10)
    label: str = Field(max_length=200)
    group: str = Field(max_length=2, description="A1 contributi, A2 servizi, A3 strutture, Z9 altro")
    isee_min: Decimal | None = money(default=None)
    isee_max: Decimal | None = money(default=None)
    subsidised_max: Decimal | None = money(default=None)
    full_tariff: Decimal | None = money(default=None)
    default_tariff: Decimal | None = money(default=None)


class ServiceTypePublic(SQLModel):
    code: str
    label: str
    group: str
    isee_min: Decimal | None
    isee_max: Decimal | None
    subsidised_max: Decimal | None
    full_tariff: Decimal | None
    default_tariff: Decimal | None


class ServiceTypeUpdate(SQLModel):
    isee_min: Decimal | None = Field(default=None, ge=0)
    isee_max: Decimal | None = Field(default=None, ge=0)
    subsidised_max: Decimal | None = Field(default=None, ge=0)
    full_tariff: Decimal | None = Field(default=None, ge=0)
    default_tariff: Decimal | None = Field(default=None, ge=0)


# --- plan ------------------------------------------------------------------------------------------


class PlanStatus(StrEnum):
    BOZZA = "BOZZA"  # being written or awaiting approvals and signature
    ATTIVO = "ATTIVO"
    SOSTITUITO = "SOSTITUITO"  # replaced by a later version (still readable)


class ReviewUnit(StrEnum):
    GIORNI = "GIORNI"
    SETTIMANE = "SETTIMANE"
    MESI = "MESI"


class GoalTerm(StrEnum):
    BREVE = "BREVE"
    MEDIO = "MEDIO"
    LUNGO = "LUNGO"


class Frequency(StrEnum):
    REGOLARE = "REGOLARE"  # with an RFC 5545 rule
    IRREGOLARE = "IRREGOLARE"
    UNA_TANTUM = "UNA_TANTUM"


class GoalIn(SQLModel):
    term: GoalTerm
    description: str = Field(min_length=3, max_length=1000)
    reached: bool = False


class InterventionIn(SQLModel):
    service_code: str = Field(max_length=10)
    provider_org_id: int
    operator_id: int | None = None
    frequency: Frequency
    rrule: str | None = Field(default=None, max_length=300, description="RFC 5545, e.g. FREQ=WEEKLY;BYDAY=MO,TH")
    hours_per_month: Decimal = Field(ge=0, le=744, decimal_places=2)
    tariff: Decimal | None = Field(default=None, ge=0, decimal_places=2, description="€/h (default: catalogue)")
    ssn_hourly: Decimal = Field(default=Decimal("0"), ge=0, decimal_places=2, description="Quota SSN €/h")
    note: str | None = Field(default=None, max_length=500)

    @field_validator("rrule")
    @classmethod
    def _valid_rrule(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        try:
            rrulestr(value, dtstart=datetime(2000, 1, 1))
        except (ValueError, TypeError) as exc:
            raise ValueError(f"regola RFC 5545 non valida / invalid rule: {exc}") from exc
        return value.strip().upper()

    @model_validator(mode="after")
    def _rrule_when_regular(self) -> InterventionIn:
        if self.frequency == Frequency.REGOLARE and not self.rrule:
            raise ValueError("rrule: una frequenza REGOLARE richiede la regola / a REGOLARE frequency needs a rule")
        return self


class PlanIn(SQLModel):
    """The content of a plan version: what an editor saves and a variation proposes."""

    start_date: date
    planned_end: date | None = None
    review_every: int = Field(default=3, ge=1, le=365)
    review_unit: ReviewUnit = ReviewUnit.MESI
    isee: Decimal | None = Field(default=None, ge=0, decimal_places=2, description="ISEE del nucleo, €")
    note: str | None = Field(default=None, max_length=2000)
    goals: list[GoalIn] = []
    interventions: list[InterventionIn] = []

    @model_validator(mode="after")
    def _end_after_start(self) -> PlanIn:
        if self.planned_end is not None and self.planned_end < self.start_date:
            raise ValueError("planned_end: la fine prevista precede l'inizio / ends before it starts")
        return self


class Plan(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("case_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    version: int
    status: PlanStatus = PlanStatus.BOZZA
    start_date: date
    planned_end: date | None = None
    review_every: int = 3
    review_unit: ReviewUnit = ReviewUnit.MESI
    isee: Decimal | None = money(default=None)
    note: str | None = Field(default=None, max_length=2000)
    created_by_id: int = Field(foreign_key="operator.id")
    created_at: datetime = created_at_field()
    signed_at: datetime | None = utc_field(default=None)
    signature_consent_id: int | None = Field(default=None, foreign_key="consent.id")
    activated_at: datetime | None = utc_field(default=None)
    replaced_at: datetime | None = utc_field(default=None)


class Goal(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    term: GoalTerm
    description: str = Field(max_length=1000)
    reached: bool = False


class Intervention(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    service_code: str = Field(foreign_key="servicetype.code")
    provider_org_id: int = Field(foreign_key="organisation.id")
    operator_id: int | None = Field(default=None, foreign_key="operator.id")
    frequency: Frequency
    rrule: str | None = Field(default=None, max_length=300)
    hours_per_month: Decimal = money()
    tariff: Decimal = money()
    ssn_hourly: Decimal = money(default=Decimal("0"))
    user_hourly: Decimal = money()
    cost: Decimal = money()
    share_ente: Decimal = money()
    share_utente: Decimal = money()
    share_ssn: Decimal = money()
    note: str | None = Field(default=None, max_length=500)


class PlanApproval(SQLModel, table=True):
    """One organisation of the care team approving one plan version."""

    __table_args__ = (UniqueConstraint("plan_id", "organisation_id"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id")
    operator_id: int = Field(foreign_key="operator.id")
    operator_name: str = Field(max_length=200)
    at: datetime = created_at_field()


class GoalPublic(GoalIn):
    id: int


class InterventionPublic(SQLModel):
    id: int
    service_code: str
    provider_org_id: int
    operator_id: int | None
    frequency: Frequency
    rrule: str | None
    hours_per_month: Decimal
    tariff: Decimal
    ssn_hourly: Decimal
    user_hourly: Decimal
    cost: Decimal
    share_ente: Decimal
    share_utente: Decimal
    share_ssn: Decimal
    note: str | None


class ApprovalPublic(SQLModel):
    organisation_id: int
    operator_id: int
    operator_name: str
    at: datetime


class Totals(SQLModel):
    cost: Decimal
    ente: Decimal
    utente: Decimal
    ssn: Decimal


class PlanPublic(SQLModel):
    id: int
    case_id: int
    version: int
    status: PlanStatus
    start_date: date
    planned_end: date | None
    review_every: int
    review_unit: ReviewUnit
    isee: Decimal | None
    note: str | None
    created_by_id: int
    created_at: datetime
    signed_at: datetime | None
    activated_at: datetime | None
    replaced_at: datetime | None
    goals: list[GoalPublic]
    interventions: list[InterventionPublic]
    approvals: list[ApprovalPublic]
    approvals_missing: list[int] = Field(default=[], description="Organizzazioni dell'équipe che non hanno approvato")
    totals: Totals
