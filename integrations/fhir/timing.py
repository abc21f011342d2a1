"""A plan's recurrence (RFC 5545 RRULE) as FHIR's Timing, which says the same in its own terms."""

from __future__ import annotations

from typing import Any

DAYS = {"MO": "mon", "TU": "tue", "WE": "wed", "TH": "thu", "FR": "fri", "SA": "sat", "SU": "sun"}
UNITS = {"DAILY": "d", "WEEKLY": "wk", "MONTHLY": "mo", "YEARLY": "a"}


def timing_of(rule: str) -> dict[str, Any] | None:
    """``{"repeat": ...}`` for daily, weekly, monthly or yearly rules; ``None`` for what Timing cannot say
    (hourly rules, ordinal weekdays such as "the first Monday"), which the activity's description carries."""
    parts = dict(part.split("=", 1) for part in rule.upper().removeprefix("RRULE:").split(";") if "=" in part)
    unit = UNITS.get(parts.get("FREQ", ""))
    if unit is None:
        return None
    repeat: dict[str, Any] = {"frequency": 1, "period": int(parts.get("INTERVAL", "1")), "periodUnit": unit}
    if "BYDAY" in parts:
        days = parts["BYDAY"].split(",")
        if any(day not in DAYS for day in days):
            return None
        repeat["dayOfWeek"] = [DAYS[day] for day in days]
    if "BYHOUR" in parts:
        minutes = parts.get("BYMINUTE", "0").split(",")
        if len(minutes) != 1:
            return None
        repeat["timeOfDay"] = [f"{int(hour):02d}:{int(minutes[0]):02d}:00" for hour in parts["BYHOUR"].split(",")]
    if "UNTIL" in parts:
        until = parts["UNTIL"]
        repeat["boundsPeriod"] = {"end": f"{until[0:4]}-{until[4:6]}-{until[6:8]}"}
    if "COUNT" in parts:
        repeat["count"] = int(parts["COUNT"])
    return {"repeat": repeat}
