"""``GET /board/alerts``: the board's further pages of open alerts ("Mostra altre"), as cards.

The snapshot sends the most urgent open alerts and counts the rest per severity; the board asks for the
rest one severity and state at a time, from the number of that kind it already holds. The cards are the
snapshot's own (names of the person, the building and the operators, under the same visibility rule),
so a card loaded here looks like one that came with the snapshot, and the showing is audited alike: one
row listing the people shown.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query

from alerts.models import OPEN_STATES, AlertState, Severity
from centrale.audit.service import record_covering
from centrale.events.service import commit
from web.api.deps import CurrentActor, SessionDep
from web.board import quarantine
from web.board.shown import Shown, audit_row
from web.board.snapshot import open_alerts

router = APIRouter(prefix="/board", tags=["bacheca"])
router.include_router(quarantine.router)  # the quarantine panel's list, targets and decisions


@router.get("/alerts", summary="Altre allerte aperte per la bacheca / more open alerts for the board")
async def more_alerts(
    session: SessionDep,
    actor: CurrentActor,
    severity: Severity,
    state: AlertState,
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="quante ne ha già la bacheca")] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> dict[str, Any]:
    """Le allerte aperte di una priorità e uno stato che l'operatore vede, dalla più recente, come schede."""
    if state not in OPEN_STATES:
        raise HTTPException(status_code=422, detail=f"state: solo stati aperti / open states only ({state.value})")
    cards = await open_alerts(session, actor, limit=limit, offset=offset, severity=severity, state=state)
    shown = Shown()
    shown.add("alerts", (card["person_id"] for card in cards))
    row = audit_row(actor, shown, subtype="board-more", reference=f"{severity.value}/{state.value}/{offset}")
    if row is not None:
        await record_covering(session, [(row, shown.persons)])
    await commit(session)
    return {"data": cards}
