"""Pages of the monitoring work: the tutor's "Le mie attività" (phone-sized) and the coordinator's workload."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from alerts.tasks import flows
from centrale.auth.actor import Actor
from centrale.authz.policy import visibility_clause
from centrale.clock import to_rome, utcnow
from centrale.errors import DomainError, Refused
from centrale.events.service import commit, last_seq
from centrale.operators.models import Role
from centrale.tasks import queries
from centrale.tasks.models import ClosedVia, TaskListItem, TaskState
from centrale.tasks.schedule import rome_day_bounds
from centrale.uow import Tx
from web import container
from web.api.deps import SessionDep, flow_route
from web.api.tasks import audit_list, item
from web.errors import domain_sentence, status_of
from web.pages.base import page_actor, render
from web.words import history as _words  # noqa: F401 - registers the page's words

router = APIRouter(include_in_schema=False)


def italian(exc: DomainError) -> str:
    """The sentence a page shows for a refused action (the API's messages are "Italiano / English")."""
    if isinstance(exc, Refused):
        return "Non puoi registrare questa attività: non è assegnata a te o non segui la persona."
    return domain_sentence(exc.message)


@dataclass(frozen=True)
class TaskCard:
    """A task as the phone page shows it: when, what, who, where, and how to call or find them."""

    task: TaskListItem
    indirizzo: str | None
    telefoni: list[str]
    reminded: bool

    @property
    def map_url(self) -> str | None:
        """An OpenStreetMap search for the address (a plain link: no map script on the page)."""
        if not self.indirizzo:
            return None
        return "https://www.openstreetmap.org/search?" + urlencode({"query": self.indirizzo})


async def _cards(session: SessionDep, actor: Actor) -> tuple[list[TaskCard], list[TaskCard]]:
    """The tutor's open tasks: due today or late, and the next days (each shown is an audited read)."""
    now = utcnow()
    _, tomorrow = rome_day_bounds(to_rome(now).date(), to_rome(now).date())
    rows, _total = await queries.list_tasks(
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
    cards = [TaskCard(item(t, p), p.indirizzo, list(p.telefoni), t.reminded_at is not None) for t, p in rows]
    urgent = [c for c in cards if c.task.overdue or c.task.due_start < tomorrow]
    later = [c for c in cards if not (c.task.overdue or c.task.due_start < tomorrow)]
    return urgent, later


async def _my_tasks(
    request: Request, session: SessionDep, actor: Actor, *, error: str | None = None, status_code: int = 200
) -> Response:
    # the outbox's end before the lists are read: the page's live channel resumes from there, so an
    # event committed meanwhile is replayed (and at worst shown twice, never missed)
    seq = await last_seq(session)
    urgent, later = await _cards(session, actor)
    return render(
        request,
        "tasks/mine.html",
        status_code=status_code,
        actor=actor,
        error=error,
        urgent=urgent,
        later=later,
        seq=seq,
        rome=to_rome,
    )


@router.get("/attivita", response_class=HTMLResponse)
async def my_tasks_page(request: Request, session: SessionDep) -> Response:
    actor = await page_actor(request)
    if actor is None:
        return RedirectResponse("/login?next=/attivita", status_code=303)
    return await _my_tasks(request, session, actor)


@router.get("/attivita/elenco", response_class=HTMLResponse)
async def my_task_lists(request: Request, session: SessionDep) -> Response:
    """The two lists alone, for the page to refresh itself when its live channel says something changed."""
    actor = await page_actor(request)
    if actor is None:
        return HTMLResponse("", status_code=401)
    urgent, later = await _cards(session, actor)
    return render(request, "tasks/_lists.html", actor=actor, urgent=urgent, later=later, rome=to_rome)


@router.post("/attivita/{task_id}/fatto", openapi_extra=flow_route("task.close"))
async def mark_done(
    task_id: int,
    request: Request,
    session: SessionDep,
    note: Annotated[str | None, Form(max_length=1000)] = None,
) -> Response:
    actor = await page_actor(request)
    if actor is None:
        return RedirectResponse("/login", status_code=303)
    tx = Tx(session=session, db=container.database(request), actor=actor)
    try:
        await flows.close_task(tx, task_id=task_id, note=note or None, via=ClosedVia.PAGINA)
    except DomainError as exc:  # refused (already audited by the flow), unknown or already closed
        await tx.rollback()
        return await _my_tasks(request, session, actor, error=italian(exc), status_code=status_of(exc))
    await tx.commit()
    return RedirectResponse("/attivita", status_code=303)


@router.get("/carico", response_class=HTMLResponse)
async def workload_page(request: Request, session: SessionDep) -> Response:
    actor = await page_actor(request)
    if actor is None:
        return RedirectResponse("/login", status_code=303)
    if actor.role != Role.COORDINATORE:
        return render(request, "tasks/workload.html", status_code=403, actor=actor, rows=None)
    return render(request, "tasks/workload.html", actor=actor, rows=await queries.workload(session))
