"""The unit of work: one transaction of one actor, with its events, audit rows, refusals and after-commit work.

Every state change goes through a flow that takes a ``Tx``. The REST route and the page receive one as
a dependency, an SMS command and a scheduled job open one with ``Tx.open`` (or ``Tx.system``): the same
object, the same rules.

- ``emit`` adds an event to the outbox; it exists if and only if the change commits.
- ``audit`` adds an audit row to the same transaction.
- ``deny`` records a refusal in a transaction of its own (the request itself will not commit) and
  returns the domain error to raise.
- ``after_commit`` queues work that talks to the outside (an SMS, a wake-up): it runs only once the
  change is committed, and a failure in it does not undo the change.
- ``commit`` numbers and writes the events, commits, wakes the readers, then runs the queued work.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.audit.models import AuditAction, AuditPurpose
from centrale.audit.service import Agent, build_event, record, record_now, refusal
from centrale.auth.actor import Actor
from centrale.db import Database
from centrale.errors import Refused
from centrale.events import service as events

log = logging.getLogger(__name__)

SYSTEM = Agent(operator_id=None, name="Centrale (sistema)", role="system", org_id=None, source_address=None)

AfterCommit = Callable[[], Awaitable[Any]]


@dataclass
class Tx:
    """A transaction of one actor (an operator, a sentinel's SMS, or the system's jobs)."""

    session: AsyncSession
    db: Database
    actor: Actor | None = None
    agent: Agent | None = None
    _after: list[AfterCommit] = field(default_factory=list)
    #: record a refusal in this transaction rather than in one of its own (see ``within``)
    refusals_inline: bool = False

    def __post_init__(self) -> None:
        if self.agent is None:
            self.agent = self.actor.agent() if self.actor is not None else SYSTEM

    @classmethod
    @asynccontextmanager
    async def open(cls, db: Database, *, actor: Actor | None = None, agent: Agent | None = None) -> AsyncIterator[Tx]:
        """A unit of work on a new session (SMS commands, jobs, scripts); rolled back unless committed."""
        async with db.sessionmaker() as session:
            yield cls(session=session, db=db, actor=actor, agent=agent)

    @classmethod
    def within(cls, session: AsyncSession, *, actor: Actor | None = None) -> Tx:
        """A unit of work inside a transaction its caller owns and commits whatever the flow decides (an
        SMS command: the message is stored and answered either way); a refusal is recorded in that same
        transaction, since on SQLite a second writer would wait for this one, which waits for it."""
        assert isinstance(session.bind, AsyncEngine)
        return cls(session=session, db=Database.of_engine(session.bind), actor=actor, refusals_inline=True)

    @property
    def who(self) -> Agent:
        assert self.agent is not None
        return self.agent

    def require_actor(self) -> Actor:
        """The operator acting (flows that only a signed-in person may run)."""
        if self.actor is None:
            raise Refused("Serve un operatore autenticato / a signed-in operator is required")
        return self.actor

    def emit(
        self,
        *,
        kind: str,
        entity_type: str,
        entity_id: object,
        person_id: int | None = None,
        payload: dict[str, Any] | None = None,
        recipient_operator_id: int | None = None,
    ) -> None:
        events.emit(
            self.session,
            kind=kind,
            entity_type=entity_type,
            entity_id=entity_id,
            person_id=person_id,
            payload=payload,
            recipient_operator_id=recipient_operator_id,
        )

    def audit(
        self,
        action: AuditAction,
        subtype: str,
        *,
        entity_type: str,
        entity_id: object | None,
        person_id: int | None,
        outcome_desc: str | None = None,
        purpose: AuditPurpose = AuditPurpose.CAREMGT,
    ) -> None:
        record(
            self.session,
            build_event(
                agent=self.who,
                action=action,
                subtype=subtype,
                entity_type=entity_type,
                entity_id=entity_id,
                person_id=person_id,
                outcome_desc=outcome_desc,
                purpose=purpose,
            ),
        )

    async def deny(
        self,
        action: AuditAction,
        subtype: str,
        *,
        entity_type: str,
        entity_id: object | None,
        person_id: int | None,
        reason: str,
        message: str | None = None,
    ) -> Refused:
        """Commit an audit row of the refusal in its own transaction and return the error to raise."""
        event = refusal(
            agent=self.who,
            action=action,
            subtype=subtype,
            entity_type=entity_type,
            entity_id=entity_id,
            person_id=person_id,
            reason=reason,
        )
        if self.refusals_inline:
            record(self.session, event)
        else:
            await record_now(self.db.sessionmaker, event)
        return Refused(message) if message else Refused()

    def after_commit(self, work: AfterCommit) -> None:
        """Run ``work`` once the change is committed (never if it is not)."""
        self._after.append(work)

    async def commit(self) -> None:
        """Write the events, commit, wake the readers, then run the after-commit work."""
        await events.commit(self.session)
        work, self._after = self._after, []
        for job in work:
            try:
                await job()
            except Exception:  # the change is committed; what follows it must not turn it into an error
                log.exception("after-commit work failed")

    async def rollback(self) -> None:
        self._after.clear()
        await self.session.rollback()
