"""Relations between an operator and a person, each as a SQL condition on ``person.id``."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import and_, false, select, true
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from centrale.condomini.models import AssistedPerson, Condominio
from centrale.organisations.models import OrgKind
from centrale.persons.models import Person

if TYPE_CHECKING:
    from centrale.auth.deps import Actor


class Relation(StrEnum):
    CARE_TEAM = "CARE_TEAM"  # the operator's organisation is on the care team of the person's case
    CONDOMINIO_OPERATOR = "CONDOMINIO_OPERATOR"  # follows the condominio where the person is assisted
    DISTRICT = "DISTRICT"  # the Centrale of the person's municipio
    MMG = "MMG"  # the person's GP practice
    REGISTERING_ORG = "REGISTERING_ORG"  # the organisation that registered the person (intake)


def _care_team(actor: Actor) -> ColumnElement[bool]:
    # Filled by the case-management domain when cases and their teams exist.
    return false()


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
