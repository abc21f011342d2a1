"""Words of the "I miei recapiti" page, and rules said as a sentence ("Allerta alta: chiamata, poi SMS dopo
2 minuti") rather than as codes."""

from __future__ import annotations

from collections.abc import Sequence

from web.i18n import register

WORDS: dict[str, dict[str, str]] = {
    "nav_contacts": {"it": "I miei recapiti", "en": "My contacts"},
    "ct_title": {"it": "I miei recapiti", "en": "My contacts"},
    "ct_title_of": {"it": "Recapiti di", "en": "Contacts of"},
    "ct_intro": {
        "it": "Come la Centrale ti raggiunge quando un'allerta ti riguarda: i telefoni, gli avvisi su questo "
        "dispositivo, le ore di quiete e, per ogni priorità, l'ordine dei recapiti.",
        "en": "How the Centre reaches you when an alert concerns you: phones, notices on this device, quiet "
        "hours and, for each priority, the order of the methods.",
    },
    "ct_phones": {"it": "Telefoni", "en": "Phones"},
    "ct_profile_phone": {"it": "Cellulare del profilo (chiamate e SMS)", "en": "Profile mobile (calls and SMS)"},
    "ct_no_profile_phone": {
        "it": "Nessun cellulare nel profilo: lo inserisce l'amministratore.",
        "en": "No mobile in the profile: the administrator adds it.",
    },
    "ct_number": {"it": "Numero", "en": "Number"},
    "ct_label": {"it": "Descrizione (per esempio: casa)", "en": "Description (e.g. home)"},
    "ct_uses": {"it": "Riceve", "en": "Receives"},
    "ct_sms": {"it": "Riceve gli SMS (solo un cellulare)", "en": "Receives SMS (a mobile only)"},
    "ct_voice": {"it": "Riceve le chiamate", "en": "Receives calls"},
    "ct_calls_and_sms": {"it": "chiamate e SMS", "en": "calls and SMS"},
    "ct_calls_only": {"it": "solo chiamate", "en": "calls only"},
    "ct_sms_only": {"it": "solo SMS", "en": "SMS only"},
    "ct_add_phone": {"it": "Aggiungi il numero", "en": "Add the number"},
    "ct_new_phone": {"it": "Un altro numero", "en": "Another number"},
    "ct_remove": {"it": "Togli", "en": "Remove"},
    "ct_remove_label": {"it": "Togli il numero", "en": "Remove the number"},
    "ct_no_phones": {"it": "Nessun altro numero.", "en": "No other number."},
    "ct_device": {"it": "Avvisi su questo dispositivo", "en": "Notices on this device"},
    "ct_devices_yes": {
        "it": "Almeno un dispositivo riceve i tuoi avvisi.",
        "en": "At least one device receives your notices.",
    },
    "ct_devices_no": {"it": "Nessun dispositivo riceve i tuoi avvisi.", "en": "No device receives your notices."},
    "ct_quiet": {"it": "Ore di quiete", "en": "Quiet hours"},
    "ct_quiet_intro": {
        "it": "Nelle ore di quiete (ora di Roma) ti raggiungono solo le allerte alte e urgenti; le altre restano "
        "sul quadro operativo.",
        "en": "During quiet hours (Rome time) only high and urgent alerts reach you; the others stay on the "
        "live board.",
    },
    "ct_quiet_start": {"it": "Dalle ore", "en": "From"},
    "ct_quiet_end": {"it": "Alle ore", "en": "To"},
    "ct_quiet_none": {"it": "Nessuna ora di quiete.", "en": "No quiet hours."},
    "ct_rules": {"it": "Regole per priorità", "en": "Rules by priority"},
    "ct_rules_intro": {
        "it": "Per ogni priorità, in che ordine e dopo quanti minuti la Centrale usa ciascun recapito. Una "
        "priorità senza righe segue la regola predefinita.",
        "en": "For each priority, in which order and after how many minutes the Centre uses each method. A "
        "priority without rows follows the default rule.",
    },
    "ct_default": {"it": "regola predefinita", "en": "default rule"},
    "ct_own": {"it": "regola scelta", "en": "chosen rule"},
    "ct_method": {"it": "Recapito", "en": "Method"},
    "ct_step": {"it": "Passo", "en": "Step"},
    "ct_delay": {"it": "Dopo minuti", "en": "After minutes"},
    "ct_none": {"it": "(nessuno)", "en": "(none)"},
    "ct_save": {"it": "Salva ore di quiete e regole", "en": "Save quiet hours and rules"},
    "ct_saved": {"it": "Recapiti salvati.", "en": "Contacts saved."},
    "ct_sev_URGENTE": {"it": "Allerta urgente", "en": "Urgent alert"},
    "ct_sev_ALTA": {"it": "Allerta alta", "en": "High alert"},
    "ct_sev_MEDIA": {"it": "Allerta media", "en": "Medium alert"},
    "ct_sev_BASSA": {"it": "Allerta bassa", "en": "Low alert"},
    "ct_m_VOCE": {"it": "chiamata", "en": "call"},
    "ct_m_SMS": {"it": "SMS", "en": "SMS"},
    "ct_m_PUSH": {"it": "avviso sul dispositivo", "en": "device notice"},
    "ct_edit_contacts": {"it": "Recapiti e regole", "en": "Contacts and rules"},
}
register(WORDS)

_THEN = {"it": "poi", "en": "then"}
_AND = {"it": "e", "en": "and"}
_AFTER = {"it": "dopo", "en": "after"}
_MINUTES = {"it": ("minuto", "minuti"), "en": ("minute", "minutes")}


def _after(minutes: int, lang: str) -> str:
    one, many = _MINUTES[lang]
    return f"{_AFTER[lang]} {minutes} {one if minutes == 1 else many}"


def describe(steps: Sequence[tuple[str, int]], lang: str = "it") -> str:
    """``[("VOCE", 0), ("SMS", 2)]`` -> "chiamata, poi SMS dopo 2 minuti" (methods at the same minute: "e")."""
    lang = lang if lang in _THEN else "it"
    words: list[str] = []
    previous: int | None = None
    for method, delay in steps:
        name = WORDS[f"ct_m_{method}"][lang]
        if previous is None:
            words.append(name if delay == 0 else f"{name} {_after(delay, lang)}")
        elif delay == previous:
            words.append(f"{_AND[lang]} {name}")
        else:
            words.append(f", {_THEN[lang]} {name} {_after(delay, lang)}")
        previous = delay
    return " ".join(words).replace(" ,", ",")
