"""Sign-in and sign-out for the API and the pages; an operator's change of their own password."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response

from centrale.auth import flows
from centrale.auth.models import LoginIn, LoginOut
from centrale.auth.service import BadCredentials, LoginLimits, SessionLimits, Throttled
from centrale.operators import flows as operator_flows
from centrale.operators.models import Operator, OperatorPublic, PasswordChange
from centrale.uow import Tx
from web import container
from web.api.deps import COOKIE_NAME, CurrentActor, SessionDep, SettingsDep, TxDep, client_address, flow_route

router = APIRouter(prefix="/auth", tags=["accesso"])


def set_session_cookie(request: Request, response: Response, token: str, max_age: int) -> None:
    settings = container.settings_of(request)
    response.set_cookie(
        COOKIE_NAME,
        token,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        path="/",
    )


def anonymous_tx(request: Request, session: SessionDep) -> Tx:
    """The unit of work of someone not signed in (signing in, signing out)."""
    return Tx(session=session, db=container.database(request))


def login_arguments(request: Request, data: LoginIn) -> dict[str, Any]:
    """What ``flows.login`` needs from a request: the credentials, the address, this instance's limits."""
    settings = container.settings_of(request)
    return {
        "username": data.username,
        "password": data.password,
        "source_address": client_address(request),
        "limits": LoginLimits.of(settings),
        "sessions": SessionLimits.of(settings),
    }


@contextmanager
def login_refusals() -> Iterator[None]:
    """429 when throttled, 401 on bad credentials (the API's answers; the page renders its own)."""
    try:
        yield
    except Throttled as exc:
        raise HTTPException(
            status_code=429,
            detail="Troppi tentativi: riprova più tardi / too many attempts, retry later",
            headers={"Retry-After": str(exc.retry_after)},
        ) from exc
    except BadCredentials as exc:
        raise HTTPException(status_code=401, detail="Credenziali non valide / invalid credentials") from exc


@router.post("/login", response_model=LoginOut, summary="Accedi / sign in", openapi_extra=flow_route("auth.login"))
async def login(data: LoginIn, request: Request, response: Response, session: SessionDep) -> LoginOut:
    tx = anonymous_tx(request, session)
    with login_refusals():
        issued = await flows.login(tx, **login_arguments(request, data))
    await tx.commit()
    set_session_cookie(request, response, issued.token, container.settings_of(request).session_hours * 3600)
    assert issued.operator.id is not None
    return LoginOut(
        access_token=issued.token,
        expires_at=issued.expires_at,
        operator_id=issued.operator.id,
        full_name=issued.operator.full_name,
        role=issued.operator.role.value,
    )


@router.post(
    "/logout",
    status_code=204,
    summary="Esci / sign out (revokes the session)",
    openapi_extra=flow_route("auth.logout"),
)
async def logout(tx: TxDep) -> Response:
    await flows.logout(tx, token=tx.require_actor().token)
    await tx.commit()
    response = Response(status_code=204)
    response.delete_cookie(COOKIE_NAME, path="/")
    return response


@router.post(
    "/password",
    status_code=204,
    summary="Cambia la propria password (chiude le altre sessioni) / change one's own password",
    openapi_extra=flow_route("operator.set_password"),
)
async def change_password(data: PasswordChange, tx: TxDep, settings: SettingsDep) -> Response:
    actor = tx.require_actor()
    await operator_flows.set_password(
        tx,
        operator_id=actor.operator_id,
        password=data.new_password,
        current_password=data.current_password,
        limits=LoginLimits.of(settings),
    )
    await tx.commit()
    return Response(status_code=204)


@router.get("/me", response_model=OperatorPublic, summary="Chi sono / the signed-in operator")
async def me(actor: CurrentActor, session: SessionDep) -> OperatorPublic:
    operator = await session.get(Operator, actor.operator_id)
    return OperatorPublic.model_validate(operator)
