"""Words of the page of reports phoned in by sentinels (the menu's choices in words, the message to listen to)."""

from __future__ import annotations

from web.i18n import register

WORDS: dict[str, dict[str, str]] = {
    "nav_voice_reports": {"it": "Segnalazioni per telefono", "en": "Reports by phone"},
    "vc_title": {"it": "Segnalazioni per telefono", "en": "Reports by phone"},
    "vc_intro": {
        "it": "Le sentinelle che chiamano il numero della Centrale scelgono dal menu e lasciano un messaggio. "
        "La segnalazione segue la stessa strada di un SMS dallo stesso numero; il messaggio si ascolta qui.",
        "en": "Sentinels who call the Centrale's number choose from the menu and leave a message. The report "
        "goes the way an SMS from the same number goes; the message is heard here.",
    },
    "vc_when": {"it": "Quando", "en": "When"},
    "vc_number": {"it": "Numero", "en": "Number"},
    "vc_choice": {"it": "Scelta dal menu", "en": "Menu choice"},
    "vc_state": {"it": "Stato", "en": "Status"},
    "vc_alert": {"it": "Allerta", "en": "Alert"},
    "vc_message": {"it": "Messaggio", "en": "Message"},
    "vc_choice_1": {
        "it": "Una persona non risponde o non apre la porta",
        "en": "Someone does not answer or open the door",
    },
    "vc_choice_2": {"it": "Una persona ha bisogno di aiuto", "en": "Someone needs help"},
    "vc_choice_3": {"it": "Altro: ascoltare il messaggio", "en": "Other: listen to the message"},
    "vc_listen": {"it": "Messaggio vocale della chiamata delle", "en": "Voice message of the call of"},
    "vc_no_message": {"it": "Nessun messaggio lasciato", "en": "No message left"},
    "vc_none": {"it": "Nessuna segnalazione per telefono.", "en": "No report by phone."},
    "vc_unavailable": {
        "it": "Il messaggio non è disponibile: la registrazione non si raggiunge ora, riprova più tardi.",
        "en": "The message is not available: the recording cannot be reached now, try again later.",
    },
}

register(WORDS)
