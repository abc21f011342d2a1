"""The reports page: the district's numbers for a period, with bar charts drawn as inline SVG."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from integrations.reports.access import REPORT_ROLES
from web import container
from web.api.deps import SessionDep
from web.api.reports import report_for
from web.pages.base import error_page, page_actor, render
from web.pages.discharge_indicators import discharge_tables

router = APIRouter(include_in_schema=False)


@router.get("/reports", response_class=HTMLResponse)
async def reports_page(
    request: Request,
    session: SessionDep,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
) -> Response:
    actor = await page_actor(request)
    if actor is None:
        return RedirectResponse("/login?next=/reports", status_code=303)
    if actor.role not in REPORT_ROLES:
        return await error_page(request, 403, [])
    report = await report_for(request, session, actor, start, end)
    extra = await discharge_tables(session, report, actor, container.settings_of(request).report_min_cell)
    report = report.model_copy(update={"tables": [*report.tables, *extra]})
    last_day = (report.end - timedelta(days=1)).date()
    return render(request, "reports.html", actor=actor, report=report, dal=report.start.date(), al=last_day)
