"""What an operator (or an administrator for them) sends to change how they are reached, and what they read."""

from __future__ import annotations

from datetime import time

from pydantic import field_validator, model_validator
from sqlmodel import Field, SQLModel

from centrale.errors import Invalid
from centrale.operators.contact_models import (
    MAX_DELAY_MINUTES,
    MAX_RULE_STEPS,
    SEVERITIES,
    ReachMethod,
)
from centrale.validators import PhoneE164, is_mobile


class RuleStep(SQLModel):
    method: ReachMethod
    delay_minutes: int = Field(default=0, ge=0, le=MAX_DELAY_MINUTES, description="Minuti dopo l'inizio del passo")


class ContactRulesUpdate(SQLModel):
    """Quiet hours (both or neither) and, per severity, the methods in order; a severity left out keeps
    the default."""

    quiet_start: time | None = Field(default=None, description="Inizio ore di quiete (ora di Roma)")
    quiet_end: time | None = Field(default=None, description="Fine ore di quiete (ora di Roma)")
    rules: dict[str, list[RuleStep]] = Field(default_factory=dict)

    @field_validator("rules")
    @classmethod
    def _known_severities(cls, rules: dict[str, list[RuleStep]]) -> dict[str, list[RuleStep]]:
        for severity, steps in rules.items():
            if severity not in SEVERITIES:
                raise Invalid(
                    f"Regole per priorità: priorità sconosciuta {severity!r} / rules: unknown priority", field="rules"
                )
            if len(steps) > MAX_RULE_STEPS:
                raise Invalid(
                    f"Regole per priorità: al massimo {MAX_RULE_STEPS} recapiti per priorità / rules: at most "
                    f"{MAX_RULE_STEPS} methods per priority",
                    field="rules",
                )
            methods = [step.method for step in steps]
            if len(set(methods)) != len(methods):
                raise Invalid(
                    "Regole per priorità: ogni recapito una volta sola per priorità / rules: each method once",
                    field="rules",
                )
        return rules

    @model_validator(mode="after")
    def _both_or_neither(self) -> ContactRulesUpdate:
        if (self.quiet_start is None) != (self.quiet_end is None):
            raise Invalid(
                "Ore di quiete: servono inizio e fine, o nessuno dei due / quiet hours: both start and end, or neither",
                field="quiet_end" if self.quiet_end is None else "quiet_start",
            )
        return self


class PhoneCreate(SQLModel):
    number: PhoneE164 = Field(description="E.164")
    label: str = Field(default="", max_length=60, description="Per esempio: casa, lavoro")
    sms: bool = Field(default=False, description="Riceve gli SMS (solo un cellulare)")
    voice: bool = Field(default=True, description="Riceve le chiamate")

    @model_validator(mode="after")
    def _usable(self) -> PhoneCreate:
        if self.sms and not is_mobile(self.number):
            raise Invalid(
                f"Numero di telefono: {self.number} è un numero fisso; per gli SMS serve un cellulare / number: "
                f"{self.number} is a landline; SMS need a mobile",
                field="number",
            )
        if not self.sms and not self.voice:
            raise Invalid(
                "Numero di telefono: scegli almeno SMS o chiamate / number: choose SMS or calls at least", field="voice"
            )
        return self


class PhonePublic(SQLModel):
    id: int
    number: str
    label: str
    sms: bool
    voice: bool


class ContactsPublic(SQLModel):
    """How one operator is reached: phones, device notifications, quiet hours, the rule in force per severity."""

    operator_id: int
    profile_phone: str | None = Field(description="Il cellulare del profilo: chiamate e SMS")
    phones: list[PhonePublic]
    push: bool = Field(description="Almeno un dispositivo riceve le notifiche")
    quiet_start: time | None
    quiet_end: time | None
    rules: dict[str, list[RuleStep]] = Field(description="La regola in vigore per ogni priorità")
    own_rules: list[str] = Field(description="Le priorità con una regola scelta (le altre: predefinita)")
