"""Monitoring tasks (attività): from the plan's schedule, from alerts, or by hand; and their reminders."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import model_validator
from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from centrale.common import created_at_field, utc_field


class TaskType(StrEnum):
    VISITA_DOMICILIARE = "VISITA_DOMICILIARE"
    TELEFONATA = "TELEFONATA"
    ACCOMPAGNAMENTO = "ACCOMPAGNAMENTO"
    CONSEGNA_FARMACI = "CONSEGNA_FARMACI"
    CONTROLLO_CONDOMINIO = "CONTROLLO_CONDOMINIO"
    VERIFICA_SEGNALAZIONE = "VERIFICA_SEGNALAZIONE"  # follow up a sentinel report
    ALTRO = "ALTRO"


class TaskState(StrEnum):
    APERTA = "APERTA"
    SVOLTA = "SVOLTA"
    MANCATA = "MANCATA"
    ANNULLATA = "ANNULLATA"


class TaskPriority(StrEnum):
    BASSA = "BASSA"
    MEDIA = "MEDIA"
    ALTA = "ALTA"
    URGENTE = "URGENTE"


class TaskOrigin(StrEnum):
    PIANO = "PIANO"  # generated from a plan intervention's schedule
    ALLERTA = "ALLERTA"  # follow-up of an alert
    MANUALE = "MANUALE"  # created by an operator


class ClosedVia(StrEnum):
    PAGINA = "PAGINA"  # the tutor's page
    SMS = "SMS"  # "FATTO <code>"
    API = "API"
    SISTEMA = "SISTEMA"  # plan variation, reassignment rules


class TaskBase(SQLModel):
    person_id: int = Field(foreign_key="person.id", index=True)
    type: TaskType
    assignee_id: int = Field(foreign_key="operator.id", index=True)
    due_start: datetime = utc_field(index=True, description="Inizio della finestra (UTC)")
    due_end: datetime = utc_field(index=True, description="Scadenza: fine della finestra (UTC)")
    priority: TaskPriority = TaskPriority.MEDIA
    title: str | None = Field(default=None, max_length=200, description="Breve, senza dati sanitari")
    case_id: int | None = Field(default=None, index=True)


class TaskCreate(TaskBase):
    """A task created by hand (or for an alert's follow-up)."""

    alert_id: int | None = None

    @model_validator(mode="after")
    def _window(self) -> TaskCreate:
        if self.due_end <= self.due_start:
            raise ValueError("due_end: la scadenza deve seguire l'inizio / must be after due_start")
        return self


class Task(TaskBase, table=True):
    __table_args__ = (
        UniqueConstraint("schedule_key", name="uq_task_schedule_key"),
        Index("ix_task_assignee_state", "assignee_id", "state"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=12, unique=True, index=True, description="Codice breve per l'SMS FATTO")
    state: TaskState = Field(default=TaskState.APERTA, index=True)
    origin: TaskOrigin = TaskOrigin.MANUALE
    # the plan link: one task per intervention occurrence; released (NULL) when a plan variation replaces it
    intervention_id: int | None = Field(default=None, index=True)
    occurrence_at: datetime | None = utc_field(default=None)
    schedule_key: str | None = Field(default=None, max_length=80)
    alert_id: int | None = Field(default=None, index=True, description="Allerta che l'ha generata")
    overdue_alert_id: int | None = Field(default=None, description="Allerta di attività scaduta")
    # set when the reminder is recorded: a condition on the row itself, so concurrent ticks skip it
    reminded_at: datetime | None = utc_field(default=None)
    outcome_note: str | None = Field(default=None, max_length=1000)
    closed_by_id: int | None = Field(default=None, foreign_key="operator.id")
    closed_at: datetime | None = utc_field(default=None)
    closed_via: ClosedVia | None = None
    created_by_id: int | None = Field(default=None, foreign_key="operator.id")
    created_at: datetime = created_at_field()
    updated_at: datetime | None = utc_field(default=None)


class TaskPublic(TaskBase):
    id: int
    code: str
    state: TaskState
    origin: TaskOrigin
    intervention_id: int | None
    occurrence_at: datetime | None
    alert_id: int | None
    overdue_alert_id: int | None
    outcome_note: str | None
    closed_by_id: int | None
    closed_at: datetime | None
    closed_via: ClosedVia | None
    created_at: datetime


class TaskListItem(TaskPublic):
    """A task as shown in lists: with the person's name (a read of their data, audited)."""

    cognome: str
    nome: str
    overdue: bool


class TaskClose(SQLModel):
    state: TaskState = TaskState.SVOLTA
    note: str | None = Field(default=None, max_length=1000, description="Esito / outcome note")


class Reassignment(SQLModel):
    """Absence cover: move one operator's open tasks in a date range (Rome days, inclusive) to another."""

    from_operator_id: int
    to_operator_id: int
    start: date
    end: date
    note: str | None = Field(default=None, max_length=500)

    @model_validator(mode="after")
    def _range(self) -> Reassignment:
        if self.end < self.start:
            raise ValueError("end: la fine precede l'inizio / end is before start")
        if self.to_operator_id == self.from_operator_id:
            raise ValueError("to_operator_id: deve essere un altro operatore / must be another operator")
        return self


class ReassignmentResult(SQLModel):
    moved: list[int]
    count: int


class Absence(SQLModel, table=True):
    """An operator away; tasks generated for those days go to the substitute."""

    id: int | None = Field(default=None, primary_key=True)
    operator_id: int = Field(foreign_key="operator.id", index=True)
    substitute_id: int = Field(foreign_key="operator.id")
    start: date
    end: date
    note: str | None = Field(default=None, max_length=500)
    created_by_id: int | None = Field(default=None, foreign_key="operator.id")
    created_at: datetime = created_at_field()


class ReminderChannel(StrEnum):
    PERSONALE = "PERSONALE"  # personal websocket channel
    SMS = "SMS"


class ReminderState(StrEnum):
    IN_ATTESA = "IN_ATTESA"
    IN_INVIO = "IN_INVIO"
    INVIATA = "INVIATA"
    FALLITA = "FALLITA"
    ANNULLATA = "ANNULLATA"  # the task was closed before the SMS went out


class TaskReminder(SQLModel, table=True):
    """One reminder of one task on one channel: recorded once under its unique key."""

    __tablename__ = "task_reminder"
    __table_args__ = (UniqueConstraint("task_id", "channel", name="uq_task_reminder_key"),)

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id", index=True)
    channel: ReminderChannel
    operator_id: int = Field(foreign_key="operator.id")
    to_phone: str | None = Field(default=None, max_length=20)
    body: str = Field(max_length=320)
    state: ReminderState = Field(default=ReminderState.IN_ATTESA, index=True)
    provider_id: str | None = Field(default=None, max_length=64)
    error: str | None = Field(default=None, max_length=300)
    created_at: datetime = created_at_field()
    sent_at: datetime | None = utc_field(default=None)


class PlanAlertKind(StrEnum):
    REVISIONE_DOVUTA = "REVISIONE_DOVUTA"  # monitoraggio degli obiettivi necessario
    FINE_SUPERATA = "FINE_SUPERATA"  # planned end passed
    FINE_TRA_7_GIORNI = "FINE_TRA_7_GIORNI"  # planned end in 7 days


class PlanAlertMark(SQLModel, table=True):
    """A plan alert raised once for (plan, kind, date): the unique key makes it once across instances."""

    __tablename__ = "plan_alert_mark"
    __table_args__ = (UniqueConstraint("plan_id", "kind", "on_date", name="uq_plan_alert_mark"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(index=True)
    kind: PlanAlertKind
    on_date: date
    alert_id: int | None = None
    created_at: datetime = created_at_field()


class WorkloadRow(SQLModel):
    operator_id: int
    full_name: str
    due_this_week: int
    open_this_week: int
    overdue: int
    done_on_time: int
    done_late: int
