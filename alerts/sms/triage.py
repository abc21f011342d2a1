"""Triage of an inbound SMS: who sent it, about whom, how urgent; then an alert opened or joined.

Sender (E.164) -> sentinel -> condominio -> assisted person: the one named by alias (written loosely:
"interno 7" names "INT. 7") or by surname; else, if the report names a flat no one followed lives in,
the building (never the thread: it is about someone else); else the only one followed there; else the
sentinel's thread within the join window; else the building (docs/ARCHITECTURE.md, "Which alert a
report joins"). Operators' phones may send "OK <n>" (presa visione of alert n) and "FATTO <code>" (a
task done). Unknown senders go to quarantine and get the same reply as everyone, so the answer reveals
nothing; their urgent words also raise an alert at once ("da numero non registrato").
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, bindparam
from sqlalchemy import select as core_select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.checkins.service import answer_checkin
from alerts.flows import acknowledge_alert
from alerts.models import AlertSource, Severity
from alerts.raising import GroupingRules, raise_alert
from alerts.sms.models import InboundSms, InboundState
from alerts.sms.templates import Template, render
from alerts.sms.words import Signal, fold, signal_of
from alerts.tasks.flows import close_task
from centrale.auth.actor import actor_of
from centrale.clock import utcnow
from centrale.condomini.models import AssistedPerson, Sentinel
from centrale.errors import Conflict, DomainError
from centrale.events.service import emit
from centrale.fastsql import Fixed
from centrale.operators.models import Operator, Role
from centrale.persons.models import Person
from centrale.tasks.models import ClosedVia
from centrale.uow import Tx

COMMAND = re.compile(r"^\s*(OK|FATTO)\s+#?([A-Za-z0-9-]{1,12})\s*[.!]?\s*$", re.IGNORECASE)
#: each command word of an operator's phone and the flow ``_command`` runs for it (centrale.flows)
COMMANDS: dict[str, str] = {"OK": "alert.acknowledge", "FATTO": "task.close"}
SEVERITY = {Signal.ALTA: Severity.ALTA, Signal.MEDIA: Severity.MEDIA, Signal.NESSUNA: Severity.MEDIA}
MAX_ALERT_ID = 2**31 - 1  # a longer number names no alert (and would not fit the query's integer)


@dataclass(frozen=True)
class Target:
    person_id: int | None
    condominio_id: int


@dataclass(frozen=True)
class Assisted:
    person_id: int
    alias: str


@dataclass(frozen=True)
class Reporter:
    """A sentinel and the persons followed in their condominio: what triage needs, read in one query."""

    id: int
    name: str
    condominio_id: int
    assisted: list[Assisted]


# built once: a statement object keeps its cache key, so the hot path does not recompute it
_S = Sentinel.__table__  # type: ignore[attr-defined]
_A = AssistedPerson.__table__  # type: ignore[attr-defined]
_REPORTER = Fixed(
    core_select(_S.c.id, _S.c.name, _S.c.condominio_id, _A.c.person_id, _A.c.alias)
    .select_from(_S.outerjoin(_A, and_(_A.c.condominio_id == _S.c.condominio_id, _A.c.active.is_(True))))
    .where(_S.c.phone == bindparam("phone"), _S.c.deleted_at.is_(None))
    .order_by(_A.c.id)
)
_I = InboundSms.__table__  # type: ignore[attr-defined]
# a follow-up that names no one continues the sentinel's thread within the join window
_THREAD = Fixed(
    core_select(_I.c.person_id)
    .where(
        _I.c.sentinel_id == bindparam("sentinel_id"),
        _I.c.alert_id.is_not(None),
        _I.c.received_at >= bindparam("since", type_=_I.c.received_at.type),
        _I.c.id != bindparam("message_id"),
    )
    .order_by(_I.c.id.desc())
    .limit(1)
)


async def reporter_by_phone(
    session: AsyncSession, phone: str, known: Sequence[tuple[Any, ...]] | None = None
) -> Reporter | None:
    """The sentinel with ``phone``; ``known``: the rows of ``_REPORTER`` already read with the message."""
    rows = known if known is not None else await _REPORTER.all(session, {"phone": phone})
    if not rows:
        return None
    sentinel_id, name, condominio_id = rows[0][:3]
    assisted = [Assisted(person_id, alias) for *_, person_id, alias in rows if person_id is not None]
    return Reporter(sentinel_id, name, condominio_id, assisted)


_O = Operator.__table__  # type: ignore[attr-defined]
_OPERATOR = Fixed(
    core_select(_O.c.id, _O.c.role).where(
        _O.c.phone == bindparam("phone"), _O.c.active.is_(True), _O.c.deleted_at.is_(None)
    )
)


@dataclass(frozen=True)
class Commander:
    """An active operator's phone, which may send "OK <n>" and "FATTO <code>"."""

    id: int
    role: Role


async def _operator_by_phone(session: AsyncSession, phone: str | None) -> Commander | None:
    if phone is None:
        return None
    row = await _OPERATOR.first(session, {"phone": phone})
    return None if row is None else Commander(row.id, Role(row.role))


_P = Person.__table__  # type: ignore[attr-defined]
# the surnames of the persons followed in a building, read only when a report names no alias
_SURNAMES = Fixed(
    core_select(_A.c.person_id, _P.c.cognome)
    .select_from(_A.join(_P, _P.c.id == _A.c.person_id))
    .where(_A.c.condominio_id == bindparam("condominio_id"), _A.c.active.is_(True))
    .order_by(_A.c.id)
)
_INTERNO = re.compile(r"\bINTERNO\b")
_PUNCT = re.compile(r"[^A-Z0-9 ]+")
_GLUE = re.compile(r"\b(INT|SCALA) ([A-Z]?\d{1,3}[A-Z]?|[A-Z])\b")
#: words that name a flat ("int 7", "scala B", "3B", "B3"), in the canonical form below
_FLAT = re.compile(r"\b(?:INT[A-Z]?\d{1,3}[A-Z]?|SCALA(?:[A-Z]|\d{1,2})|\d{1,3}[A-Z]|[A-Z]\d{1,3})\b")


@functools.lru_cache(maxsize=4096)
def canonical(text: str) -> str:
    """Folded, without punctuation, "interno"/"int." as "INT" glued to what follows: "int. 7" -> " INT7 "."""
    words = _PUNCT.sub(" ", _INTERNO.sub("INT", fold(text).replace(".", " ")))
    glued = _GLUE.sub(r"\1\2", " ".join(words.split()))
    return f" {glued} "


def _flats(text: str) -> set[str]:
    """The flats a canonical text names, "INT" left out: "int. 3B" and "3B" are the same flat."""
    return {flat.removeprefix("INT") for flat in _FLAT.findall(text)}


def _named(body: str, assisted: Sequence[Assisted]) -> Assisted | None:
    text = canonical(body)
    flats = _flats(text)
    for row in assisted:
        alias = canonical(row.alias)
        if alias in text or _flats(alias) & flats:
            return row
    return None


def names_a_flat(body: str) -> bool:
    """Whether the report names a flat ("interno 9", "scala B", "3C"): then it is about whoever lives there."""
    return bool(_flats(canonical(body)))


async def _by_surname(session: AsyncSession, condominio_id: int, body: str) -> int | None:
    text = canonical(body)
    for person_id, cognome in await _SURNAMES.all(session, {"condominio_id": condominio_id}):
        if canonical(cognome) in text:
            return int(person_id)
    return None


async def target_of(session: AsyncSession, sentinel: Reporter, message: InboundSms) -> Target:
    """Whom a sentinel's report is about (the module docstring's rule)."""
    assisted = sentinel.assisted
    named = _named(message.body, assisted)
    if named is not None:
        return Target(named.person_id, sentinel.condominio_id)
    if len(assisted) > 1 and (person_id := await _by_surname(session, sentinel.condominio_id, message.body)):
        return Target(person_id, sentinel.condominio_id)
    if names_a_flat(message.body):  # a flat no one followed lives in: not the thread's person, nor the only one
        return Target(None, sentinel.condominio_id)
    if len(assisted) == 1:
        return Target(assisted[0].person_id, sentinel.condominio_id)
    since = utcnow() - GroupingRules.from_settings().join_window
    previous = await _THREAD.first(session, {"sentinel_id": sentinel.id, "since": since, "message_id": message.id})
    if previous is not None:
        return Target(previous.person_id, sentinel.condominio_id)
    return Target(None, sentinel.condominio_id)


async def _command(session: AsyncSession, message: InboundSms, operator: Commander, verb: str, code: str) -> str:
    refused = render(Template.CODICE_NON_VALIDO, code=code[:8])
    message.state = InboundState.COMANDO
    if verb == "FATTO":
        closer = await actor_of(session, operator.id)
        if closer is None:
            return refused
        try:  # in this message's transaction: a refusal is recorded with the message it answers
            await close_task(Tx.within(session, actor=closer), code=code, via=ClosedVia.SMS)
        except DomainError:  # unknown code, someone else's task, already closed: the same polite refusal
            return refused
        return render(Template.CHIUSURA, code=code[:8])
    if not code.isdigit() or int(code) > MAX_ALERT_ID:
        return refused
    alert_id = int(code)
    acker = await actor_of(session, operator.id)
    if acker is None:
        return refused
    try:  # in this message's transaction: a refusal is recorded with the message it answers
        await acknowledge_alert(Tx.within(session, actor=acker), alert_id=alert_id)
    except Conflict:  # already acknowledged or closed: "OK" again gets the same answer, nothing changes
        pass
    except DomainError:  # no such alert, or not theirs: the same polite answer as any unknown code
        return refused
    message.alert_id = alert_id
    return render(Template.RISCONTRO, code=code)


async def triage(session: AsyncSession, message: InboundSms, sender: Sequence[tuple[Any, ...]] | None = None) -> str:
    """Classify the stored message, open or join an alert, and return the reply text.

    ``sender``: the sender's sentinel rows when the store read them already (``Stored.sender``)."""
    receipt = render(Template.RICEVUTA, code=message.receipt_code)
    command = COMMAND.match(message.body)
    # only an operator's phone gives commands: from anyone else "ok grazie" is a check-in answer
    operator = None if command is None else await _operator_by_phone(session, message.sender_phone)
    if command is not None and operator is not None:
        return await _command(session, message, operator, command.group(1).upper(), command.group(2).upper())
    signal = signal_of(message.body)
    if signal is Signal.CHECKIN and message.sender_phone is not None:
        if await answer_checkin(session, message.sender_phone):
            message.state = InboundState.SMISTATO
            message.severity = signal.value
            return render(Template.CHECKIN_GRAZIE)
    sentinel = None if message.sender_phone is None else await reporter_by_phone(session, message.sender_phone, sender)
    if sentinel is None:
        message.state = InboundState.QUARANTENA
        emit(session, kind="sms.quarantined", entity_type="InboundSms", entity_id=message.id)
        if signal is Signal.ALTA:  # nothing urgent waits in a queue: an alert now, the review later
            await unknown_sender_alert(session, message)
        return receipt
    if signal is Signal.CHECKIN:  # "tutto bene" with nothing pending: noted, no alert
        message.state = InboundState.SMISTATO
        message.severity = signal.value
        reply = render(Template.CHECKIN_GRAZIE)
    else:
        target = await target_of(session, sentinel, message)
        await report_alert(session, message, target=target, signal=signal, who=f"sentinella {sentinel.name}")
        reply = receipt
    # set last, so that the message is written once, at the commit, not by each query's autoflush
    message.sentinel_id = sentinel.id
    message.condominio_id = sentinel.condominio_id
    return reply


async def report_alert(session: AsyncSession, message: InboundSms, *, target: Target, signal: Signal, who: str) -> None:
    """Open or join the alert of a report; the SMS text stays on the message, not on the board."""
    severity = SEVERITY.get(signal, Severity.MEDIA)
    summary = f"Segnalazione SMS da {who}" + (" (condominio)" if target.person_id is None else "")
    raised = await raise_alert(
        session,
        source=AlertSource.SEGNALAZIONE_SENTINELLA,
        severity=severity,
        summary=summary[:500],
        person_id=target.person_id,
        condominio_id=target.condominio_id,
        dedupe_key=None if target.person_id is not None else f"sms:condominio:{target.condominio_id}",
        report={"sms_id": message.id, "ricevuta": message.receipt_code},
    )
    message.person_id = target.person_id
    message.condominio_id = target.condominio_id
    message.alert_id = raised.alert.id
    message.severity = severity.value
    message.state = InboundState.SMISTATO


UNKNOWN_SENDER = "Segnalazione urgente da numero non registrato"
UNKNOWN_KEY = "sms:sconosciuto:"


async def unknown_sender_alert(session: AsyncSession, message: InboundSms) -> None:
    """An urgent message from a number no one registered: an alert about no one (the district sees it),
    joined by the same number's further messages while open; the message stays in quarantine."""
    raised = await raise_alert(
        session,
        source=AlertSource.SEGNALAZIONE_SENTINELLA,
        severity=Severity.ALTA,
        summary=UNKNOWN_SENDER,
        dedupe_key=f"{UNKNOWN_KEY}{message.sender_phone or message.from_number}"[:120],
        report={"sms_id": message.id, "ricevuta": message.receipt_code},
    )
    message.alert_id = raised.alert.id
    message.severity = Severity.ALTA.value
