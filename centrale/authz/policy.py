"""Need-to-know: may this operator do this to this person's data?

One table answers it from the operator's role and their relation to the person. Relations are SQL
conditions on ``person.id`` (see ``relations.py``), so the same rule decides a single read and filters
a list.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import false, or_
from sqlalchemy.sql.elements import ColumnElement

from centrale.auth.actor import Actor
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


# --- cases ----------------------------------------------------------------------------------------


class CaseAction(StrEnum):
    READ = "read"  # the case file, filtered by FASCICOLO_SECTIONS
    INTAKE = "intake"  # record a scheda di accoglienza (a proposal opens a case)
    MANAGE = "manage"  # state and phase, care team, plan drafting and variation, signature
    CONTRIBUTE = "contribute"  # diary entries, assessments, referrals
    APPROVE = "approve"  # approve a plan on behalf of one's organisation (it must be on the team)
    OVERRIDE_CONSENT = "override_consent"  # refer outside the team without consent (audited, with a reason)


TEAM = frozenset({R.CARE_TEAM})

#: role -> case action -> the relations (to the case's person) that allow it. Anything not listed is refused.
CASE_RULES: dict[Role, dict[CaseAction, frozenset[Relation]]] = {
    Role.COORDINATORE: {
        CaseAction.READ: frozenset({R.DISTRICT, R.CARE_TEAM}),
        CaseAction.CONTRIBUTE: frozenset({R.DISTRICT, R.CARE_TEAM}),
        CaseAction.APPROVE: TEAM,
    },
    Role.CASE_MANAGER: {
        CaseAction.READ: frozenset({R.CARE_TEAM, R.REGISTERING_ORG}),
        CaseAction.INTAKE: frozenset({R.CARE_TEAM, R.REGISTERING_ORG}),
        CaseAction.MANAGE: frozenset({R.CARE_TEAM, R.REGISTERING_ORG}),
        CaseAction.CONTRIBUTE: frozenset({R.CARE_TEAM, R.REGISTERING_ORG}),
        CaseAction.APPROVE: TEAM,
        CaseAction.OVERRIDE_CONSENT: frozenset({R.CARE_TEAM, R.REGISTERING_ORG}),
    },
    Role.OPERATORE_PUA: {
        CaseAction.READ: frozenset({R.CARE_TEAM, R.REGISTERING_ORG}),
        CaseAction.INTAKE: frozenset({R.CARE_TEAM, R.REGISTERING_ORG}),
        CaseAction.CONTRIBUTE: TEAM,
        CaseAction.APPROVE: TEAM,
    },
    Role.MMG: {CaseAction.READ: TEAM, CaseAction.CONTRIBUTE: TEAM, CaseAction.APPROVE: TEAM},
    Role.TUTOR: {CaseAction.READ: TEAM, CaseAction.CONTRIBUTE: TEAM},
    Role.OPERATORE_ETS: {CaseAction.READ: TEAM, CaseAction.CONTRIBUTE: TEAM, CaseAction.APPROVE: TEAM},
    Role.ANALISTA: {},
    Role.AMMINISTRATORE: {},
}

#: actions that only the case's responsible case manager may take, whatever the relation
RESPONSIBLE_ONLY = frozenset({CaseAction.OVERRIDE_CONSENT})


class Section(StrEnum):
    """Parts of the case file (fascicolo)."""

    PERSON = "person"
    HOUSEHOLD = "household"
    NETWORK = "network"
    TEAM = "team"
    ASSESSMENTS = "assessments"
    PLAN = "plan"
    REFERRALS = "referrals"
    DIARY = "diary"
    HISTORY = "history"


ALL_SECTIONS = frozenset(Section)
S = Section
#: role -> the sections of the case file it may see (minimise what crosses between agencies)
FASCICOLO_SECTIONS: dict[Role, frozenset[Section]] = {
    Role.COORDINATORE: ALL_SECTIONS,
    Role.CASE_MANAGER: ALL_SECTIONS,
    Role.OPERATORE_PUA: ALL_SECTIONS,
    Role.MMG: ALL_SECTIONS - {S.HOUSEHOLD},
    # Tutors and third-sector operators deliver interventions: they need who, where, the network and the
    # plan, not the household's situation nor the clinical scales.
    Role.TUTOR: frozenset({S.PERSON, S.NETWORK, S.TEAM, S.PLAN, S.DIARY}),
    Role.OPERATORE_ETS: frozenset({S.PERSON, S.NETWORK, S.TEAM, S.PLAN, S.DIARY}),
}


def case_relations(actor: Actor, action: CaseAction) -> frozenset[Relation]:
    return CASE_RULES.get(actor.role, {}).get(action, NONE)


def case_clause(actor: Actor, action: CaseAction) -> ColumnElement[bool]:
    """A condition on ``person.id`` true exactly for the persons whose cases this operator may act on."""
    relations = case_relations(actor, action)
    if not relations:
        return false()
    return or_(*(RELATION_CLAUSES[relation](actor) for relation in sorted(relations)))


def case_refusal_reason(actor: Actor, action: CaseAction) -> str:
    relations = case_relations(actor, action)
    if not relations:
        return f"role {actor.role} may not {action} cases"
    return f"role {actor.role} may {action} a case only with relation " + "/".join(sorted(relations))


def visible_sections(actor: Actor) -> frozenset[Section]:
    return FASCICOLO_SECTIONS.get(actor.role, frozenset())
