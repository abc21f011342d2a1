"""What each audited action on a person's data means, in words a person understands (who accessed my file)."""

from __future__ import annotations

from centrale.audit.models import AuditAction

#: audit subtype -> what was done, said of the operator ("ha ...")
ACTIONS: dict[str, str] = {
    "person.read": "consultato i dati anagrafici",
    "person.page": "consultato la scheda anagrafica",
    "person.list": "visto il nome in un elenco di persone",
    "person.create": "registrato la persona",
    "person.update": "modificato i dati anagrafici",
    "person.delete": "archiviato la scheda anagrafica",
    "person.accesses": "consultato l'elenco degli accessi",
    "person.accesses_page": "consultato l'elenco degli accessi",
    "household.update": "modificato il nucleo familiare",
    "network.add": "aggiunto una persona alla rete",
    "network.remove": "tolto una persona dalla rete",
    "consent.record": "registrato un consenso",
    "consent.read": "consultato i consensi",
    "consent.page": "consultato i consensi",
    "case.list": "visto il caso in un elenco",
    "case.read": "consultato il caso",
    "case.fascicolo": "aperto il fascicolo del caso",
    "case.intake": "registrato una scheda di accoglienza",
    "case.transition": "cambiato lo stato del caso",
    "case.team_page": "consultato l'équipe del caso",
    "case.team_add": "aggiunto un membro all'équipe",
    "case.team_remove": "tolto un membro dall'équipe",
    "case.team_remove_form": "preparato la rimozione di un membro dell'équipe",
    "case.diary_page": "consultato il diario del caso",
    "case.diary_add": "scritto nel diario del caso",
    "case.history_page": "consultato la storia del caso",
    "case.fhir": "scaricato i dati sanitari (FHIR)",
    "case.siuss.read": "consultato i dati per l'INPS (SIUSS)",
    "case.siuss.data": "modificato i dati per l'INPS (SIUSS)",
    "case.siuss.flow": "inviato i dati all'INPS (SIUSS)",
    "assessment.read": "consultato le valutazioni",
    "assessment.form": "aperto un modulo di valutazione",
    "assessment.profile": "consultato il profilo dei bisogni",
    "assessment.record": "registrato una valutazione",
    "plan.read": "consultato il progetto personalizzato",
    "plan.list": "consultato le versioni del progetto",
    "plan.editor": "aperto il progetto per modificarlo",
    "plan.contract": "consultato il contratto del progetto",
    "plan.create": "scritto una nuova versione del progetto",
    "plan.update": "modificato il progetto",
    "plan.approve": "approvato il progetto",
    "plan.sign": "registrato la firma del progetto",
    "plan.goal": "aggiornato un obiettivo del progetto",
    "referral.request": "inviato il caso a un altro servizio",
    "referral.read": "consultato un invio",
    "referral.page": "consultato un invio",
    "referral.step": "risposto a un invio",
    "referral.consent_override": "inviato il caso senza consenso, indicando il motivo",
    "alert.read": "consultato un'allerta",
    "alert.list": "visto un'allerta in un elenco",
    "alert.timeline": "consultato la cronologia di un'allerta",
    "alert.acknowledge": "preso visione di un'allerta",
    "alert.assign": "preso in carico un'allerta",
    "alert.comment": "commentato un'allerta",
    "alert.resolve": "chiuso un'allerta",
    "alert.cancel": "annullato un'allerta",
    "notification.board": "visto un'allerta sul quadro operativo",
    "notification.personal": "ricevuto una notifica",
    "task.list": "visto un'attività in un elenco",
    "task.page": "visto un'attività tra le proprie",
    "task.person": "consultato le attività",
    "task.create": "creato un'attività",
    "task.close": "registrato una visita o un'attività svolta",
    "task.reassign": "riassegnato un'attività",
    "condominio.assisted.add": "inserito la persona tra quelle seguite da un condominio solidale",
    "sms.quarantine_assign": "collegato un SMS alla persona",
}

#: FHIR AuditEvent action -> the verb when the subtype is not known
VERBS = {
    AuditAction.CREATE: "creato",
    AuditAction.READ: "consultato",
    AuditAction.UPDATE: "modificato",
    AuditAction.DELETE: "cancellato",
    AuditAction.EXECUTE: "eseguito un'operazione su",
}
ENTITIES = {
    "Person": "i dati della persona",
    "Case": "il caso",
    "Plan": "il progetto",
    "Assessment": "una valutazione",
    "DiaryEntry": "il diario",
    "Consent": "un consenso",
    "Alert": "un'allerta",
    "Task": "un'attività",
    "Referral": "un invio",
    "CareTeamMember": "l'équipe",
    "Intake": "una scheda di accoglienza",
    "Household": "il nucleo familiare",
    "NetworkLink": "la rete",
}


def what(subtype: str, action: AuditAction, entity_type: str) -> str:
    """What the operator did (or tried to do), without the auxiliary: "consultato il diario del caso"."""
    return ACTIONS.get(subtype) or f"{VERBS.get(action, 'usato')} {ENTITIES.get(entity_type, 'dati della persona')}"
