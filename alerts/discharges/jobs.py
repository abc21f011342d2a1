"""The discharges' periodic job: a milestone past its deadline raises one alert, escalated by role.

Safe in several instances at once: the milestones are claimed ``FOR UPDATE SKIP LOCKED`` and each alert
carries a dedupe key per milestone, so a second pass (or a second instance) joins nothing twice.
"""

from __future__ import annotations

from sqlmodel import col, select

from alerts.discharges.models import Discharge, DischargeMilestone, DischargeState, Milestone
from alerts.models import AlertSource, Severity
from alerts.raising import raise_alert
from centrale.clock import to_rome, utcnow
from centrale.db import Database
from centrale.events.service import commit, emit
from centrale.flows import flow

#: what the board says of a late milestone (no health data: the alert's summary is never sent by SMS anyway)
LATE_WORDS = {
    Milestone.NOTIFICA: "notifica non registrata",
    Milestone.UVM_PRENOTATA: "UVM non prenotata",
    Milestone.UVM_SVOLTA: "UVM non svolta",
    Milestone.PIANO_APPROVATO: "progetto non approvato",
    Milestone.DIMISSIONE: "dimissione non registrata",
    Milestone.PRIMA_VISITA: "prima visita a domicilio non svolta",
    Milestone.TELEFONATA_CONTROLLO: "telefonata di controllo non fatta",
}
#: a person who left with nobody at home is the urgent case; the paperwork before it is not
SEVERITY = {Milestone.PRIMA_VISITA: Severity.ALTA, Milestone.PIANO_APPROVATO: Severity.ALTA}


@flow("discharge.raise_overdue", guarded=False)
async def raise_overdue(database: Database, *, batch: int = 100) -> list[int]:
    """Each milestone of a transition in flight past its deadline, not yet alerted: one alert; their ids."""
    async with database.sessionmaker() as session:
        now = utcnow()
        rows = (
            await session.exec(
                select(DischargeMilestone, Discharge)
                .join(Discharge, col(Discharge.id) == col(DischargeMilestone.discharge_id))
                .where(
                    col(Discharge.state) == DischargeState.IN_CORSO,
                    col(DischargeMilestone.done_at).is_(None),
                    col(DischargeMilestone.due_at) <= now,
                    col(DischargeMilestone.overdue_alert_id).is_(None),
                )
                .order_by(col(DischargeMilestone.due_at), col(DischargeMilestone.id))
                .limit(batch)
                .with_for_update(of=DischargeMilestone, skip_locked=True)  # type: ignore[arg-type]
            )
        ).all()
        raised: list[int] = []
        for milestone, discharge in rows:
            local = to_rome(milestone.due_at)
            summary = f"Dimissione protetta: {LATE_WORDS[milestone.milestone]} entro le {local:%H:%M} del {local:%d/%m}"
            alert = (
                await raise_alert(
                    session,
                    source=AlertSource.DIMISSIONE_PROTETTA,
                    severity=SEVERITY.get(milestone.milestone, Severity.MEDIA),
                    summary=summary,
                    person_id=discharge.person_id,
                    case_id=discharge.case_id,
                    dedupe_key=f"discharge:{discharge.id}:{milestone.milestone}",
                    report={"discharge_id": discharge.id, "milestone": milestone.milestone},
                    now=now,
                )
            ).alert
            assert alert.id is not None
            milestone.overdue_alert_id = alert.id
            session.add(milestone)
            emit(
                session,
                kind="discharge.overdue",
                entity_type="Discharge",
                entity_id=discharge.id,
                person_id=discharge.person_id,
                payload={"discharge_id": discharge.id, "milestone": milestone.milestone, "alert_id": alert.id},
            )
            raised.append(alert.id)
        await commit(session)
        return raised
