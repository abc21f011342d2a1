"""Pages of the monitoring work: the tutor's "Le mie attività" (phone-sized) and the coordinator's workload."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from centrale.audit.models import AuditAction
from centrale.authz.guard import check_person
from centrale.authz.policy import PersonAction, visibility_clause
from centrale.clock import to_rome, utcnow
from centrale.common import Conflict
from centrale.events.service import commit
from centrale.operators.models import Role
from centrale.tasks import service
from centrale.tasks.models import ClosedVia, TaskState
from centrale.tasks.schedule import rome_day_bounds
from web import container
from web.api.deps import SessionDep
from web.api.tasks import audit_list, item
from web.pages.base import page_actor, render

router = APIRouter(include_in_schema=False)


@router.get("/attivita", response_class=HTMLResponse)
async def my_tasks_page(request: Request, session: SessionDep) -> Response:
    actor = await page_actor(request)
    if actor is None:
        return RedirectResponse("/login", status_code=303)
    now = utcnow()
    _, tomorrow = rome_day_bounds(to_rome(now).date(), to_rome(now).date())
    rows, _total = await service.list_tasks(
        session,
        visible=visibility_clause(actor),
        now=now,
        assignee_id=actor.operator_id,
        states=[TaskState.APERTA],
        due_before=tomorrow + timedelta(days=7),
        limit=100,
    )
    audit_list(session, actor, rows, "task.page")
    await commit(session)
    items = [item(t, p) for t, p in rows]
    return render(
        request,
        "tasks/mine.html",
        actor=actor,
        urgent=[i for i in items if i.overdue or i.due_start < tomorrow],
        later=[i for i in items if not (i.overdue or i.due_start < tomorrow)],
        rome=to_rome,
    )


@router.post("/attivita/{task_id}/fatto")
async def mark_done(
    task_id: int,
    request: Request,
    session: SessionDep,
    note: Annotated[str | None, Form(max_length=1000)] = None,
) -> Response:
    actor = await page_actor(request)
    if actor is None:
        return RedirectResponse("/login", status_code=303)
    task = await service.get_task(session, task_id=task_id)
    if task.assignee_id != actor.operator_id and actor.role != Role.COORDINATORE:
        return RedirectResponse("/attivita?errore=non_tua", status_code=303)
    access = await check_person(
        session, container.database(request), actor, task.person_id, PersonAction.READ, "task.close"
    )
    try:
        await service.close_task(
            session, task_id=task_id, operator_id=actor.operator_id, note=note or None, channel=ClosedVia.PAGINA
        )
    except Conflict:
        return RedirectResponse("/attivita?errore=chiusa", status_code=303)
    access.audit(AuditAction.UPDATE, "task.close", entity_type="Task", entity_id=task_id)
    await commit(session)
    return RedirectResponse("/attivita", status_code=303)


@router.get("/carico", response_class=HTMLResponse)
async def workload_page(request: Request, session: SessionDep) -> Response:
    actor = await page_actor(request)
    if actor is None:
        return RedirectResponse("/login", status_code=303)
    if actor.role != Role.COORDINATORE:
        return render(request, "tasks/workload.html", status_code=403, actor=actor, rows=None)
    return render(request, "tasks/workload.html", actor=actor, rows=await service.workload(session))
