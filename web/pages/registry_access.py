"""Who accessed my file: for a person, who read or changed what, when, from which organisation, granted or
refused, in plain Italian and printable. Opening this page is itself written in the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import select

from centrale.audit.models import AuditEvent, AuditOutcome
from centrale.audit.service import accesses_to_person
from centrale.authz.guard import check_person
from centrale.authz.policy import PersonAction
from centrale.clock import to_rome, utcnow
from centrale.errors import DomainError
from centrale.operators.models import Role
from centrale.organisations.models import Organisation
from web import container
from web.api.deps import SessionDep
from web.i18n import label
from web.pages.base import render
from web.pages.cases import _actor
from web.pages.registry_forms import refusal
from web.words import access as access_words

router = APIRouter(include_in_schema=False)
PAGE = 200


@dataclass(frozen=True)
class Access:
    """One line of the answer to the person."""

    when: str
    who: str
    role: str
    organisation: str
    did: str
    granted: bool
    sentence: str


def _line(row: AuditEvent, org_names: dict[int | None, str]) -> Access:
    role = _role(row.agent_role)
    who = row.agent_name or "Sistema"
    organisation = org_names.get(row.agent_org_id, "")
    did = access_words.what(row.subtype, row.action, row.entity_type)
    granted = row.outcome == AuditOutcome.SUCCESS
    where = f" ({role}, {organisation})" if organisation else f" ({role})" if role else ""
    sentence = (
        f"{who}{where} ha {did}." if granted else f"{who}{where} ha tentato di {_infinitive(did)}: accesso negato."
    )
    return Access(
        when=_when(row.recorded),
        who=who,
        role=role,
        organisation=organisation,
        did=did,
        granted=granted,
        sentence=sentence,
    )


#: past participles of the phrases in ``web.words.access`` that are not regular
IRREGULAR = {
    "scritto": "scrivere",
    "preso": "prendere",
    "aperto": "aprire",
    "visto": "vedere",
    "tolto": "togliere",
    "aggiunto": "aggiungere",
    "risposto": "rispondere",
    "chiuso": "chiudere",
}


def _infinitive(did: str) -> str:
    """ "consultato il diario" -> "consultare il diario"."""
    verb, _, rest = did.partition(" ")
    if verb in IRREGULAR:
        verb = IRREGULAR[verb]
    else:
        for ending, infinitive in (("ato", "are"), ("uto", "ere"), ("ito", "ire")):
            if verb.endswith(ending):
                verb = verb[: -len(ending)] + infinitive
                break
    return f"{verb} {rest}".strip()


def _role(code: str | None) -> str:
    return label(code) if code in {r.value for r in Role} else "sistema"


def _when(moment: datetime) -> str:
    return to_rome(moment).strftime("%d/%m/%Y alle %H:%M")


@router.get("/persone/{person_id}/accessi", response_class=HTMLResponse)
async def accesses_page(request: Request, session: SessionDep, person_id: int, pagina: int = 1) -> Response:
    actor = await _actor(request)
    try:  # the guard writes this reading in the audit log (and a refusal, if it is one)
        access = await check_person(
            session, container.database(request), actor, person_id, PersonAction.READ_ACCESS_LOG, "person.accesses_page"
        )
    except DomainError as exc:
        return refusal(request, actor, exc, "/persone")
    page = max(pagina, 1)
    rows, total = await accesses_to_person(session, person_id=person_id, offset=(page - 1) * PAGE, limit=PAGE)
    org_names: dict[int | None, str] = {o.id: o.name for o in (await session.exec(select(Organisation))).all()}
    lines = [_line(row, org_names) for row in rows]
    return render(
        request,
        "registry/accesses.html",
        actor=actor,
        p=access.person,
        lines=lines,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE)),
        refused=sum(1 for line in lines if not line.granted),
        printed=_when(utcnow()),
    )
