"""What a board client sees on connecting: open alerts and the other panels, as this operator may see them.

The snapshot carries the first page of open alerts (``board_snapshot_limit``, the most urgent first:
severity, then not yet acknowledged, then the most recent) and how many are open in all and per
severity; the board loads further pages of cards from ``GET /board/alerts`` (``web/board/more.py``:
one severity and state at a time, the same order, the same visibility rule, audited alike). Cards are
built from the columns they need, with Core statements: no ORM entity is loaded.

Each side panel (``panels.py``) is one loader in ``PANELS``; a new domain adds itself there.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import aliased
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.access import alert_visibility
from alerts.models import OPEN_STATES, Alert, AlertState, Severity
from centrale.audit.service import record_covering
from centrale.auth.actor import Actor
from centrale.authz.policy import CaseAction, case_clause, case_relations
from centrale.cases.models import Case
from centrale.condomini.models import Condominio
from centrale.events.service import commit, last_seq
from centrale.operators.models import Operator
from centrale.persons.models import Person
from web.board import panels
from web.board.shown import Shown, audit_row
from web.board.story import building_reports_of, reports_of, stories_of
from web.words import board as board_words  # noqa: F401 - registers the words of the cards and panels

Panel = Callable[[AsyncSession, Actor, Shown], Awaitable[Any]]

DEFAULT_LIMIT = 200

_acker = aliased(Operator, name="acker")
_holder = aliased(Operator, name="holder")

#: a card's columns, in the order ``_card`` reads them
_CARD_COLUMNS: tuple[Any, ...] = (
    col(Alert.id),
    col(Alert.severity),
    col(Alert.state),
    col(Alert.source),
    col(Alert.summary),
    col(Alert.person_id),
    col(Person.cognome),
    col(Person.nome),
    col(Person.municipio),
    col(Alert.condominio_id),
    col(Condominio.name),
    col(Condominio.municipio),
    col(Alert.building_level),
    col(Alert.report_count),
    col(Alert.opened_at),
    col(Alert.last_report_at),
    col(Alert.acknowledged_at),
    _acker.full_name,
    col(Alert.assigned_to),
    _holder.full_name,
    col(Alert.resolved_at),
    col(Person.indirizzo),
    col(Person.telefoni),
    col(Condominio.indirizzo),
    col(Alert.escalation_round),
    col(Alert.next_step_index),
    col(Alert.next_step_at),
    col(Alert.policy_snapshot),
    func.coalesce(
        col(Alert.case_id),
        select(func.max(col(Case.id))).where(col(Case.person_id) == col(Alert.person_id)).scalar_subquery(),
    ),
)

#: the most urgent first: severity, then not yet acknowledged, then the most recent (the further pages'
#: order within one severity and state too, so that they continue this one)
URGENCY = (
    case({s: s.rank for s in Severity}, value=col(Alert.severity)).desc(),
    case((col(Alert.state) == AlertState.NUOVA, 0), else_=1),
    col(Alert.opened_at).desc(),
    col(Alert.id).desc(),
)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _card_query() -> Select[*tuple[Any, ...]]:
    return (
        select(*_CARD_COLUMNS)
        .select_from(Alert)
        .outerjoin(Person, col(Person.id) == col(Alert.person_id))
        .outerjoin(Condominio, col(Condominio.id) == col(Alert.condominio_id))
        .outerjoin(_acker, col(Alert.acknowledged_by) == _acker.id)
        .outerjoin(_holder, col(Alert.assigned_to) == _holder.id)
    )


def _card(row: Sequence[Any]) -> dict[str, Any]:
    (
        alert_id,
        severity,
        state,
        source,
        summary,
        person_id,
        cognome,
        nome,
        person_municipio,
        condominio_id,
        condominio,
        condominio_municipio,
        building_level,
        report_count,
        opened_at,
        last_report_at,
        acknowledged_at,
        acker,
        assigned_to,
        holder,
        resolved_at,
        address,
        phones,
        building_address,
        *_escalation,
        case_id,
    ) = row
    seen = state == AlertState.PRESA_VISIONE  # a re-triggered alert is new again: nobody has seen this round
    return {
        "id": alert_id,
        "severity": severity,
        "state": state,
        "source": source,
        "summary": summary,
        "person_id": person_id,
        # minimal: surname and initial, enough to recognise the person on a shared screen
        "person": f"{cognome} {nome[:1]}." if person_id is not None and cognome is not None else None,
        "condominio_id": condominio_id,
        "condominio": condominio,
        "municipio": condominio_municipio or person_municipio,
        "building_level": building_level,
        "report_count": report_count,
        "opened_at": _iso(opened_at),
        "last_report_at": _iso(last_report_at),
        "acknowledged_at": _iso(acknowledged_at) if seen else None,
        "acknowledged_by": acker if seen else None,
        "assigned_to": assigned_to,
        "assigned_to_name": holder,
        "resolved_at": _iso(resolved_at),
        # what the operator needs to act: whom to call, where to go, the file to open
        "person_name": f"{nome} {cognome}" if person_id is not None and cognome is not None else None,
        "address": address or building_address,
        "phones": list(phones or []) if person_id is not None else [],
        "case_id": case_id,
        "reports": [],
        "story": None,
    }


async def _cards(session: AsyncSession, rows: Sequence[Any]) -> list[dict[str, Any]]:
    """The cards of these rows, with their reports' words and their escalation story (two more
    statements for the whole lot, whatever their number)."""
    cards = {row[0]: _card(row) for row in rows}
    # a building's alert gathers the reports of its building (each also on its person's alert)
    buildings = {row[0]: (row[9], row[14]) for row in rows if row[12] and row[9] is not None}
    found = await reports_of(session, [i for i in cards if i not in buildings])
    found |= await building_reports_of(session, buildings)
    for alert_id, (reports, total) in found.items():
        cards[alert_id]["reports"] = reports
        cards[alert_id]["report_total"] = total
    escalation = {row[0]: (row[-5], row[-4], row[-3], row[-2] or {}) for row in rows}
    await stories_of(session, escalation, cards)
    return list(cards.values())


async def alert_cards(session: AsyncSession, alert_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Board cards of these alerts as they are now (three queries for a batch of events)."""
    ids = sorted(set(alert_ids))
    if not ids:
        return {}
    connection = await session.connection()
    rows = (await connection.execute(_card_query().where(col(Alert.id).in_(ids)))).all()
    return {card["id"]: card for card in await _cards(session, rows)}


async def open_alerts(
    session: AsyncSession,
    actor: Actor,
    *,
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
    severity: Severity | None = None,
    state: AlertState | None = None,
) -> list[dict[str, Any]]:
    """Open alerts this operator sees, the most urgent first: the first ``limit``, or a further page of
    one severity and state ("Mostra altre")."""
    where = [col(Alert.state).in_(OPEN_STATES), alert_visibility(actor)]
    if severity is not None:
        where.append(col(Alert.severity) == severity)
    if state is not None:
        where.append(col(Alert.state) == state)
    # the page is chosen on the alert rows alone, then only its cards are joined: sorting thousands
    # of joined cards to keep a page of them costs several times more
    page = select(col(Alert.id)).where(*where).order_by(*URGENCY).offset(offset).limit(limit)
    query = _card_query().where(col(Alert.id).in_(page.scalar_subquery())).order_by(*URGENCY)
    rows = (await (await session.connection()).execute(query)).all()
    cards = await _cards(session, rows)
    await _files(session, actor, cards)
    return cards


async def _files(session: AsyncSession, actor: Actor, cards: list[dict[str, Any]]) -> None:
    """Mark on each card whether this operator may open the person's case file (``file``: its id or None);
    cards sent with live events carry only ``case_id``, and the page falls back on ``files``."""
    persons = {card["person_id"] for card in cards if card["case_id"] is not None and card["person_id"] is not None}
    readable: set[int] = set()
    if persons and case_relations(actor, CaseAction.READ):
        query = select(col(Person.id)).where(col(Person.id).in_(persons), case_clause(actor, CaseAction.READ))
        readable = {int(i or 0) for i in (await (await session.connection()).execute(query)).scalars()}
    for card in cards:
        card["file"] = card["case_id"] if card["person_id"] in readable else None


async def open_counts(session: AsyncSession, actor: Actor) -> dict[str, int]:
    """How many open alerts this operator sees, per severity (every severity named, the most urgent first)."""
    query = (
        select(col(Alert.severity), func.count())
        .where(col(Alert.state).in_(OPEN_STATES), alert_visibility(actor))
        .group_by(col(Alert.severity))
    )
    connection = await session.connection()
    found = {Severity(severity): int(n) for severity, n in (await connection.execute(query)).all()}
    return {s.value: found.get(s, 0) for s in sorted(Severity, key=lambda s: s.rank, reverse=True)}


#: panel name -> loader
PANELS: dict[str, Panel] = {
    "overdue_tasks": panels.overdue_tasks,
    "done_today": panels.done_today,
    "checkins": panels.checkins,
    "heat": panels.heat,
    "opted_out": panels.opted_out_sentinels,
    "personal": panels.personal_notifications,
    "quarantine": panels.quarantine,
}


async def take_snapshot(session: AsyncSession, actor: Actor, *, limit: int = DEFAULT_LIMIT) -> dict[str, Any]:
    """The snapshot message; ``seq`` is read first, so replaying events after it converges on the truth.

    One audit row records the whole snapshot: how many alerts (of how many open) and tasks it showed,
    listing every person they are about.
    """
    seq = await last_seq(session)
    counts = await open_counts(session, actor)
    total = sum(counts.values())
    alerts = await open_alerts(session, actor, limit=limit)
    shown = Shown()
    shown.add("alerts", (card["person_id"] for card in alerts), of=total)
    message: dict[str, Any] = {
        "type": "snapshot",
        "seq": seq,
        "total": total,
        "counts": counts,
        "limit": limit,
        "alerts": alerts,
        # whether this operator's role opens case files at all (each file checks its own access)
        "files": bool(case_relations(actor, CaseAction.READ)),
    }
    for name, panel in PANELS.items():
        message[name] = await panel(session, actor, shown)
    row = audit_row(actor, shown, subtype="board-snapshot", reference=str(seq))
    if row is not None:
        await record_covering(session, [(row, shown.persons)])
    await commit(session)
    return message
