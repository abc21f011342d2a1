"""The ``Idempotency-Key`` header: a request sent again (the offline page's queue, a retry) changes nothing.

The tutors' page sends a "Fatto" pressed without connection when the connection returns, and may send it
twice (two tabs, a reply lost on the way back). With a key, the first successful outcome is kept with the
change (``centrale.idempotency``) and any later request with that key gets it back, marked
``Idempotent-Replayed: true``, without running the flow: no second close, no second audit row. A request
that raced the first and lost (the task was already closed under its lock) gets the first outcome too.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError

from centrale import idempotency
from centrale.errors import DomainError, Invalid
from centrale.uow import Tx

HEADER = "Idempotency-Key"
_KEY = re.compile(r"^[A-Za-z0-9_\-]{8,80}$")


def key_of(request: Request) -> str | None:
    """The request's key, if it sent one (a UUID fits): 422 naming the header when it is malformed."""
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not _KEY.match(key):
        raise Invalid(
            f"{HEADER}: da 8 a 80 lettere, cifre, '-' o '_' / 8 to 80 letters, digits, '-' or '_'", field=HEADER
        )
    return key


def _replay(outcome: idempotency.IdempotentOutcome) -> JSONResponse:
    return JSONResponse(outcome.body, status_code=outcome.status_code, headers={"Idempotent-Replayed": "true"})


async def _recall_fresh(tx: Tx, key: str) -> idempotency.IdempotentOutcome | None:
    actor = tx.require_actor()
    async with tx.db.sessionmaker() as session:
        return await idempotency.recall(session, operator_id=actor.operator_id, key=key)


async def once(
    request: Request, tx: Tx, *, scope: str, status_code: int, run: Callable[[], Awaitable[dict[str, Any]]]
) -> JSONResponse | dict[str, Any]:
    """Run ``run`` (a flow, returning the answer's JSON) at most once per key; commit; the answer.

    Without a key: run and commit. With a key already used: the first answer (for the same ``scope``;
    422 if the key was used for something else)."""
    key = key_of(request)
    if key is None:
        body = await run()
        await tx.commit()
        return body
    actor = tx.require_actor()
    earlier = await idempotency.recall(tx.session, operator_id=actor.operator_id, key=key)
    if earlier is not None:
        return _check_scope(earlier, scope)
    try:
        body = await run()
        await idempotency.remember(
            tx.session, operator_id=actor.operator_id, key=key, scope=scope, status_code=status_code, body=body
        )
        await tx.commit()
    except (DomainError, IntegrityError):
        await tx.rollback()
        earlier = await _recall_fresh(tx, key)  # a twin request committed first: its outcome is ours
        if earlier is None:
            raise
        return _check_scope(earlier, scope)
    return JSONResponse(body, status_code=status_code)


def _check_scope(outcome: idempotency.IdempotentOutcome, scope: str) -> JSONResponse:
    if outcome.scope != scope:
        raise Invalid(
            f"{HEADER}: chiave già usata per un'altra richiesta / key already used for another request", field=HEADER
        )
    return _replay(outcome)
