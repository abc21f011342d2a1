"""``/api/v1/reports``: the district's numbers for a period, as JSON or CSV (aggregates only)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response

from centrale.audit.models import AuditAction
from centrale.audit.service import build_event, record_now
from centrale.auth.actor import Actor
from integrations.reports.access import REPORT_ROLES, for_reader, period, to_csv
from integrations.reports.models import Report
from integrations.reports.service import district_report
from web import container
from web.api.deps import SessionDep, require_roles

router = APIRouter(prefix="/reports", tags=["report"])

Reader = Annotated[Actor, Depends(require_roles(*REPORT_ROLES))]


async def report_for(
    request: Request, session: SessionDep, actor: Actor, start: date | None, end: date | None
) -> Report:
    """The report of the period as this reader may see it; the read is audited (no person in it)."""
    try:
        begin, finish = period(start, end)
    except ValueError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    report = await district_report(session, start=begin, end=finish)
    await record_now(
        container.database(request).sessionmaker,
        build_event(
            agent=actor.agent(),
            action=AuditAction.READ,
            subtype="report.district",
            entity_type="Report",
            entity_id=f"{begin.date()}..{finish.date()}",
            person_id=None,
        ),
    )
    return for_reader(report, actor, container.settings_of(request).report_min_cell)


From = Annotated[date | None, Query(alias="from", description="Dal (AAAA-MM-GG)")]
To = Annotated[date | None, Query(alias="to", description="Al (AAAA-MM-GG), incluso")]


@router.get("", response_model=Report, summary="Report del distretto / district report")
async def read_report(
    request: Request, session: SessionDep, actor: Reader, start: From = None, end: To = None
) -> Report:
    return await report_for(request, session, actor, start, end)


@router.get("/csv", summary="Report in CSV / report as CSV", response_class=Response)
async def report_csv(
    request: Request, session: SessionDep, actor: Reader, start: From = None, end: To = None
) -> Response:
    report = await report_for(request, session, actor, start, end)
    name = f"report-{report.start.date()}-{report.end.date()}.csv"
    return Response(
        to_csv(report),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
