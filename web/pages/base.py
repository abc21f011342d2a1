"""Server-rendered pages: sign-in, the board shell. Italian first."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context

from alerts.access import may_handle
from centrale.auth import flows as auth_flows
from centrale.auth.actor import actor_for_token
from centrale.auth.models import LoginIn
from centrale.auth.service import BadCredentials, SessionLimits, Throttled
from centrale.operators.models import Role
from centrale.uow import Tx
from web import container
from web.api.auth import anonymous_tx, login_arguments, set_session_cookie
from web.api.deps import COOKIE_NAME, SessionDep, client_address, flow_route
from web.i18n import BOARD_KEYS, code_words, label, lang_of, translator
from web.pages import nav
from web.words import formats, recurrence

templates = Jinja2Templates(directory=Path(__file__).parent.parent / "templates")
router = APIRouter(include_in_schema=False)


def _lang(context: Context) -> str:
    return str(context.get("lang") or "it")


@pass_context
def _label(context: Context, code: object, kind: str | None = None) -> str:
    return label(code, _lang(context), kind)


@pass_context
def _number(context: Context, value: object, decimals: int | None = None) -> str:
    return formats.number(value, decimals, _lang(context))


@pass_context
def _money(context: Context, value: object) -> str:
    return formats.money(value, _lang(context))


@pass_context
def _duration(context: Context, value: object) -> str:
    return formats.duration(value, _lang(context))  # type: ignore[arg-type]


@pass_context
def _counted(context: Context, count: int, one: str, many: str) -> str:
    return formats.counted(count, one, many, _lang(context))


@pass_context
def _rule(context: Context, rule: str | None, frequency: str | None = None) -> str:
    return recurrence.describe(rule, _lang(context), frequency)


# the words of every page: {{ case.state|label }}, {{ cost|euro }}, {{ minutes|duration }},
# {{ n|counted('caso', 'casi') }}, {{ rrule|rule }} ("ogni martedì alle 10")
templates.env.filters.update(
    label=_label, number=_number, euro=_money, money=_money, duration=_duration, counted=_counted, rule=_rule
)


def render(request: Request, name: str, status_code: int = 200, **context: object) -> HTMLResponse:
    lang = lang_of(request)
    actor = context.get("actor")
    menu = nav.entries_for(getattr(actor, "role", None)) if actor is not None else nav.entries_for(None)
    response = templates.TemplateResponse(
        request, name, {"t": translator(lang), "lang": lang, "nav": menu, **context}, status_code=status_code
    )
    if request.query_params.get("lang") == lang:
        response.set_cookie("lang", lang, samesite="lax", httponly=False, max_age=365 * 86400)
    return response


#: the title of an error page by status (404: "Pagina non trovata")
ERROR_TITLES = {
    400: "err_400",
    401: "err_401",
    403: "err_403",
    404: "err_404",
    405: "err_404",
    409: "err_409",
    413: "err_413",
    422: "err_422",
    429: "err_429",
    503: "err_503",
}


async def error_page(request: Request, status_code: int, reasons: list[str]) -> HTMLResponse:
    """The page a person sees when something fails: a title in words, the reasons, a way back."""
    try:
        actor = await page_actor(request)
    except Exception:  # the database may be what failed: the page is still shown, without the menu
        actor = None
    title = ERROR_TITLES.get(status_code, "err_500" if status_code >= 500 else "err_400")
    return render(request, "errors/error.html", status_code=status_code, actor=actor, title=title, reasons=reasons)


async def page_actor(request: Request):  # type: ignore[no-untyped-def]
    token = request.cookies.get(COOKIE_NAME)
    if not token:
        return None
    limits = SessionLimits.of(container.settings_of(request))
    return await actor_for_token(container.database(request), token, client_address(request), limits)


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> Response:
    actor = await page_actor(request)
    if actor is None:
        return render(request, "login.html", error=None)
    if actor.role == Role.TUTOR:  # a tutor's day is their tasks, on a phone
        return RedirectResponse("/attivita", status_code=303)
    lang = lang_of(request)
    t = translator(lang)
    words = {key: t(key) for key in BOARD_KEYS}
    words |= {f"code_{code}": text for code, text in code_words(lang).items()}  # the script's label(): W["code_" + c]
    return render(request, "board.html", actor=actor, words=words, handles=may_handle(actor))


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request) -> Response:
    return render(request, "login.html", error=None)


@router.post("/login", openapi_extra=flow_route("auth.login"))
async def login_submit(
    request: Request,
    session: SessionDep,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    tx = anonymous_tx(request, session)
    try:
        issued = await auth_flows.login(tx, **login_arguments(request, LoginIn(username=username, password=password)))
    except Throttled:
        return render(request, "login.html", status_code=429, error="throttled")
    except BadCredentials:
        return render(request, "login.html", status_code=401, error="bad_credentials")
    await tx.commit()
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(request, response, issued.token, container.settings_of(request).session_hours * 3600)
    return response


@router.post("/logout", openapi_extra=flow_route("auth.logout"))
async def logout_submit(request: Request, session: SessionDep) -> Response:
    token = request.cookies.get(COOKIE_NAME)
    if token:
        tx = Tx(session=session, db=container.database(request), actor=await page_actor(request))
        await auth_flows.logout(tx, token=token)
        await tx.commit()
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(COOKIE_NAME, path="/")
    return response
