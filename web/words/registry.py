"""Interface words of the registry pages: persons, condomini and sentinels, organisations, operators, services."""

from __future__ import annotations

from centrale.cases.models import CaseState
from centrale.operators.models import Role
from centrale.organisations.models import OrgKind
from centrale.persons.models import HouseholdRelation, NetworkRelation, NetworkRole
from web.i18n import register


def _both(it: str, en: str) -> dict[str, str]:
    return {"it": it, "en": en}


ORG_KINDS = {
    OrgKind.MUNICIPIO: _both("Municipio (servizi sociali)", "Municipio (social services)"),
    OrgKind.ASL_PUA: _both("ASL — Punto unico di accesso", "Health authority — single access point"),
    OrgKind.ASL_DISTRETTO: _both("ASL — Distretto", "Health authority — district"),
    OrgKind.MMG: _both("Medico di medicina generale", "General practice"),
    OrgKind.FARMACIA: _both("Farmacia", "Pharmacy"),
    OrgKind.ETS: _both("Terzo settore (cooperativa, associazione)", "Third sector (cooperative, association)"),
    OrgKind.CENTRALE: _both("Centrale operativa", "Operations centre"),
    OrgKind.OSPEDALE: _both("Ospedale (invia le dimissioni protette)", "Hospital (sends protected discharges)"),
}
ROLES = {
    Role.COORDINATORE: _both("Coordinatore della Centrale", "Centre coordinator"),
    Role.CASE_MANAGER: _both("Assistente sociale (responsabile del caso)", "Social worker (case manager)"),
    Role.OPERATORE_PUA: _both("Operatore PUA", "Single access point operator"),
    Role.MMG: _both("Medico di medicina generale", "General practitioner"),
    Role.TUTOR: _both("Tutor", "Tutor"),
    Role.OPERATORE_ETS: _both("Operatore del terzo settore", "Third-sector worker"),
    Role.ANALISTA: _both("Analista", "Analyst"),
    Role.AMMINISTRATORE: _both("Amministratore", "Administrator"),
}
HOUSEHOLD = {
    HouseholdRelation.INTESTATARIO: _both("Intestatario", "Head of household"),
    HouseholdRelation.CONIUGE: _both("Coniuge", "Spouse"),
    HouseholdRelation.FIGLIO: _both("Figlio o figlia", "Son or daughter"),
    HouseholdRelation.GENITORE: _both("Genitore", "Parent"),
    HouseholdRelation.FRATELLO: _both("Fratello o sorella", "Brother or sister"),
    HouseholdRelation.ALTRO_PARENTE: _both("Altro parente", "Other relative"),
    HouseholdRelation.CONVIVENTE: _both("Convivente", "Lives with"),
}
NETWORK = {
    NetworkRelation.CONVIVENTE: _both("Convivente", "Lives with"),
    NetworkRelation.FAMILIARE: _both("Familiare", "Family"),
    NetworkRelation.AMICALE: _both("Amico o amica", "Friend"),
    NetworkRelation.VICINATO: _both("Vicino di casa", "Neighbour"),
    NetworkRelation.TERZO_SETTORE: _both("Terzo settore", "Third sector"),
}
NETWORK_ROLES = {
    NetworkRole.SENTINELLA: _both("Sentinella", "Sentinel"),
    NetworkRole.ANTENNA: _both("Antenna", "Antenna"),
    NetworkRole.CAREGIVER: _both("Caregiver", "Caregiver"),
    NetworkRole.TUTORE: _both("Tutore legale", "Legal guardian"),
}
CASE_STATES = {
    CaseState.SEGNALATO: _both("Segnalato", "Reported"),
    CaseState.APERTO: _both("Aperto", "Open"),
    CaseState.PRESO_IN_CARICO: _both("Preso in carico", "Taken in charge"),
    CaseState.SOSPESO: _both("Sospeso", "Suspended"),
    CaseState.CHIUSO: _both("Chiuso", "Closed"),
    CaseState.RIAPERTO: _both("Riaperto", "Reopened"),
}

WORDS: dict[str, dict[str, str]] = {
    **{f"reg_kind_{k.value}": v for k, v in ORG_KINDS.items()},
    **{f"reg_role_{k.value}": v for k, v in ROLES.items()},
    **{f"reg_hh_{k.value}": v for k, v in HOUSEHOLD.items()},
    **{f"reg_net_{k.value}": v for k, v in NETWORK.items()},
    **{f"reg_netrole_{k.value}": v for k, v in NETWORK_ROLES.items()},
    **{f"reg_state_{k.value}": v for k, v in CASE_STATES.items()},
    "reg_sex_M": _both("Maschio", "Male"),
    "reg_sex_F": _both("Femmina", "Female"),
    "reg_sentinel_SENTINELLA": _both("Sentinella (vicino di casa)", "Sentinel (neighbour)"),
    "reg_sentinel_ANTENNA": _both("Antenna (negoziante, portiere)", "Antenna (shopkeeper, porter)"),
    "nav_persons": _both("Persone", "Persons"),
    "nav_condomini": _both("Condomini solidali", "Condomini"),
    "nav_admin_orgs": _both("Organizzazioni", "Organisations"),
    "nav_admin_operators": _both("Operatori", "Operators"),
    "nav_admin_catalogue": _both("Catalogo servizi", "Service catalogue"),
    "reg_persons": _both("Persone", "Persons"),
    "reg_search": _both("Cerca", "Search"),
    "reg_search_hint": _both("Cognome, nome o codice fiscale", "Surname, name or fiscal code"),
    "reg_new_person": _both("Registra una persona", "Register a person"),
    "reg_no_persons": _both("Nessuna persona trovata", "No person found"),
    "reg_cf": _both("Codice fiscale", "Fiscal code"),
    "reg_cf_hint": _both(
        "16 caratteri; per chi non lo ha: codice provvisorio di 11 cifre, STP o ENI",
        "16 characters; for people without one: an 11-digit temporary code, STP or ENI",
    ),
    "reg_surname": _both("Cognome", "Surname"),
    "reg_name": _both("Nome", "Name"),
    "reg_sex": _both("Sesso", "Sex"),
    "reg_birth": _both("Data di nascita", "Date of birth"),
    "reg_address": _both("Indirizzo di residenza", "Home address"),
    "reg_municipio": _both("Municipio", "Municipio"),
    "reg_gp": _both("Medico di medicina generale", "General practitioner"),
    "reg_none": _both("Nessuno", "None"),
    "reg_phones": _both("Telefoni", "Phones"),
    "reg_phones_hint": _both(
        "Uno per riga; i cellulari italiani anche senza +39. Un numero fisso vale solo per le chiamate: "
        "gli SMS vanno ai cellulari",
        "One per line; Italian mobiles without +39 too. A landline is for voice calls only: SMS go to mobiles",
    ),
    "reg_sms_phone": _both("Cellulare (per gli SMS)", "Mobile (for SMS)"),
    "reg_sentinel_phone_hint": _both(
        "Alla sentinella si scrive via SMS: serve un cellulare (un numero fisso vale solo per le chiamate)",
        "The sentinel is reached by SMS: a mobile is needed (a landline is for voice calls only)",
    ),
    "reg_operator_phone_hint": _both(
        "Riceve gli SMS delle allerte e delle attività: serve un cellulare (un numero fisso vale solo per le chiamate)",
        "Receives the SMS of alerts and tasks: a mobile is needed (a landline is for voice calls only)",
    ),
    "reg_save": _both("Salva", "Save"),
    "reg_saved": _both("Dati salvati", "Saved"),
    "reg_person_card": _both("Anagrafica", "Person"),
    "reg_household": _both("Nucleo familiare", "Household"),
    "reg_household_hint": _both(
        "Chi vive con la persona; le informazioni restano per persona.",
        "Who lives with the person; information stays per person.",
    ),
    "reg_member": _both("Componente", "Member"),
    "reg_relation": _both("Relazione", "Relation"),
    "reg_set_household": _both("Aggiorna il nucleo", "Update the household"),
    "reg_network": _both("Rete della persona", "Network"),
    "reg_add_to_network": _both("Aggiungi alla rete", "Add to the network"),
    "reg_role_in_network": _both("Ruolo", "Role"),
    "reg_phone": _both("Telefono", "Phone"),
    "reg_note": _both("Nota", "Note"),
    "reg_remove": _both("Rimuovi", "Remove"),
    "reg_contact_consent": _both("Consenso a essere contattati", "Consent to be contacted"),
    "reg_contact_consent_given": _both("La persona acconsente a essere contattata via SMS", "Agrees to SMS contact"),
    "reg_contact_yes": _both("Sì, dal", "Yes, since"),
    "reg_contact_no": _both("No (o non registrato)", "No (or not recorded)"),
    "reg_signed_by": _both("Chi firma (la persona o il tutore)", "Who signs (the person or the guardian)"),
    "reg_record_consent": _both("Registra il consenso", "Record the consent"),
    "reg_given": _both("Consenso dato", "Given"),
    "reg_refused": _both("Consenso negato o revocato", "Refused or withdrawn"),
    "reg_cases_of_person": _both("Casi", "Cases"),
    "reg_no_cases": _both("Nessun caso", "No case"),
    "reg_new_intake": _both("Nuova scheda di accoglienza", "New intake"),
    "reg_accesses": _both("Chi ha consultato i dati", "Who accessed the file"),
    "reg_condomini": _both("Condomini solidali", "Condomini solidali"),
    "reg_new_condominio": _both("Nuovo condominio solidale", "New condominio"),
    "reg_cond_name": _both("Nome", "Name"),
    "reg_cond_operator": _both("Operatore che lo segue", "Operator who follows it"),
    "reg_sentinels": _both("Sentinelle e antenne", "Sentinels and antennas"),
    "reg_new_sentinel": _both("Nuova sentinella o antenna", "New sentinel or antenna"),
    "reg_sentinel_kind": _both("Tipo", "Kind"),
    "reg_sentinel_consent": _both(
        "Ha dato il consenso a essere contattata via SMS", "Has agreed to be contacted by SMS"
    ),
    "reg_opted_out": _both("ha chiesto STOP", "opted out (STOP)"),
    "reg_consent_yes": _both("consenso dato", "consent given"),
    "reg_consent_no": _both("senza consenso: non riceve SMS", "no consent: receives no SMS"),
    "reg_assisted": _both("Persone seguite", "People followed"),
    "reg_alias": _both("Sigla usata dalle sentinelle (es. B3)", "Alias the sentinels use (e.g. B3)"),
    "reg_add_assisted": _both("Aggiungi una persona seguita", "Add a person followed"),
    "reg_organisations": _both("Organizzazioni", "Organisations"),
    "reg_new_org": _both("Nuova organizzazione", "New organisation"),
    "reg_org_kind": _both("Tipo di organizzazione", "Kind of organisation"),
    "reg_org_phone": _both("Telefono", "Phone"),
    "reg_edit": _both("Modifica", "Edit"),
    "reg_operators": _both("Operatori", "Operators"),
    "reg_new_operator": _both("Nuovo operatore", "New operator"),
    "reg_full_name": _both("Nome e cognome", "Full name"),
    "reg_username": _both("Nome utente", "Username"),
    "reg_role": _both("Ruolo", "Role"),
    "reg_email": _both("Email", "Email"),
    "reg_password": _both("Password (almeno 10 caratteri)", "Password (10 characters or more)"),
    "reg_new_password": _both(
        "Nuova password (lasciare vuoto per non cambiarla)", "New password (leave empty to keep it)"
    ),
    "reg_active": _both("Account attivo", "Active account"),
    "reg_inactive": _both("disattivato", "deactivated"),
    "reg_prefers_sms": _both("Preferisce gli SMS", "Prefers SMS"),
    "reg_catalogue": _both("Catalogo dei servizi (prestazioni SIUSS)", "Service catalogue (SIUSS)"),
    "reg_catalogue_hint": _both(
        "Compartecipazione ISEE: nessun costo fino alla soglia minima, tariffa piena oltre la massima, "
        "in mezzo una quota proporzionale fino alla tariffa agevolata massima.",
        "ISEE cost share: free up to the lower threshold, the full tariff above the upper one, in between a "
        "proportional share up to the highest subsidised tariff.",
    ),
    "reg_siuss_code": _both("Codice SIUSS", "SIUSS code"),
    "reg_service": _both("Prestazione", "Service"),
    "reg_isee_min": _both("Esenzione fino a ISEE (€)", "Exempt up to ISEE (€)"),
    "reg_isee_max": _both("Tariffa piena oltre ISEE (€)", "Full tariff above ISEE (€)"),
    "reg_subsidised_max": _both("Tariffa agevolata massima (€/ora)", "Highest subsidised tariff (€/h)"),
    "reg_full_tariff": _both("Tariffa piena (€/ora)", "Full tariff (€/h)"),
    "reg_default_tariff": _both("Tariffa oraria proposta (€/ora)", "Default hourly tariff (€/h)"),
    "reg_free": _both("gratuita per la persona", "free for the person"),
    "reg_only_admin": _both("Questa pagina è riservata agli amministratori.", "This page is for administrators only."),
}

register(WORDS)
