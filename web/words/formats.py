"""Numbers, money, durations and counted nouns as an Italian (or English) reader writes them."""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation


def _decimal(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        return None


def number(value: object, decimals: int | None = None, lang: str = "it") -> str:
    """``1234.5`` -> "1.234,5" in Italian, "1,234.5" in English; ``decimals`` fixes the places."""
    amount = _decimal(value)
    if amount is None:
        return "—" if value is None or value == "" else str(value)
    if decimals is not None:
        amount = amount.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    elif amount == amount.to_integral_value():
        amount = amount.quantize(Decimal(1))
    else:
        amount = amount.normalize()
    text = f"{amount:,f}"
    if lang == "it":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def money(value: object, lang: str = "it") -> str:
    """``1234.56`` -> "1.234,56 €" in Italian, "€1,234.56" in English."""
    if _decimal(value) is None:
        return "—"
    amount = number(value, 2, lang)
    return f"{amount} €" if lang == "it" else f"€{amount}"


def duration(value: timedelta | float | int | None, lang: str = "it") -> str:
    """A length of time: "12 min", "1 h 05", "2 g 3 h" (minutes when given a number)."""
    if value is None:
        return "—"
    minutes = round(value.total_seconds() / 60 if isinstance(value, timedelta) else float(value))
    sign, minutes = ("-" if minutes < 0 else ""), abs(minutes)
    if minutes < 60:
        return f"{sign}{minutes} min"
    hours, rest = divmod(minutes, 60)
    if hours < 24:
        return f"{sign}{hours} h {rest:02d}"
    days, hours = divmod(hours, 24)
    day = "g" if lang == "it" else "d"
    return f"{sign}{days} {day} {hours} h" if hours else f"{sign}{days} {day}"


def counted(count: int, one: str, many: str, lang: str = "it") -> str:
    """A number with its noun in the right form: (1, "caso", "casi") -> "1 caso"; (3, ...) -> "3 casi"."""
    return f"{number(count, lang=lang)} {one if count == 1 else many}"
