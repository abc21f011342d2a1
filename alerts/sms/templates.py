"""The SMS the centre sends, in Italian, each kept to one GSM-7 segment (a test checks every one)."""

from __future__ import annotations

from enum import StrEnum

from alerts.sms.segments import is_single_gsm7


class Template(StrEnum):
    RICEVUTA = "Grazie, messaggio ricevuto. Codice {code}. Per emergenze chiama il 112."
    PRESA_IN_CARICO = "La segnalazione {code} è stata presa in carico {role}. Grazie."  # role: "dalla Centrale"
    CHECKIN = "Buongiorno, è la Centrale del Municipio. Rispondi OK se va tutto bene."
    CHECKIN_GRAZIE = "Grazie, abbiamo ricevuto la tua risposta. A presto."
    OPT_OUT = "Non riceverai più SMS dalla Centrale. Scrivi START per riattivarli."
    OPT_IN = "SMS della Centrale riattivati. Scrivi STOP per non riceverli più."
    ALLERTA = "Centrale: nuova allerta {code} ({severity}). Rispondi OK {code} per presa visione."
    RISCONTRO = "Presa visione registrata per {code}. Grazie."
    CHIUSURA = "Attività {code} chiusa. Grazie."
    CODICE_NON_VALIDO = "Codice {code} non riconosciuto da questo numero. Contatta la Centrale."


# the longest values the placeholders take, to prove every template stays within one segment
WORST_CASE = {"code": "XXXXXXXX", "role": "dal coordinatore di turno", "severity": "urgente"}


def render(template: Template, **values: str) -> str:
    """The text of ``template`` with its values; refuses a text longer than one GSM-7 segment."""
    text = template.value.format(**values)
    if not is_single_gsm7(text):
        raise ValueError(f"SMS oltre un segmento GSM-7: {template.name}")
    return text
