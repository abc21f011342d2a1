"""Reading the outbox over HTTP: the events after a sequence number that this operator may see."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import and_, or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select

from centrale.auth.actor import Actor
from centrale.authz.policy import visibility_clause
from centrale.events.models import Event, EventPublic
from centrale.events.service import events_after
from centrale.persons.models import Person
from web.api.deps import CurrentActor, SessionDep

router = APIRouter(prefix="/events", tags=["eventi"])


class EventPage(BaseModel):
    """Events after ``after`` that the operator may see; resume from ``next_after`` (never skips one)."""

    data: list[EventPublic]
    next_after: int


def event_scope(actor: Actor) -> ColumnElement[bool]:
    """Events about a person only to who may read them; personal-channel events only to their recipient."""
    persons = select(col(Person.id)).where(visibility_clause(actor))
    about = or_(col(Event.person_id).is_(None), col(Event.person_id).in_(persons))
    to_me = or_(col(Event.recipient_operator_id).is_(None), col(Event.recipient_operator_id) == actor.operator_id)
    return and_(about, to_me)


@router.get("", response_model=EventPage, summary="Eventi dopo un numero di sequenza / events after a seq")
async def read_events(
    session: SessionDep,
    actor: CurrentActor,
    after: Annotated[int, Query(ge=0, description="Ultimo numero di sequenza già letto")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> EventPage:
    """Eventi (solo identificativi e codici) in ordine di sequenza; ``next_after`` per continuare."""
    found, mark = await events_after(session, after=after, limit=limit, where=event_scope(actor))
    return EventPage(data=[EventPublic.model_validate(e) for e in found], next_after=mark)
