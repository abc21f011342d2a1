"""The actions on monitoring tasks: create, close (page, API or SMS), reassign for an absence.

They live in ``alerts`` because closing a late task resolves its overdue alert in the same transaction:
escalation stops and the board hears of it at the commit, whatever surface the tutor used, with no job
polling for closed tasks afterwards.
"""

from __future__ import annotations

from sqlmodel import col, select

from alerts.models import OPEN_STATES, AlertOutcome
from alerts.push.notices import moved_notice, notify_after_commit, task_notice
from alerts.service import close as close_alert
from alerts.service import get_alert
from centrale.audit.models import AuditAction
from centrale.auth.actor import Actor, actor_of
from centrale.authz.policy import PersonAction, refusal_reason, visibility_clause
from centrale.errors import Invalid, NotFound
from centrale.flows import flow
from centrale.operators.models import Role
from centrale.persons.models import Person
from centrale.tasks import service
from centrale.tasks.models import ClosedVia, Reassignment, Task, TaskCreate, TaskState
from centrale.uow import Tx

#: who may create tasks and reassign them (the tutor closes; the centre and the case manager plan)
PLANNERS = frozenset({Role.COORDINATORE, Role.CASE_MANAGER})
#: who may record a task's outcome for its assignee (the centre, e.g. after a phone call with the tutor)
CLOSE_FOR_OTHERS = frozenset({Role.COORDINATORE})


async def visible_persons(tx: Tx, actor: Actor, person_ids: set[int]) -> set[int]:
    """Which of ``person_ids`` the actor may read (need to know), in one query."""
    if not person_ids:
        return set()
    rows = await tx.session.exec(
        select(col(Person.id)).where(
            col(Person.id).in_(person_ids), col(Person.deleted_at).is_(None), visibility_clause(actor)
        )
    )
    return {int(r) for r in rows.all() if r is not None}


async def _require_planner(tx: Tx, action: AuditAction, subtype: str, person_id: int | None) -> Actor:
    actor = tx.require_actor()
    if actor.role not in PLANNERS:
        raise await tx.deny(
            action,
            subtype,
            entity_type="Task",
            entity_id=None,
            person_id=person_id,
            reason=f"role {actor.role} may not plan tasks",
        )
    return actor


@flow("task.create")
async def create_task(tx: Tx, *, data: TaskCreate) -> Task:
    """A task by hand for a person the planner follows, assigned to an operator who follows them too."""
    actor = await _require_planner(tx, AuditAction.CREATE, "task.create", data.person_id)
    person = await tx.session.get(Person, data.person_id)
    if person is None or person.deleted_at is not None:
        raise NotFound("Persona", data.person_id)
    if not await visible_persons(tx, actor, {data.person_id}):
        raise await tx.deny(
            AuditAction.CREATE,
            "task.create",
            entity_type="Person",
            entity_id=data.person_id,
            person_id=data.person_id,
            reason=refusal_reason(actor, PersonAction.READ),
        )
    assignee = await actor_of(tx.session, data.assignee_id)
    if assignee is None or not await visible_persons(tx, assignee, {data.person_id}):
        raise Invalid(
            "assignee_id: l'operatore non segue questa persona (aggiungerlo all'équipe) / "
            "the operator does not follow this person",
            field="assignee_id",
        )
    task = await service.create_task(tx.session, data=data, created_by_id=actor.operator_id)
    tx.audit(AuditAction.CREATE, "task.create", entity_type="Task", entity_id=task.id, person_id=task.person_id)
    notify_after_commit(tx, task.assignee_id, task_notice(task))
    return task


@flow("task.close")
async def close_task(
    tx: Tx,
    *,
    task_id: int | None = None,
    code: str | None = None,
    state: TaskState = TaskState.SVOLTA,
    note: str | None = None,
    via: ClosedVia = ClosedVia.PAGINA,
) -> Task:
    """Record a task's outcome (by id, or by the code of "FATTO <code>"); its overdue alert is resolved with it.

    The assignee records their own work, a coordinatore may record it for them; either must be allowed
    to see the person. 404 unknown task, 403 refused (audited), 409 already closed."""
    actor = tx.require_actor()
    if task_id is not None:
        task = await service.get_task(tx.session, task_id=task_id, lock=True)
    elif code is not None:
        task = await service.get_task_by_code(tx.session, code=code, lock=True)
    else:
        raise Invalid("task_id: indicare l'attività o il suo codice / name the task or its code", field="task_id")
    reason = None
    if task.assignee_id != actor.operator_id and actor.role not in CLOSE_FOR_OTHERS:
        reason = "not the assignee of the task"
    elif not await visible_persons(tx, actor, {task.person_id}):
        reason = refusal_reason(actor, PersonAction.READ)
    if reason is not None:
        raise await tx.deny(
            AuditAction.UPDATE,
            "task.close",
            entity_type="Task",
            entity_id=task.id,
            person_id=task.person_id,
            reason=reason,
        )
    await service.close_loaded_task(
        tx.session, task, operator_id=actor.operator_id, state=state, note=note, channel=via
    )
    await _resolve_overdue_alert(tx, task, actor)
    tx.audit(AuditAction.UPDATE, "task.close", entity_type="Task", entity_id=task.id, person_id=task.person_id)
    return task


async def _resolve_overdue_alert(tx: Tx, task: Task, actor: Actor) -> None:
    """A late task recorded at last: its overdue alert has nothing left to chase (escalation stops now)."""
    if task.overdue_alert_id is None:
        return
    alert = await get_alert(tx.session, alert_id=task.overdue_alert_id, lock=True)
    if alert.state not in OPEN_STATES:  # resolved from the board meanwhile: nothing to do
        return
    cancel = task.state == TaskState.ANNULLATA
    await close_alert(
        tx.session,
        alert_id=task.overdue_alert_id,
        by=actor.operator_id,
        outcome=None if cancel else AlertOutcome.RISOLTA_SUL_POSTO,
        note=f"Attività {task.code}: {task.state}",
        cancel=cancel,
    )


@flow("task.reassign")
async def reassign_tasks(tx: Tx, *, data: Reassignment) -> list[Task]:
    """Absence cover: the open tasks of the period go to the substitute, if the planner sees every one's person.

    A task on a person the planner may not see refuses the whole move (nothing moved, no absence
    recorded), and the refusal names no task: its code would tell what the planner may not know."""
    actor = await _require_planner(tx, AuditAction.UPDATE, "task.reassign", None)
    substitute = await actor_of(tx.session, data.to_operator_id)
    if substitute is None:
        raise Invalid("to_operator_id: operatore non attivo / not active", field="to_operator_id")
    tasks = await service.tasks_in_absence(tx.session, data=data)
    persons = {t.person_id for t in tasks}
    hidden = sorted(persons - await visible_persons(tx, actor, persons))
    if hidden:
        count = sum(t.person_id in hidden for t in tasks)
        message = (
            f"Tra le attività del periodo ce ne sono {count} di persone che non segui: chiedi al coordinamento "
            "/ some of the period's tasks are on persons you do not follow"
        )
        refusals = [  # one row per person, so that each can be told who tried
            await tx.deny(
                AuditAction.UPDATE,
                "task.reassign",
                entity_type="Task",
                entity_id=None,
                person_id=person_id,
                reason="absence cover with tasks on a person the actor may not see",
                message=message,
            )
            for person_id in hidden
        ]
        raise refusals[-1]
    reachable = await visible_persons(tx, substitute, persons)
    unreachable = [t.code for t in tasks if t.person_id not in reachable]
    if unreachable:  # nothing changes: the substitute must first be able to follow these persons
        raise Invalid(
            f"to_operator_id: il sostituto non segue le persone di {len(unreachable)} attività "
            f"({', '.join(unreachable)}) / the substitute cannot follow them",
            field="to_operator_id",
        )
    moved = await service.reassign_tasks(tx.session, data=data, by_operator_id=actor.operator_id, tasks=tasks)
    for task in moved:
        tx.audit(AuditAction.UPDATE, "task.reassign", entity_type="Task", entity_id=task.id, person_id=task.person_id)
    if moved:
        notify_after_commit(tx, data.to_operator_id, moved_notice(moved))
    return moved
