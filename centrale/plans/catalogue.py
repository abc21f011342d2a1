"""The SIUSS service catalogue (prestazioni) of DOMAIN.md, seeded idempotently."""

from __future__ import annotations

from decimal import Decimal

from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.errors import Invalid, NotFound
from centrale.plans.costs import HOME_CARE_RULE, CostShareRule
from centrale.plans.models import ServiceType, ServiceTypeUpdate

SIUSS_SERVICES: tuple[tuple[str, str], ...] = (
    ("A1.01", "Assegno nucleo familiare"),
    ("A1.02", "Assegno maternità"),
    ("A1.04", "Contributi integrazione reddito"),
    ("A1.05", "Contributi alloggio"),
    ("A1.06", "Buoni spesa/pasto"),
    ("A1.10", "Contributi cure a rilevanza sanitaria"),
    ("A1.11", "Assegnazioni per domiciliarità e autonomia personale"),
    ("A1.12", "Rette centri diurni"),
    ("A1.13", "Rette semiresidenziali"),
    ("A1.14", "Rette residenziali"),
    ("A1.15", "Contributi servizi alla persona"),
    ("A1.16", "Contributi trasporto e mobilità"),
    ("A1.18", "Contributi inserimento lavorativo"),
    ("A2.01", "Mensa sociale"),
    ("A2.02", "Sostegno socio-educativo territoriale/domiciliare"),
    ("A2.05", "Agevolazioni utenze"),
    ("A2.07", "Assistenza domiciliare socio-assistenziale"),
    ("A2.08", "ADI con servizi sanitari"),
    ("A2.09", "Supporto inserimento lavorativo"),
    ("A2.11", "Sostegno socio-educativo scolastico"),
    ("A3.01", "Strutture semiresidenziali"),
    ("A3.02", "Strutture residenziali"),
    ("Z9.99", "Altro"),
)

#: services with a default ISEE cost-share rule (the municipal home-care example); others are free
#: to the person until an administrator configures them
DEFAULT_RULES = {"A2.07": HOME_CARE_RULE}


async def seed_catalogue(session: AsyncSession) -> int:
    """Add the SIUSS codes that are missing; existing rows (and configured thresholds) are kept."""
    added = 0
    for code, label in SIUSS_SERVICES:
        if await session.get(ServiceType, code) is not None:
            continue
        rule = DEFAULT_RULES.get(code)
        row = ServiceType(code=code, label=label, group=code[:2])
        if rule is not None:
            row.isee_min, row.isee_max = rule.isee_min, rule.isee_max
            row.subsidised_max, row.full_tariff = rule.subsidised_max, rule.full_tariff
            row.default_tariff = rule.full_tariff
        session.add(row)
        added += 1
    await session.flush()
    return added


def rule_of(service: ServiceType) -> CostShareRule | None:
    """The service's cost-share rule, or None when the person pays nothing for it."""
    if None in (service.isee_min, service.isee_max, service.subsidised_max, service.full_tariff):
        return None
    return CostShareRule(
        isee_min=service.isee_min or Decimal(0),
        isee_max=service.isee_max or Decimal(0),
        subsidised_max=service.subsidised_max or Decimal(0),
        full_tariff=service.full_tariff or Decimal(0),
    )


async def configure(session: AsyncSession, *, code: str, data: ServiceTypeUpdate) -> ServiceType:
    """Set a service's ISEE thresholds and tariffs; thresholds out of order are refused (422)."""
    row = await session.get(ServiceType, code)
    if row is None:
        raise NotFound("Prestazione", code)
    for field, value in data.model_dump(exclude_unset=True).items():
        setattr(row, field, value)
    try:
        rule_of(row)
    except ValueError as exc:
        raise Invalid(str(exc), field="isee_max") from exc
    session.add(row)
    await session.flush()
    return row
