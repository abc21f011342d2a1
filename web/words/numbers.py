"""Numbers as an Italian reader writes them: comma decimals, dot thousands, durations in minutes and hours."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def number(value: Decimal | float | int | None, places: int = 0) -> str:
    """1234.5 -> "1.234,50" (places=2); None -> "—"."""
    if value is None:
        return "—"
    amount = Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{amount:,.{places}f}"  # 1,234.50
    return text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")


def euro(value: Decimal | float | int | None) -> str:
    """ "€ 1.234,50"."""
    return "—" if value is None else f"€ {number(value, 2)}"


def percent(ratio: float | None, places: int = 1) -> str:
    """0.125 -> "12,5 %"."""
    return "—" if ratio is None else f"{number(ratio * 100, places)} %"


def duration(seconds: float | None) -> str:
    """Seconds as a person says them: "45 s", "12 min", "1 h 05", "2 g 3 h"."""
    if seconds is None:
        return "—"
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {rest:02d}"
    days, hours = divmod(hours, 24)
    return f"{days} g {hours} h"
