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


def voice_text(alert: Alert) -> str:
    """What a call reads (``<Say language="it-IT">``): the alert's number and priority, never health data."""
    where = " di condominio" if alert.building_level else ""
    return (
        f"Centrale Operativa di Distretto. Allerta{where} numero {alert.id}, priorità {_PRIORITY[alert.severity]}. "
        "Premi 1 per prendere visione."
    )


def push_title(alert: Alert) -> str:
    return f"Allerta n. {alert.id}"


def push_text(alert: Alert) -> str:
    """A device notification's one line: the priority, the details load after the page opens."""
    return f"Priorità {_PRIORITY[alert.severity]}: in attesa di presa visione"
