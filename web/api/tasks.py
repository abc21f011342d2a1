"""HTTP routes for tasks: mine, a person's, workload; create, close, reassign (absence) through their flows."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from alerts.tasks import flows
from centrale.audit.models import AuditAction
from centrale.audit.service import build_event
from centrale.auth.actor import Actor
from centrale.authz.guard import check_person
from centrale.authz.policy import PersonAction, visibility_clause
from centrale.clock import utcnow
from centrale.common import Page
from centrale.events.service import commit
from centrale.operators.models import Role
from centrale.persons.models import Person
from centrale.tasks import queries
from centrale.tasks.models import (
    ClosedVia,
    Reassignment,
    ReassignmentResult,
    Task,
    TaskClose,
    TaskCreate,
    TaskListItem,
    TaskPublic,
    TaskState,
    WorkloadRow,
)
from web import container
from web.api import idempotency
from web.api.deps import COOKIE_NAME, CurrentActor, PagingDep, SessionDep, TxDep, flow_route, require_roles

router = APIRouter(prefix="/tasks", tags=["attività"])
Coordinator = Annotated[Actor, Depends(require_roles(Role.COORDINATORE))]


def item(task: Task, person: Person) -> TaskListItem:
    return TaskListItem.model_validate(
        task.model_dump() | {"cognome": person.cognome, "nome": person.nome, "overdue": _overdue(task)}
    )


def _overdue(task: Task) -> bool:
    return task.state == TaskState.APERTA and task.due_end < utcnow()


def audit_list(session: SessionDep, actor: Actor, rows: list[tuple[Task, Person]], subtype: str) -> None:
    """Each task shown names a person: a read of their data."""
    for task, person in rows:
        session.add(
            build_event(
                agent=actor.agent(),
                action=AuditAction.READ,
                subtype=subtype,
                entity_type="Task",
                entity_id=task.id,
                person_id=person.id,
            )
        )


@router.get("/mine", response_model=Page[TaskListItem], summary="Le mie attività / my tasks")
async def my_tasks(
    session: SessionDep,
    actor: CurrentActor,
    paging: PagingDep,
    state: Annotated[list[TaskState] | None, Query(description="default: APERTA")] = None,
) -> Page[TaskListItem]:
    rows, total = await queries.list_tasks(
        session,
        visible=visibility_clause(actor),
        now=utcnow(),
        assignee_id=actor.operator_id,
        states=state or [TaskState.APERTA],
        offset=paging.offset,
        limit=paging.limit,
    )
    audit_list(session, actor, rows, "task.list")
    await commit(session)
    return Page(data=[item(t, p) for t, p in rows], count=total)


@router.get("/workload", response_model=list[WorkloadRow], summary="Carico per tutor / workload")
async def workload(session: SessionDep, actor: Coordinator) -> list[WorkloadRow]:
    return await queries.workload(session)


@router.get("/person/{person_id}", response_model=Page[TaskListItem], summary="Attività di una persona")
async def person_tasks(
    person_id: int, request: Request, session: SessionDep, actor: CurrentActor, paging: PagingDep
) -> Page[TaskListItem]:
    await check_person(session, container.database(request), actor, person_id, PersonAction.READ, "task.person")
    rows, total = await queries.list_tasks(
        session,
        visible=visibility_clause(actor),
        now=utcnow(),
        person_id=person_id,
        offset=paging.offset,
        limit=paging.limit,
    )
    return Page(data=[item(t, p) for t, p in rows], count=total)


@router.post(
    "",
    response_model=TaskPublic,
    status_code=201,
    summary="Nuova attività / new task",
    openapi_extra=flow_route("task.create"),
)
async def create(data: TaskCreate, tx: TxDep) -> TaskPublic:
    task = await flows.create_task(tx, data=data)
    await tx.commit()
    return TaskPublic.model_validate(task)


@router.post(
    "/{task_id}/close",
    response_model=TaskPublic,
    summary="Registra l'esito / record the outcome",
    openapi_extra=flow_route("task.close"),
)
async def close(task_id: int, data: TaskClose, request: Request, tx: TxDep) -> Any:
    """With an ``Idempotency-Key`` header, a repeated request gets the first answer and closes nothing more
    (the tutors' page sends a "Fatto" pressed offline when the connection returns: web/api/idempotency.py)."""
    via = ClosedVia.PAGINA if request.cookies.get(COOKIE_NAME) else ClosedVia.API

    async def run() -> dict[str, Any]:
        task = await flows.close_task(tx, task_id=task_id, state=data.state, note=data.note, via=via)
        return TaskPublic.model_validate(task).model_dump(mode="json")

    return await idempotency.once(request, tx, scope=f"task.close:{task_id}", status_code=200, run=run)


@router.post(
    "/reassign",
    response_model=ReassignmentResult,
    summary="Assenza: riassegna / absence cover",
    openapi_extra=flow_route("task.reassign"),
)
async def reassign(data: Reassignment, tx: TxDep) -> ReassignmentResult:
    moved = await flows.reassign_tasks(tx, data=data)
    await tx.commit()
    return ReassignmentResult(moved=[t.id or 0 for t in moved], count=len(moved))
