"""FastAPI dependencies: who is asking, the session, the unit of work, and objects loaded under the policy.

A dependency that loads an object checks access and returns it, or raises the domain error that
``web/errors.py`` turns into 404/403 (the refusal already audited), so routes stay short.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import HTTPConnection

from centrale.audit.models import AuditAction
from centrale.auth.actor import Actor, actor_for_token
from centrale.auth.service import SessionLimits
from centrale.authz.case_guard import CaseAccess, check_case
from centrale.authz.guard import PersonAccess, check_person, deny
from centrale.authz.policy import CaseAction, PersonAction
from centrale.common import PageParams
from centrale.db import Database
from centrale.operators.models import Role
from centrale.settings import Settings
from centrale.uow import Tx
from web.container import database, settings_of

COOKIE_NAME = "centrale_session"

_bearer = HTTPBearer(auto_error=False, description="Token di sessione / session token")


def client_address(conn: HTTPConnection) -> str | None:
    return conn.client.host if conn.client else None


def session_token(conn: HTTPConnection, bearer: HTTPAuthorizationCredentials | None = None) -> str | None:
    if bearer is not None and bearer.scheme.lower() == "bearer":
        return bearer.credentials
    return conn.cookies.get(COOKIE_NAME)


def get_database(request: Request) -> Database:
    return database(request)


def get_settings_dep(request: Request) -> Settings:
    return settings_of(request)


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request; flows commit what they change."""
    async with database(request).sessionmaker() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]
DatabaseDep = Annotated[Database, Depends(get_database)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


async def current_actor(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    """The signed-in operator, or 401."""
    token = session_token(request, bearer)
    actor = None
    if token:
        limits = SessionLimits.of(settings_of(request))
        actor = await actor_for_token(database(request), token, client_address(request), limits)
    if actor is None:
        raise HTTPException(
            status_code=401,
            detail="Accesso richiesto / sign-in required",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return actor


CurrentActor = Annotated[Actor, Depends(current_actor)]


def require_roles(*roles: Role):  # type: ignore[no-untyped-def]
    """A dependency that lets only the given roles through (403 otherwise, audited like every refusal)."""

    async def _check(request: Request, actor: CurrentActor) -> Actor:
        if actor.role not in roles:
            raise await deny(
                database(request),
                actor,
                action=AuditAction.EXECUTE,
                subtype=f"role-gate {request.method} {request.url.path}"[:120],
                entity_type="Route",
                entity_id=None,
                person_id=None,
                reason=f"role {actor.role} not among {', '.join(sorted(r.value for r in roles))}",
            )
        return actor

    return _check


async def get_tx(request: Request, actor: CurrentActor, session: SessionDep) -> Tx:
    """The unit of work of a request: the session, the actor, events, audit, refusals, after-commit work."""
    return Tx(session=session, db=database(request), actor=actor)


TxDep = Annotated[Tx, Depends(get_tx)]


def page_params(
    offset: Annotated[int, Query(ge=0, description="Righe da saltare / rows to skip")] = 0,
    limit: Annotated[int, Query(ge=1, le=500, description="Righe per pagina / rows per page")] = 50,
) -> PageParams:
    return PageParams(offset=offset, limit=limit)


PagingDep = Annotated[PageParams, Depends(page_params)]


def person_guard(action: PersonAction, subtype: str) -> Callable[..., Awaitable[PersonAccess]]:
    """Dependency for routes with a ``person_id`` path parameter."""

    async def _guard(person_id: int, request: Request, actor: CurrentActor, session: SessionDep) -> PersonAccess:
        return await check_person(session, database(request), actor, person_id, action, subtype)

    return _guard


def case_guard(action: CaseAction, subtype: str) -> Callable[..., Awaitable[CaseAccess]]:
    """Dependency for routes with a ``case_id`` path parameter."""

    async def _guard(case_id: int, request: Request, actor: CurrentActor, session: SessionDep) -> CaseAccess:
        return await check_case(session, database(request), actor, case_id, action, subtype)

    return _guard


def flow_route(name: str) -> dict[str, Any]:
    """``openapi_extra`` of a state-changing route (API or page): the flow it calls (``centrale.flows``)."""
    return {"x-flow": name}
