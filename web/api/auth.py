"""Sign-in and sign-out for the API and the pages."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response

from centrale.audit.models import AuditAction, AuditOutcome, AuditPurpose
from centrale.audit.service import Agent, build_event, record_now
from centrale.auth import service
from centrale.auth.models import LoginIn, LoginOut
from centrale.operators.models import Operator, OperatorPublic
from web import container
from web.api.deps import COOKIE_NAME, CurrentActor, SessionDep, client_address

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


async def do_login(request: Request, session: SessionDep, data: LoginIn) -> service.IssuedSession:
    """Shared by the API and the sign-in page: 429 when throttled, 401 on bad credentials."""
    settings = container.settings_of(request)
    source = client_address(request)
    try:
        return await service.login(
            session,
            username=data.username,
            password=data.password,
            max_failures=settings.login_max_failures_per_minute,
            session_hours=settings.session_hours,
            source_address=source,
        )
    except service.Throttled as exc:
        await record_now(
            container.database(request).sessionmaker,
            build_event(
                agent=Agent(None, data.username[:80], None, None, source),
                action=AuditAction.EXECUTE,
                subtype="login.throttled",
                entity_type="Operator",
                entity_id=None,
                person_id=None,
                outcome=AuditOutcome.DENIED,
                outcome_desc="too many failed attempts",
                purpose=AuditPurpose.HOPERAT,
            ),
        )
        raise HTTPException(
            status_code=429,
            detail="Troppi tentativi: riprova tra un minuto / too many attempts, retry in a minute",
            headers={"Retry-After": "60"},
        ) from exc
    except service.BadCredentials as exc:
        raise HTTPException(status_code=401, detail="Credenziali non valide / invalid credentials") from exc


@router.post("/login", response_model=LoginOut, summary="Accedi / sign in")
async def login(data: LoginIn, request: Request, response: Response, session: SessionDep) -> LoginOut:
    issued = await do_login(request, session, data)
    set_session_cookie(request, response, issued.token, container.settings_of(request).session_hours * 3600)
    assert issued.operator.id is not None
    return LoginOut(
        access_token=issued.token,
        expires_at=issued.expires_at,
        operator_id=issued.operator.id,
        full_name=issued.operator.full_name,
        role=issued.operator.role.value,
    )


@router.post("/logout", status_code=204, summary="Esci / sign out (revokes the session)")
async def logout(actor: CurrentActor, session: SessionDep) -> Response:
    await service.logout(session, actor.token)
    response = Response(status_code=204)
    response.delete_cookie(COOKIE_NAME, path="/")
    return response


@router.get("/me", response_model=OperatorPublic, summary="Chi sono / the signed-in operator")
async def me(actor: CurrentActor, session: SessionDep) -> OperatorPublic:
    operator = await session.get(Operator, actor.operator_id)
    return OperatorPublic.model_validate(operator)
