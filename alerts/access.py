"""Who may see and handle which alert: the need-to-know policy applied to alerts.

An alert about a person is visible to exactly the operators who may read that person
(``visibility_clause``). A building-level or person-less alert names no one: it goes to the
operator who follows the condominio (while it is not deleted) and to the district: the coordinators
of the Centrale and the PUA operators, each within their organisation's municipio (an organisation
without one covers every municipio). A person-less alert without a condominio goes to the district;
a system one (coverage gaps, late steps) also to the administrators, who must fix them.
This is the one rule: the API and the live board both use it.
"""

from __future__ import annotations

from sqlalchemy import and_, false, or_, select, true
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from alerts.models import Alert, AlertSource
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
    return actor.role in HANDLERS


def handling_clause(actor: Actor) -> ColumnElement[bool]:
    """The alerts this operator may act on: the visible ones, for the roles that handle alerts."""
    return alert_visibility(actor) if may_handle(actor) else false()
