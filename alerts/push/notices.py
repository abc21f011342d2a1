"""The notices the task flows send: a code and a short word, the details after the page opens.

A tutor out on visits learns of a new task, or of tasks moved to them for a colleague's absence, on the
phone's lock screen: "Nuova attività T-12". The person's name, address or needs never travel in a push.
"""

from __future__ import annotations

from alerts.push.service import push_to_operator
from centrale.ports import PushMessage
from centrale.tasks.models import Task
from centrale.uow import Tx

TASKS_PAGE = "/attivita"


def task_notice(task: Task) -> PushMessage:
    return PushMessage(
        title=f"Nuova attività {task.code}", body="Apri Le mie attività", url=TASKS_PAGE, tag=f"task-{task.id}"
    )


def moved_notice(tasks: list[Task]) -> PushMessage:
    if len(tasks) == 1:
        return task_notice(tasks[0])
    return PushMessage(
        title=f"{len(tasks)} nuove attività", body="Apri Le mie attività", url=TASKS_PAGE, tag="task-moved"
    )


def notify_after_commit(tx: Tx, operator_id: int | None, message: PushMessage) -> None:
    """Push ``message`` to the operator's browsers once the change is committed (never if it is not)."""
    if operator_id is None:
        return
    database = tx.db

    async def send() -> None:
        await push_to_operator(database, operator_id, message)

    tx.after_commit(send)
