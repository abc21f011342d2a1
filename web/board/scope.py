"""Who may see which board event: the need-to-know policy applied to the outbox.

- An event on a personal channel (``recipient_operator_id``) goes to that operator only.
- An event about an alert goes to the operators who see that alert (``alerts.access``: the one rule
  for alerts, shared with the alerts API).
- An event about a person goes to the operators the policy lets read that person.
- An event about the SMS quarantine goes to the operators who review it (and to the district).
- Any other event about no person (a building, the system about itself) goes to the district
  (operators whose role reads through the DISTRICT relation, within their municipio) and to the
  operator who follows the condominio it names.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import or_, true
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.access import alert_visibility
from alerts.models import Alert
from alerts.sms.review import REVIEWERS
from centrale.auth.actor import Actor
from centrale.authz.policy import PersonAction, allowed_relations, visibility_clause
from centrale.authz.relations import Relation
from centrale.condomini.models import Condominio
from centrale.events.models import Event
from centrale.organisations.models import OrgKind
from centrale.persons.models import Person

#: events about the SMS quarantine (no person, no building): for the operators who review it
QUARANTINE_EVENTS = frozenset({"sms.quarantined", "sms.reviewed"})


def sees_district(actor: Actor) -> bool:
    """Whether the actor reads as the district's operations centre (building and system events)."""
    return actor.org_kind == OrgKind.CENTRALE and Relation.DISTRICT in allowed_relations(actor, PersonAction.READ)


def visible_persons_query(actor: Actor, person_ids: Iterable[int]):  # type: ignore[no-untyped-def]
    """The subset of ``person_ids`` the actor may read (one query for a whole batch)."""
    return select(col(Person.id)).where(col(Person.id).in_(list(person_ids)), visibility_clause(actor))


def condominio_clause(actor: Actor) -> ColumnElement[bool]:
    """A condition on ``Condominio`` true for the buildings whose person-less events the actor sees."""
    follows = col(Condominio.operator_id) == actor.operator_id
    if not sees_district(actor):
        return follows
    if actor.municipio is None:
        return true()
    return or_(follows, col(Condominio.municipio) == actor.municipio)


@dataclass
class BatchFacts:
    """What a batch of events needs for scoping, loaded once per batch and shared by every client."""

    condomini: dict[int, tuple[str | None, int | None]] = field(default_factory=dict)  # id -> (municipio, operator)


async def load_facts(session: AsyncSession, events: list[Event]) -> BatchFacts:
    ids = {int(e.payload["condominio_id"]) for e in events if e.payload.get("condominio_id") is not None}
    facts = BatchFacts()
    if ids:
        rows = await session.exec(  # type: ignore[call-overload]
            select(col(Condominio.id), col(Condominio.municipio), col(Condominio.operator_id)).where(
                col(Condominio.id).in_(ids)
            )
        )
        facts.condomini = {int(row[0] or 0): (row[1], row[2]) for row in rows.all()}
    return facts


async def readable_persons(session: AsyncSession, actor: Actor, events: list[Event]) -> set[int]:
    ids = {e.person_id for e in events if e.person_id is not None}
    if not ids:
        return set()
    return set((await session.exec(visible_persons_query(actor, ids))).all())  # type: ignore[call-overload]


def alert_id_of(event: Event) -> int | None:
    value = event.payload.get("alert_id")
    return int(value) if value is not None else None


async def visible_alerts(session: AsyncSession, actor: Actor, events: list[Event]) -> set[int]:
    """The batch's alerts this operator sees (one query per operator and batch)."""
    ids = {alert_id for e in events if (alert_id := alert_id_of(e)) is not None}
    if not ids:
        return set()
    query = select(col(Alert.id)).where(col(Alert.id).in_(ids), alert_visibility(actor))
    return {int(i) for i in (await session.exec(query)).all() if i is not None}


def may_see(actor: Actor, event: Event, persons: set[int], alerts: set[int], facts: BatchFacts) -> bool:
    """Whether ``event`` goes to ``actor`` (``persons``, ``alerts``: the batch's ones the actor sees)."""
    if event.recipient_operator_id is not None:
        return event.recipient_operator_id == actor.operator_id
    alert_id = alert_id_of(event)
    if alert_id is not None:
        return alert_id in alerts
    if event.person_id is not None:
        return event.person_id in persons
    if event.kind in QUARANTINE_EVENTS:  # the quarantine's counter and list, live for those who review it
        return actor.role in REVIEWERS or sees_district(actor)
    condominio_id = event.payload.get("condominio_id")
    if condominio_id is None:
        return sees_district(actor)
    municipio, follower = facts.condomini.get(int(condominio_id), (None, None))
    if follower is not None and follower == actor.operator_id:
        return True
    return sees_district(actor) and (actor.municipio is None or municipio == actor.municipio)
