"""Alerts (allerte): what happened, how urgent, where it stands, and everything that happened to it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from centrale.common import created_at_field, utc_field


class AlertSource(StrEnum):
    SEGNALAZIONE_SENTINELLA = "SEGNALAZIONE_SENTINELLA"  # sentinel report (SMS)
    CHECKIN_MANCATO = "CHECKIN_MANCATO"  # missed check-in
    ATTIVITA_SCADUTA = "ATTIVITA_SCADUTA"  # overdue monitoring task
    REVISIONE_PIANO = "REVISIONE_PIANO"  # plan review due / plan end
    OPERATORE = "OPERATORE"  # raised by an operator
    SISTEMA = "SISTEMA"  # the system about itself (coverage gaps, late escalation steps)
    DIMISSIONE_PROTETTA = "DIMISSIONE_PROTETTA"  # a protected discharge's milestone past its deadline


class Severity(StrEnum):
    BASSA = "BASSA"
    MEDIA = "MEDIA"
    ALTA = "ALTA"
    URGENTE = "URGENTE"

    @property
    def rank(self) -> int:
        return list(Severity).index(self)


class AlertState(StrEnum):
    NUOVA = "NUOVA"
    PRESA_VISIONE = "PRESA_VISIONE"
    RISOLTA = "RISOLTA"
    ANNULLATA = "ANNULLATA"


OPEN_STATES = (AlertState.NUOVA, AlertState.PRESA_VISIONE)


class AlertOutcome(StrEnum):
    """Esito della chiusura."""

    RISOLTA_SUL_POSTO = "RISOLTA_SUL_POSTO"
    INTERVENTO_ATTIVATO = "INTERVENTO_ATTIVATO"
    INVIO_118 = "INVIO_118"
    FALSO_ALLARME = "FALSO_ALLARME"
    PRESA_IN_CARICO_SERVIZIO = "PRESA_IN_CARICO_SERVIZIO"
    ALTRO = "ALTRO"


class AlertBase(SQLModel):
    source: AlertSource
    severity: Severity
    summary: str = Field(min_length=1, max_length=500)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    condominio_id: int | None = Field(default=None, foreign_key="condominio.id", index=True)
    case_id: int | None = Field(default=None, index=True, description="Fascicolo (case) collegato")


class AlertCreate(AlertBase):
    """An alert raised by an operator from the API."""


class Alert(AlertBase, table=True):
    __table_args__ = (
        Index("ix_alert_due", "state", "next_step_at"),
        Index("ix_alert_resolved_at", "resolved_at"),  # the history of closed alerts, latest first
    )

    id: int | None = Field(default=None, primary_key=True)
    state: AlertState = Field(default=AlertState.NUOVA, index=True)
    building_level: bool = Field(default=False, description="Allerta di condominio (più segnalazioni)")
    dedupe_key: str | None = Field(default=None, max_length=120, index=True)
    report_count: int = 1
    opened_at: datetime = created_at_field()
    last_report_at: datetime = created_at_field()
    acknowledged_at: datetime | None = utc_field(default=None)
    acknowledged_by: int | None = Field(default=None, foreign_key="operator.id")
    assigned_to: int | None = Field(default=None, foreign_key="operator.id", index=True)
    resolved_at: datetime | None = utc_field(default=None)
    outcome: AlertOutcome | None = None
    outcome_note: str | None = Field(default=None, max_length=1000)
    # escalation: the policy as it was at opening, and where the alert stands in it
    policy_id: int | None = Field(default=None, foreign_key="escalation_policy.id")
    policy_snapshot: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    escalation_round: int = Field(default=1, description="+1 at each re-trigger; part of the notification key")
    next_step_index: int = 0
    next_step_at: datetime | None = utc_field(default=None, index=True)
    ack_deadline: datetime | None = utc_field(default=None, index=True)
    lease_owner: str | None = Field(default=None, max_length=80)
    lease_until: datetime | None = utc_field(default=None)


class AlertPublic(AlertBase):
    id: int
    state: AlertState
    building_level: bool
    report_count: int
    opened_at: datetime
    last_report_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: int | None
    assigned_to: int | None
    resolved_at: datetime | None
    outcome: AlertOutcome | None
    outcome_note: str | None
    escalation_round: int
    next_step_index: int
    next_step_at: datetime | None
    ack_deadline: datetime | None


class EntryKind(StrEnum):
    APERTA = "APERTA"
    SEGNALAZIONE = "SEGNALAZIONE"  # a report (the first or one that joined)
    NOTIFICA = "NOTIFICA"  # an escalation step ran
    PRESA_VISIONE = "PRESA_VISIONE"
    ASSEGNATA = "ASSEGNATA"
    COMMENTO = "COMMENTO"
    RIATTIVATA = "RIATTIVATA"  # acknowledgement not followed by resolution in time
    PRIORITA = "PRIORITA"  # severity raised by a joining report
    RISOLTA = "RISOLTA"
    ANNULLATA = "ANNULLATA"


class AlertEntry(SQLModel, table=True):
    """One line of an alert's timeline."""

    __tablename__ = "alert_entry"

    id: int | None = Field(default=None, primary_key=True)
    alert_id: int = Field(foreign_key="alert.id", index=True)
    at: datetime = created_at_field()
    kind: EntryKind
    operator_id: int | None = Field(default=None, foreign_key="operator.id")
    condominio_id: int | None = Field(default=None, index=True, description="per il raggruppamento")
    text: str | None = Field(default=None, max_length=1000)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class AlertEntryPublic(SQLModel):
    id: int
    alert_id: int
    at: datetime
    kind: EntryKind
    operator_id: int | None
    text: str | None
    data: dict[str, Any]


class Channel(StrEnum):
    BACHECA = "BACHECA"  # the live board (broadcast)
    PERSONALE = "PERSONALE"  # the operator's personal websocket channel
    SMS = "SMS"
    VOCE = "VOCE"  # a voice call to one of the operator's phones (their contact rule says when)
    PUSH = "PUSH"  # a web push to the operator's browsers


class DeliveryState(StrEnum):
    IN_ATTESA = "IN_ATTESA"
    IN_INVIO = "IN_INVIO"
    INVIATA = "INVIATA"
    CONSEGNATA = "CONSEGNATA"
    FALLITA = "FALLITA"
    ANNULLATA = "ANNULLATA"  # stopped by an acknowledgement before it went out


class Notification(SQLModel, table=True):
    """One notification to one recipient on one channel: recorded once under its unique key."""

    __table_args__ = (
        UniqueConstraint(
            "alert_id", "escalation_round", "step_index", "recipient", "channel", name="uq_notification_key"
        ),
        Index("ix_notification_channel_created_at", "channel", "created_at"),  # the SMS log, latest first
    )

    id: int | None = Field(default=None, primary_key=True)
    alert_id: int = Field(foreign_key="alert.id", index=True)
    escalation_round: int
    step_index: int
    recipient: str = Field(max_length=40, description="'board' or 'operator:<id>'")
    recipient_operator_id: int | None = Field(default=None, foreign_key="operator.id", index=True)
    channel: Channel
    role: str = Field(max_length=40)
    state: DeliveryState = Field(default=DeliveryState.IN_ATTESA, index=True)
    to_phone: str | None = Field(default=None, max_length=20)
    body: str = Field(max_length=320)
    attempts: int = 0
    provider_id: str | None = Field(default=None, max_length=64, index=True)
    error: str | None = Field(default=None, max_length=300)
    created_at: datetime = created_at_field()
    sent_at: datetime | None = utc_field(default=None)
    updated_at: datetime | None = utc_field(default=None)
    #: when a method of the operator's contact rule is due (None: at once); a failed call brings it forward
    due_at: datetime | None = utc_field(default=None)

    @property
    def key(self) -> str:
        return f"{self.alert_id}.{self.escalation_round}.{self.step_index}.{self.recipient}.{self.channel}"


class NotificationPublic(SQLModel):
    id: int
    alert_id: int
    escalation_round: int
    step_index: int
    recipient: str
    channel: Channel
    role: str
    state: DeliveryState
    created_at: datetime
    sent_at: datetime | None
