"""Who may see and handle which alert: the need-to-know policy applied to alerts.

An alert about a person is visible to exactly the operators who may read that person
(``visibility_clause``). A building-level or person-less alert names no one: it goes to the
operator who follows the condominio (while it is not deleted) and to the district: the coordinators
of the Centrale and the PUA operators, each within their organisation's municipio (an organisation
without one covers every municipio). A person-less alert without a condominio goes to the district;
a system one (coverage gaps, late steps) also to the administrators, who must fix them.
This is the one rule: the API, the live board and the alert flows (``alerts/flows.py``) all use it.

Acknowledging stops the whole escalation, so it follows the escalation: an operator it notified of
an alert (it chose them for it) may acknowledge that alert, and the district roles (``ACK_ANY``) any
alert they see; no one else, from the board as by an SMS "OK <n>".
"""

from __future__ import annotations

from sqlalchemy import and_, or_, true
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.models import Alert, AlertSource, Notification
from centrale.auth.actor import Actor
from centrale.authz.policy import visibility_clause
from centrale.condomini.models import Condominio
from centrale.operators.models import Role
from centrale.organisations.models import OrgKind
from centrale.persons.models import Person

#: roles that act on alerts (acknowledge, assign, comment, resolve, cancel); others may at most read
HANDLERS = frozenset(
    {Role.COORDINATORE, Role.CASE_MANAGER, Role.OPERATORE_PUA, Role.TUTOR, Role.MMG, Role.AMMINISTRATORE}
)
#: roles that see the person-less alerts of their municipio (coordinators: of the Centrale only)
DISTRICT_ROLES = frozenset({Role.COORDINATORE, Role.OPERATORE_PUA})
#: roles that may acknowledge any alert they see; the others only the alerts they were notified of
ACK_ANY = frozenset({Role.COORDINATORE, Role.OPERATORE_PUA})


def is_district(actor: Actor) -> bool:
    """Whether the operator reads person-less alerts for the district (within their municipio)."""
    if actor.role == Role.COORDINATORE:  # a coordinator of another organisation is not the Centrale
        return actor.org_kind == OrgKind.CENTRALE
    return actor.role in DISTRICT_ROLES


def _personless(actor: Actor) -> ColumnElement[bool]:
    live = col(Condominio.deleted_at).is_(None)
    followed = col(Alert.condominio_id).in_(
        select(col(Condominio.id)).where(col(Condominio.operator_id) == actor.operator_id, live)
    )
    no_building = col(Alert.condominio_id).is_(None)
    if is_district(actor):
        if actor.municipio is None:
            return true()
        # deleted buildings included: an alert still open on one must not become nobody's
        in_district = select(col(Condominio.id)).where(col(Condominio.municipio) == actor.municipio)
        return or_(followed, col(Alert.condominio_id).in_(in_district), no_building)
    if actor.role == Role.AMMINISTRATORE:
        return or_(followed, and_(col(Alert.source) == AlertSource.SISTEMA, no_building))
    return followed


def alert_visibility(actor: Actor) -> ColumnElement[bool]:
    """A condition on ``alert`` true exactly for the alerts this operator may see."""
    persons = select(col(Person.id)).where(visibility_clause(actor))
    person_linked = and_(col(Alert.person_id).is_not(None), col(Alert.person_id).in_(persons))
    return or_(person_linked, and_(col(Alert.person_id).is_(None), _personless(actor)))


def may_handle(actor: Actor) -> bool:
    """Whether the operator's role acts on alerts at all (the others may at most read them)."""
    return actor.role in HANDLERS


async def sees(session: AsyncSession, actor: Actor, alert_id: int) -> bool:
    """Whether this operator may see the alert (``alert_visibility`` for one alert)."""
    query = select(col(Alert.id)).where(col(Alert.id) == alert_id, alert_visibility(actor))
    return (await session.exec(query)).first() is not None


async def was_notified(session: AsyncSession, actor: Actor, alert_id: int) -> bool:
    """Whether the escalation sent this operator a notification of the alert (in any round)."""
    query = select(col(Notification.id)).where(
        col(Notification.alert_id) == alert_id, col(Notification.recipient_operator_id) == actor.operator_id
    )
    return (await session.exec(query.limit(1))).first() is not None


async def may_acknowledge(session: AsyncSession, actor: Actor, alert_id: int) -> bool:
    """Whoever the escalation notified of the alert; the district roles also any alert they see."""
    if await was_notified(session, actor, alert_id):
        return True
    return actor.role in ACK_ANY and await sees(session, actor, alert_id)
