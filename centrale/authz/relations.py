"""Relations between an operator and a person, each as a SQL condition on ``person.id``."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import and_, false, or_, select, true
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from centrale.cases.models import CareTeamMember, Case
from centrale.condomini.models import AssistedPerson, Condominio
from centrale.organisations.models import OrgKind
from centrale.persons.models import Person

if TYPE_CHECKING:
    from centrale.auth.actor import Actor


class Relation(StrEnum):
    CARE_TEAM = "CARE_TEAM"  # the operator (or, for an organisation-wide membership, their organisation)
    # is an active member of the care team of one of the person's cases
    CONDOMINIO_OPERATOR = "CONDOMINIO_OPERATOR"  # follows the condominio where the person is assisted
    DISTRICT = "DISTRICT"  # the Centrale of the person's municipio
    MMG = "MMG"  # the person's GP practice
    REGISTERING_ORG = "REGISTERING_ORG"  # the organisation that registered the person (intake)


def _care_team(actor: Actor) -> ColumnElement[bool]:
    # A member row naming an operator opens the case to that operator only, so removing them closes it
    # at once even when colleagues of the same organisation stay on the team; a row without an
    # operator opens it to the whole organisation (e.g. "the PUA of the district").
    member = or_(
        col(CareTeamMember.operator_id) == actor.operator_id,
        and_(col(CareTeamMember.operator_id).is_(None), col(CareTeamMember.organisation_id) == actor.org_id),
    )
    cases = (
        select(col(Case.person_id))
        .join(CareTeamMember, col(CareTeamMember.case_id) == col(Case.id))
        .where(col(CareTeamMember.removed_at).is_(None), member)
    )
    return col(Person.id).in_(cases)


def _condominio_operator(actor: Actor) -> ColumnElement[bool]:
    followed = (
        select(col(AssistedPerson.person_id))
        .join(Condominio, col(Condominio.id) == col(AssistedPerson.condominio_id))
        .where(
            col(Condominio.operator_id) == actor.operator_id,
            col(AssistedPerson.active).is_(True),
            col(Condominio.deleted_at).is_(None),
        )
    )
    return col(Person.id).in_(followed)


def _district(actor: Actor) -> ColumnElement[bool]:
    if actor.org_kind != OrgKind.CENTRALE:
        return false()
    if actor.municipio is None:
        return true()
    return and_(col(Person.municipio) == actor.municipio)


def _mmg(actor: Actor) -> ColumnElement[bool]:
    if actor.org_kind != OrgKind.MMG:
        return false()
    return col(Person.mmg_organisation_id) == actor.org_id


def _registering_org(actor: Actor) -> ColumnElement[bool]:
    return col(Person.registered_by_org_id) == actor.org_id


RELATION_CLAUSES: dict[Relation, Callable[[Actor], ColumnElement[bool]]] = {
    Relation.CARE_TEAM: _care_team,
    Relation.CONDOMINIO_OPERATOR: _condominio_operator,
    Relation.DISTRICT: _district,
    Relation.MMG: _mmg,
    Relation.REGISTERING_ORG: _registering_org,
}
