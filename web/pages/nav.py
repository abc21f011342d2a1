"""The site navigation: each page module adds its entry once; a role sees only what it may open."""

from __future__ import annotations

from dataclasses import dataclass

from centrale.operators.models import Role
from integrations.reports.access import REPORT_ROLES


@dataclass(frozen=True)
class NavEntry:
    path: str
    word: str  # key in web.i18n.WORDS
    roles: frozenset[Role] | None  # None: every signed-in role
    order: int = 100


ENTRIES: list[NavEntry] = []


def add(path: str, word: str, roles: set[Role] | None = None, *, order: int = 100) -> None:
    if any(entry.path == path for entry in ENTRIES):
        raise ValueError(f"navigation entry {path!r} is added twice")
    ENTRIES.append(NavEntry(path, word, frozenset(roles) if roles is not None else None, order))
    ENTRIES.sort(key=lambda entry: entry.order)


def entries_for(role: Role | None) -> list[NavEntry]:
    if role is None:
        return []
    return [entry for entry in ENTRIES if entry.roles is None or role in entry.roles]


# The pages that exist before any module adds its own, each with the roles its guard lets in
# (tests/web/test_walk_pages.py opens every entry as every role that sees it).
add("/", "board", order=10)
add("/casi", "cases", order=20)
add("/invii", "nav_referrals", order=30)
add("/attivita", "my_tasks", order=40)
add("/carico", "nav_workload", roles={Role.COORDINATORE}, order=50)  # web.pages.tasks.workload_page
add("/reports", "nav_reports", roles=set(REPORT_ROLES), order=60)  # web.pages.reports.reports_page
