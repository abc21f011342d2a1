"""Who may see and handle which alert: the need-to-know policy applied to alerts.

An alert about a person is visible to exactly the operators who may read that person
(``visibility_clause``). A building-level or person-less alert names no one: it goes to the
coordinators, the PUA operators and the operator who follows the condominio; a system alert
(coverage gaps, late steps) without a condominio also to the administrators, who must fix them.
"""

from __future__ import annotations

from sqlalchemy import and_, false, or_, select, true
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from alerts.models import Alert, AlertSource
from centrale.auth.deps import Actor
from centrale.authz.policy import visibility_clause
from centrale.condomini.models import Condominio
from centrale.operators.models import Role
from centrale.persons.models import Person

#: roles that act on alerts (acknowledge, assign, comment, resolve, cancel); others may at most read
HANDLERS = frozenset(
    {Role.COORDINATORE, Role.CASE_MANAGER, Role.OPERATORE_PUA, Role.TUTOR, Role.MMG, Role.AMMINISTRATORE}
)
#: roles that see every alert naming no person
DISTRICT_ROLES = frozenset({Role.COORDINATORE, Role.OPERATORE_PUA})


def _personless(actor: Actor) -> ColumnElement[bool]:
    if actor.role in DISTRICT_ROLES:
        return true()
    followed = select(col(Condominio.id)).where(
        col(Condominio.operator_id) == actor.operator_id, col(Condominio.deleted_at).is_(None)
    )
    mine = col(Alert.condominio_id).in_(followed)
    if actor.role == Role.AMMINISTRATORE:
        return or_(mine, and_(col(Alert.source) == AlertSource.SISTEMA, col(Alert.condominio_id).is_(None)))
    return mine


def alert_visibility(actor: Actor) -> ColumnElement[bool]:
    """A condition on ``alert`` true exactly for the alerts this operator may see."""
    persons = select(col(Person.id)).where(visibility_clause(actor))
    person_linked = and_(col(Alert.person_id).is_not(None), col(Alert.person_id).in_(persons))
    return or_(person_linked, and_(col(Alert.person_id).is_(None), _personless(actor)))


def may_handle(actor: Actor) -> bool:
    return actor.role in HANDLERS


def handling_clause(actor: Actor) -> ColumnElement[bool]:
    """The alerts this operator may act on: the visible ones, for the roles that handle alerts."""
    return alert_visibility(actor) if may_handle(actor) else false()
