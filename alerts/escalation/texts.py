"""The short Italian texts of notifications: codes and words only, never health data."""

from __future__ import annotations

from alerts.models import Alert, Severity

_PRIORITY = {
    Severity.BASSA: "bassa",
    Severity.MEDIA: "media",
    Severity.ALTA: "alta",
    Severity.URGENTE: "urgente",
}


def sms_text(alert: Alert) -> str:
    """GSM-7 text for an escalation SMS (the reply "OK <n>" acknowledges)."""
    where = " (condominio)" if alert.building_level else ""
    return (
        f"Centrale Operativa: allerta n. {alert.id}{where}, priorità {_PRIORITY[alert.severity]}. "
        f"Rispondi OK {alert.id} per presa visione."
    )


def board_text(alert: Alert) -> str:
    return f"Allerta n. {alert.id}: priorità {_PRIORITY[alert.severity]}, in attesa di presa visione"
