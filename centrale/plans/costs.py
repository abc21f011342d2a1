"""Money of a plan: hourly tariffs, ISEE cost sharing (compartecipazione) and the ente/utente/SSN shares.

All amounts are ``Decimal`` rounded to the cent, half up, as an invoice would be.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class CostShareRule:
    """Linear ISEE rule (*configurable* per service): exempt up to ``isee_min``, full tariff above
    ``isee_max``, in between ``subsidised_max`` × (ISEE − min) / (max − min) per hour."""

    isee_min: Decimal
    isee_max: Decimal
    subsidised_max: Decimal
    full_tariff: Decimal

    def __post_init__(self) -> None:
        if self.isee_max <= self.isee_min:
            raise ValueError("isee_max: deve superare isee_min / must exceed isee_min")


#: the municipal home-care example of DOMAIN.md
HOME_CARE_RULE = CostShareRule(
    isee_min=Decimal("7500"),
    isee_max=Decimal("30000"),
    subsidised_max=Decimal("8.00"),
    full_tariff=Decimal("13.80"),
)


def user_hourly(isee: Decimal | None, rule: CostShareRule | None) -> Decimal:
    """What the person pays per hour. No rule: the service is free to the person. No ISEE declared:
    the full tariff (the subsidy needs the declaration)."""
    if rule is None:
        return ZERO
    if isee is None or isee > rule.isee_max:
        return cents(rule.full_tariff)
    if isee <= rule.isee_min:
        return ZERO
    return cents(rule.subsidised_max * (isee - rule.isee_min) / (rule.isee_max - rule.isee_min))


@dataclass(frozen=True)
class Shares:
    cost: Decimal
    ente: Decimal
    utente: Decimal
    ssn: Decimal
    user_hourly: Decimal


def shares(
    *,
    hours: Decimal,
    tariff: Decimal,
    isee: Decimal | None,
    rule: CostShareRule | None,
    ssn_hourly: Decimal = ZERO,
) -> Shares:
    """Monthly cost of an intervention and who pays it; ente + utente + SSN equals the cost exactly."""
    cost = cents(hours * tariff)
    ssn = min(cents(hours * ssn_hourly), cost)
    per_hour = user_hourly(isee, rule)
    utente = min(cents(hours * per_hour), cost - ssn)  # the person never pays more than what is left
    return Shares(cost=cost, ente=cost - ssn - utente, utente=utente, ssn=ssn, user_hourly=per_hour)
