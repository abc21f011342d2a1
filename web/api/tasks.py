"""HTTP routes for tasks: mine, a person's, create, close, reassign (absence), workload. Policy and audit on each."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from sqlmodel import col, select

from centrale.audit.models import AuditAction
from centrale.audit.service import build_event
from centrale.auth.actor import Actor, actor_of
from centrale.authz.guard import check_person, deny
from centrale.authz.policy import PersonAction, visibility_clause
from centrale.clock import utcnow
from centrale.common import Page
from centrale.events.service import commit
from centrale.operators.models import Role
from centrale.persons.models import Person
from centrale.tasks import service
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
from web.api.deps import CurrentActor, PagingDep, SessionDep, require_roles

router = APIRouter(prefix="/tasks", tags=["attività"])
Coordinator = Annotated[Actor, Depends(require_roles(Role.COORDINATORE))]
#: who may create tasks and reassign them (the tutor closes; the centre and the case manager plan)
PLANNERS = (Role.COORDINATORE, Role.CASE_MANAGER)


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


async def may_read(session: SessionDep, operator: Actor, person_id: int) -> bool:
    query = select(col(Person.id)).where(col(Person.id) == person_id, visibility_clause(operator))
    return (await session.exec(query)).first() is not None


async def _refuse_unless_planner(request: Request, actor: Actor, subtype: str, person_id: int | None) -> None:
    if actor.role not in PLANNERS:
        raise await deny(
            container.database(request),
            actor,
            action=AuditAction.UPDATE,
            subtype=subtype,
            entity_type="Task",
            entity_id=None,
            person_id=person_id,
            reason=f"role {actor.role} may not plan tasks",
        )


@router.get("/mine", response_model=Page[TaskListItem], summary="Le mie attività / my tasks")
async def my_tasks(
    session: SessionDep,
    actor: CurrentActor,
    paging: PagingDep,
    state: Annotated[list[TaskState] | None, Query(description="default: APERTA")] = None,
) -> Page[TaskListItem]:
    rows, total = await service.list_tasks(
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
    return await service.workload(session)


@router.get("/person/{person_id}", response_model=Page[TaskListItem], summary="Attività di una persona")
async def person_tasks(
    person_id: int, request: Request, session: SessionDep, actor: CurrentActor, paging: PagingDep
) -> Page[TaskListItem]:
    await check_person(session, container.database(request), actor, person_id, PersonAction.READ, "task.person")
    rows, total = await service.list_tasks(
        session,
        visible=visibility_clause(actor),
        now=utcnow(),
        person_id=person_id,
        offset=paging.offset,
        limit=paging.limit,
    )
    return Page(data=[item(t, p) for t, p in rows], count=total)


@router.post("", response_model=TaskPublic, status_code=201, summary="Nuova attività / new task")
async def create(data: TaskCreate, request: Request, session: SessionDep, actor: CurrentActor) -> TaskPublic:
    await _refuse_unless_planner(request, actor, "task.create", data.person_id)
    access = await check_person(
        session, container.database(request), actor, data.person_id, PersonAction.READ, "task.create"
    )
    assignee = await actor_of(session, data.assignee_id)
    if assignee is None or not await may_read(session, assignee, data.person_id):
        raise HTTPException(
            status_code=422,
            detail={
                "message": "assignee_id: l'operatore non segue questa persona (aggiungerlo all'équipe) / "
                "the operator does not follow this person"
            },
        )
    task = await service.create_task(session, data=data, created_by_id=actor.operator_id)
    access.audit(AuditAction.CREATE, "task.create", entity_type="Task", entity_id=task.id)
    await commit(session)
    return TaskPublic.model_validate(task)


@router.post("/{task_id}/close", response_model=TaskPublic, summary="Registra l'esito / record the outcome")
async def close(
    task_id: int, data: TaskClose, request: Request, session: SessionDep, actor: CurrentActor
) -> TaskPublic:
    task = await service.get_task(session, task_id=task_id)
    # the assignee records their own work; the centre may record it for them
    if task.assignee_id != actor.operator_id and actor.role != Role.COORDINATORE:
        raise await deny(
            container.database(request),
            actor,
            action=AuditAction.UPDATE,
            subtype="task.close",
            entity_type="Task",
            entity_id=task_id,
            person_id=task.person_id,
            reason="not the assignee of the task",
        )
    access = await check_person(
        session, container.database(request), actor, task.person_id, PersonAction.READ, "task.close"
    )
    via = ClosedVia.PAGINA if request.cookies.get("centrale_session") else ClosedVia.API
    closed = await service.close_task(
        session, task_id=task_id, operator_id=actor.operator_id, state=data.state, note=data.note, channel=via
    )
    access.audit(AuditAction.UPDATE, "task.close", entity_type="Task", entity_id=task_id)
    await commit(session)
    return TaskPublic.model_validate(closed)


@router.post("/reassign", response_model=ReassignmentResult, summary="Assenza: riassegna / absence cover")
async def reassign(
    data: Reassignment, request: Request, session: SessionDep, actor: CurrentActor
) -> ReassignmentResult:
    await _refuse_unless_planner(request, actor, "task.reassign", None)
    substitute = await actor_of(session, data.to_operator_id)
    if substitute is None:
        raise HTTPException(status_code=422, detail={"message": "to_operator_id: operatore non attivo / not active"})
    moved = await service.reassign_tasks(session, data=data, by_operator_id=actor.operator_id)
    unreachable = [t.code for t in moved if not await may_read(session, substitute, t.person_id)]
    if unreachable:  # nothing changes: the substitute must first be able to follow these persons
        await session.rollback()
        raise HTTPException(
            status_code=422,
            detail={
                "message": "to_operator_id: il sostituto non segue le persone di "
                f"{len(unreachable)} attività ({', '.join(unreachable)}) / the substitute cannot follow them"
            },
        )
    for task in moved:
        session.add(
            build_event(
                agent=actor.agent(),
                action=AuditAction.UPDATE,
                subtype="task.reassign",
                entity_type="Task",
                entity_id=task.id,
                person_id=task.person_id,
            )
        )
    await commit(session)
    return ReassignmentResult(moved=[t.id or 0 for t in moved], count=len(moved))
