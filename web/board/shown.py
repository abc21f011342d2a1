"""What one showing put on an operator's board, and the one audit row that records it.

A snapshot (or a batch of live events) may show hundreds of people at once. Each showing is one audit
row; the people it showed are listed with it (``AuditEventPerson``), so "who accessed this person"
still finds every board that showed them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from centrale.audit.models import AuditAction, AuditEvent, AuditPurpose
from centrale.audit.service import build_event
from centrale.auth.actor import Actor

#: how each kind of item is named in the row's description (Italian first, as the access log reads)
WHAT = {
    "alerts": "allerte",
    "overdue_tasks": "attività in ritardo",
    "done_today": "attività svolte oggi",
    "events": "eventi",
    "targets": "persone seguite (quarantena SMS)",
}


@dataclass
class Shown:
    """The items shown (how many of each kind, and of how many) and the people they are about."""

    persons: set[int] = field(default_factory=set)
    counts: dict[str, int] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)

    def add(self, what: str, person_ids: Iterable[int | None], *, of: int | None = None) -> None:
        """``person_ids``: one entry per item shown (``None`` for an item about nobody)."""
        ids = list(person_ids)
        self.counts[what] = self.counts.get(what, 0) + len(ids)
        self.persons.update(p for p in ids if p is not None)
        if of is not None:
            self.totals[what] = of

    def describe(self) -> str:
        parts = []
        for what, n in self.counts.items():
            if not n:
                continue
            of = self.totals.get(what)
            parts.append(f"{n} {WHAT.get(what, what)}" + (f" su {of}" if of is not None and of != n else ""))
        return f"{', '.join(parts)}; {len(self.persons)} persone"[:300]


def audit_row(actor: Actor, shown: Shown, *, subtype: str, reference: str | None) -> AuditEvent | None:
    """The row recording this showing, or ``None`` when it showed nobody's data."""
    if not shown.persons:
        return None
    return build_event(
        agent=actor.agent(),
        action=AuditAction.READ,
        subtype=subtype,
        entity_type="Board",
        entity_id=reference,
        person_id=None,  # the people shown are listed with the row
        purpose=AuditPurpose.ETREAT,
        outcome_desc=shown.describe(),
    )
