"""Words of the notices page, the installable app and the tutors' page when the connection drops."""

from __future__ import annotations

from web.i18n import register

WORDS: dict[str, dict[str, str]] = {
    "nav_notices": {"it": "Avvisi sul dispositivo", "en": "Device notices"},
    "pw_title": {"it": "Avvisi su questo dispositivo", "en": "Notices on this device"},
    "pw_intro": {
        "it": "Con gli avvisi attivi, questo telefono o computer ti dice quando ricevi una nuova attività o "
        "un'allerta: solo il codice e una parola, i dettagli si leggono aprendo la pagina.",
        "en": "With notices on, this phone or computer tells you of a new task or alert: only its code and a "
        "word, the details are read by opening the page.",
    },
    "pw_enable": {"it": "Attiva gli avvisi su questo dispositivo", "en": "Turn on notices on this device"},
    "pw_disable": {"it": "Disattiva gli avvisi su questo dispositivo", "en": "Turn off notices on this device"},
    "pw_on": {"it": "Gli avvisi sono attivi su questo dispositivo.", "en": "Notices are on for this device."},
    "pw_off": {"it": "Gli avvisi non sono attivi su questo dispositivo.", "en": "Notices are off for this device."},
    "pw_unsupported": {
        "it": "Questo browser non può ricevere avvisi: usa Chrome, Edge, Firefox o Safari aggiornati.",
        "en": "This browser cannot receive notices: use an up-to-date Chrome, Edge, Firefox or Safari.",
    },
    "pw_denied": {
        "it": "Gli avvisi sono bloccati nelle impostazioni del browser per questo sito: sbloccali e riprova.",
        "en": "Notices are blocked in the browser's settings for this site: allow them and try again.",
    },
    "pw_failed": {
        "it": "Non è stato possibile attivare gli avvisi: riprova tra poco.",
        "en": "Notices could not be turned on: try again shortly.",
    },
    "pw_devices": {"it": "I tuoi dispositivi con gli avvisi attivi", "en": "Your devices with notices on"},
    "pw_device": {"it": "Dispositivo", "en": "Device"},
    "pw_since": {"it": "Attivo dal", "en": "On since"},
    "pw_last": {"it": "Ultimo avviso consegnato", "en": "Last notice delivered"},
    "pw_never": {"it": "mai", "en": "never"},
    "pw_remove": {"it": "Togli", "en": "Remove"},
    "pw_remove_label": {"it": "Togli gli avvisi dal dispositivo", "en": "Remove notices from the device"},
    "pw_none": {"it": "Nessun dispositivo riceve i tuoi avvisi.", "en": "No device receives your notices."},
    "pw_unknown_device": {"it": "Browser non riconosciuto", "en": "Unrecognised browser"},
    "pw_removed": {"it": "Gli avvisi sono stati tolti dal dispositivo.", "en": "Notices were removed from the device."},
    "pw_refused": {
        "it": "Puoi togliere gli avvisi solo dai tuoi dispositivi.",
        "en": "You may only remove notices from your own devices.",
    },
    # the tutors' page without connection (web/static/tasks.js)
    "t_notices_link": {"it": "Avvisi su questo telefono", "en": "Notices on this phone"},
    "t_offline": {
        "it": "Sei senza connessione: vedi le attività salvate sul telefono. Quello che segni «Fatto» viene "
        "inviato appena torna la rete.",
        "en": "You are offline: these are the tasks kept on the phone. What you mark done is sent as soon as "
        "the connection returns.",
    },
    "t_queued": {"it": "In attesa di invio", "en": "Waiting to be sent"},
    "t_queued_notice": {
        "it": "Attività {code} segnata «Fatto»: sarà inviata appena torna la connessione.",
        "en": "Task {code} marked done: it will be sent as soon as the connection returns.",
    },
    "t_sent_notice": {"it": "Attività {code} registrata.", "en": "Task {code} recorded."},
    "t_conflict_reassigned": {
        "it": "L'attività {code} non è più tua (è stata riassegnata) e il tuo «Fatto» non è stato registrato: "
        "chiama la Centrale.",
        "en": "Task {code} is no longer yours (it was reassigned) and your 'done' was not recorded: call the Centrale.",
    },
    "t_conflict_closed": {
        "it": "L'attività {code} era già stata chiusa da qualcun altro: il tuo «Fatto» non è stato registrato.",
        "en": "Task {code} had already been closed by someone else: your 'done' was not recorded.",
    },
    "t_conflict_gone": {
        "it": "L'attività {code} non esiste più: il tuo «Fatto» non è stato registrato.",
        "en": "Task {code} no longer exists: your 'done' was not recorded.",
    },
    "t_send_refused": {
        "it": "L'attività {code} non è stata registrata: {reason}",
        "en": "Task {code} was not recorded: {reason}",
    },
    "t_signin_again": {
        "it": "La sessione è scaduta: accedi di nuovo per inviare le attività segnate «Fatto».",
        "en": "Your session expired: sign in again to send the tasks marked done.",
    },
    "t_pending_signout": {
        "it": "Ci sono attività segnate «Fatto» non ancora inviate: aspetta che torni la connessione prima di uscire.",
        "en": "Some tasks marked done are not sent yet: wait for the connection before signing out.",
    },
}

register(WORDS)
