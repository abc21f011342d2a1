"""``GET /board/dimissioni``: the board's lane of protected discharges in flight.

Each line says whom (surname and initial), from which hospital and ward, how many days to the discharge,
the next milestone with its deadline in words and whether it is late, the ward's phone and the file; the
late milestones go to the board's overdue panel. Only the cases the operator may read are listed
(need-to-know, ``alerts.discharges.reads``), and the showing is audited like the board's other
showings: one row listing the people shown. The board reloads the lane on a discharge's event.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.discharges import reads
from alerts.discharges.reads import LaneItem, OverdueMilestone
from centrale.audit.service import record_covering
from centrale.auth.actor import Actor
from centrale.clock import utcnow
from centrale.events.service import commit
from web.api.deps import CurrentActor, SessionDep
from web.board.shown import Shown, audit_row
from web.i18n import label, lang_of
from web.words.discharges import deadline_words

router = APIRouter(prefix="/board", tags=["bacheca"])
LANE_LIMIT = 200
_PHONE = re.compile(r"\+?\d[\d\s./-]{5,}\d")


def contact_parts(contact: str) -> tuple[str, str | None]:
    """The ward's contact as the notice gave it ("Inf. Bruni, 06 3301 2345"): the name and a dialable number."""
    found = _PHONE.search(contact)
    if found is None:
        return contact.strip(), None
    name = (contact[: found.start()] + contact[found.end() :]).strip(" ,;-—·tel.:").strip()
    phone = re.sub(r"[\s./-]", "", found.group())
    return name, phone


def _line(item: LaneItem, lang: str, now: datetime) -> dict[str, Any]:
    name, phone = contact_parts(item.hospital_contact)
    pending = item.next_milestone
    return {
        "id": item.discharge_id,
        "case_id": item.case_id,
        "person": f"{item.cognome} {item.nome[:1]}.",
        "hospital": item.hospital,
        "ward": item.ward,
        "expected_date": item.expected_date.isoformat(),
        "days_to_discharge": item.days_to_discharge,
        "contact_name": name,
        "contact_phone": phone,
        "missing": [label(m, lang, "milestone") for m in item.missing],
        "next": None
        if pending is None or item.next_due is None
        else {
            "milestone": pending.value,
            "words": label(pending, lang, "milestone"),
            "due_at": item.next_due.isoformat(),
            "due_words": deadline_words(item.next_due, lang),
            "late": item.next_due < now,
        },
    }


def _late(item: OverdueMilestone, lang: str) -> dict[str, Any]:
    return {
        "discharge_id": item.discharge_id,
        "case_id": item.case_id,
        "person": f"{item.cognome} {item.nome[:1]}.",
        "milestone": item.milestone.value,
        "words": label(item.milestone, lang, "milestone"),
        "due_at": item.due_at.isoformat(),
        "due_words": deadline_words(item.due_at, lang),
        "alert_id": item.alert_id,
    }


async def lane_and_overdue(session: AsyncSession, actor: Actor, lang: str, shown: Shown) -> dict[str, Any]:
    """The transitions in flight the actor may see (the nearest discharge first) and their late milestones."""
    now = utcnow()
    items = (await reads.lane(session, actor=actor, now=now))[:LANE_LIMIT]
    late = (await reads.overdue(session, actor=actor, now=now))[:LANE_LIMIT]
    shown.add("dimissioni in corso", (i.person_id for i in items))
    shown.add("passaggi in ritardo", (i.person_id for i in late))
    return {
        "data": [_line(i, lang, now) for i in items],
        "count": len(items),
        "overdue": [_late(i, lang) for i in late],
    }


@router.get("/dimissioni", summary="Dimissioni in corso per la bacheca / discharges in flight for the board")
async def discharge_lane(request: Request, session: SessionDep, actor: CurrentActor) -> dict[str, Any]:
    """Le dimissioni protette in corso delle persone che l'operatore segue, la più vicina prima."""
    shown = Shown()
    answer = await lane_and_overdue(session, actor, lang_of(request), shown)
    row = audit_row(actor, shown, subtype="board-discharges", reference="dimissioni")
    if row is not None:
        await record_covering(session, [(row, shown.persons)])
    await commit(session)
    return answer
