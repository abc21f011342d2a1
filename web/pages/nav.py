"""The site navigation: each page module adds its entry once; a role sees only what it may open."""

from __future__ import annotations

from dataclasses import dataclass

from centrale.operators.models import Role


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


# The pages that exist before any module adds its own (roles refined where each page's guard says).
add("/", "board", order=10)
add("/casi", "cases", order=20)
add("/invii", "nav_referrals", order=30)
add("/attivita", "my_tasks", order=40)
add("/carico", "nav_workload", order=50)
add("/reports", "nav_reports", order=60)
