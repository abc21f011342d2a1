"""Need-to-know: may this operator do this to this person's data?

One table answers it from the operator's role and their relation to the person. Relations are SQL
conditions on ``person.id`` (see ``relations.py``), so the same rule decides a single read and filters
a list.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import false, or_
from sqlalchemy.sql.elements import ColumnElement

from centrale.auth.deps import Actor
from centrale.authz.relations import RELATION_CLAUSES, Relation
from centrale.operators.models import Role


class PersonAction(StrEnum):
    READ = "read"
    CREATE = "create"
    WRITE = "write"
    DELETE = "delete"
    READ_ACCESS_LOG = "read_access_log"


R = Relation
ANY_PERSON = frozenset(Relation)  # the action is allowed whatever the relation (e.g. CREATE)
NONE: frozenset[Relation] = frozenset()

#: role -> action -> the relations that allow it. Anything not listed is refused.
RULES: dict[Role, dict[PersonAction, frozenset[Relation]]] = {
    Role.COORDINATORE: {
        PersonAction.READ: frozenset({R.DISTRICT, R.CARE_TEAM}),
        PersonAction.CREATE: ANY_PERSON,
        PersonAction.WRITE: frozenset({R.DISTRICT}),
        PersonAction.DELETE: frozenset({R.DISTRICT}),
        PersonAction.READ_ACCESS_LOG: frozenset({R.DISTRICT}),
    },
    Role.CASE_MANAGER: {
        PersonAction.READ: frozenset({R.CARE_TEAM, R.REGISTERING_ORG}),
        PersonAction.CREATE: ANY_PERSON,
        PersonAction.WRITE: frozenset({R.CARE_TEAM, R.REGISTERING_ORG}),
        PersonAction.DELETE: frozenset({R.REGISTERING_ORG}),
        PersonAction.READ_ACCESS_LOG: frozenset({R.CARE_TEAM, R.REGISTERING_ORG}),
    },
    Role.OPERATORE_PUA: {
        PersonAction.READ: frozenset({R.CARE_TEAM, R.REGISTERING_ORG}),
        PersonAction.CREATE: ANY_PERSON,
        PersonAction.WRITE: frozenset({R.CARE_TEAM, R.REGISTERING_ORG}),
    },
    Role.MMG: {PersonAction.READ: frozenset({R.CARE_TEAM, R.MMG})},
    Role.TUTOR: {PersonAction.READ: frozenset({R.CARE_TEAM, R.CONDOMINIO_OPERATOR})},
    Role.OPERATORE_ETS: {PersonAction.READ: frozenset({R.CARE_TEAM})},
    Role.ANALISTA: {},
    # Administrators manage accounts and organisations; they do not read case data by default.
    Role.AMMINISTRATORE: {},
}


def allowed_relations(actor: Actor, action: PersonAction) -> frozenset[Relation]:
    return RULES.get(actor.role, {}).get(action, NONE)


def may_create(actor: Actor) -> bool:
    return allowed_relations(actor, PersonAction.CREATE) == ANY_PERSON


def visibility_clause(actor: Actor, action: PersonAction = PersonAction.READ) -> ColumnElement[bool]:
    """A condition on ``person.id`` true exactly for the persons this operator may act on."""
    relations = allowed_relations(actor, action)
    if not relations:
        return false()
    return or_(*(RELATION_CLAUSES[relation](actor) for relation in sorted(relations)))


def refusal_reason(actor: Actor, action: PersonAction) -> str:
    relations = allowed_relations(actor, action)
    if not relations:
        return f"role {actor.role} may not {action} person data"
    return f"role {actor.role} may {action} only with relation " + "/".join(sorted(relations))
