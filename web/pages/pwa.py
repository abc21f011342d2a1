"""The installable app: its service worker at the site's root, the notices page, and which pages are the app.

The service worker (``web/static/sw.js``) is served from ``/sw.js`` so that its scope is the whole site;
it shows the pushes and keeps the tutors' page for when the connection drops. The pages that are the app
(the board, the tutors' page, this notices page) link the manifest and register the worker.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from sqlmodel import col, select

from alerts.push import flows
from alerts.push.models import PushSubscription
from centrale.clock import to_rome
from centrale.errors import DomainError, Refused
from centrale.uow import Tx
from web import container
from web.api.deps import SessionDep, flow_route
from web.errors import status_of
from web.i18n import lang_of, translator
from web.pages import nav
from web.pages.base import page_actor, render, templates
from web.words import push as _words  # noqa: F401 - registers the page's words

router = APIRouter(include_in_schema=False)
STATIC = Path(__file__).parent.parent / "static"
#: the pages that are the installable app (they link the manifest and register the service worker)
APP_PAGES = frozenset({"/", "/attivita", "/avvisi"})
NOTICES = "/avvisi"

nav.add(NOTICES, "nav_notices", order=95)


def is_app_page(request: Request) -> bool:
    return request.url.path in APP_PAGES


templates.env.globals["is_app_page"] = is_app_page


async def service_worker(_request: Request) -> Response:
    """The worker from the root path: its scope is every page (``Service-Worker-Allowed`` says so too).
    A plain route, not a page: a script, which the page walks need not open."""
    return FileResponse(STATIC / "sw.js", media_type="text/javascript", headers={"Service-Worker-Allowed": "/"})


router.add_route("/sw.js", service_worker, methods=["GET"], include_in_schema=False)


def device_words(user_agent: str | None, lang: str) -> str:
    """A browser and a system in words ("Chrome su Android"), never the raw user agent string."""
    text = user_agent or ""
    browser = next(
        (
            name
            for key, name in (("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari"))
            if key in text
        ),
        None,
    )
    system = next(
        (
            name
            for key, name in (
                ("Android", "Android"),
                ("iPhone", "iPhone"),
                ("iPad", "iPad"),
                ("Windows", "Windows"),
                ("Mac OS", "Mac"),
                ("Linux", "Linux"),
            )
            if key in text
        ),
        None,
    )
    if browser is None:
        return str(translator(lang)("pw_unknown_device"))
    joiner = " su " if lang == "it" else " on "
    return browser + (joiner + system if system else "")


def _when(value: datetime | None) -> str | None:
    return to_rome(value).strftime("%d/%m/%Y %H:%M") if value is not None else None


async def _page(
    request: Request,
    session: SessionDep,
    *,
    message: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    actor = await page_actor(request)
    if actor is None:
        return RedirectResponse(f"/login?next={NOTICES}", status_code=303)
    rows = (
        await session.exec(
            select(PushSubscription)
            .where(col(PushSubscription.operator_id) == actor.operator_id)
            .order_by(col(PushSubscription.created_at))
        )
    ).all()
    lang = lang_of(request)
    devices = [
        {
            "id": r.id,
            "name": device_words(r.user_agent, lang),
            "since": _when(r.created_at),
            "last": _when(r.last_success_at),
        }
        for r in rows
    ]
    return render(
        request,
        "push/devices.html",
        status_code=status_code,
        actor=actor,
        devices=devices,
        message=message,
        error=error,
    )


@router.get(NOTICES, response_class=HTMLResponse)
async def notices_page(request: Request, session: SessionDep) -> Response:
    removed = request.query_params.get("tolto") == "1"
    return await _page(request, session, message=translator(lang_of(request))("pw_removed") if removed else None)


@router.post(NOTICES + "/{subscription_id}/togli", openapi_extra=flow_route("push.unsubscribe"))
async def remove_device(subscription_id: int, request: Request, session: SessionDep) -> Response:
    actor = await page_actor(request)
    if actor is None:
        return RedirectResponse(f"/login?next={NOTICES}", status_code=303)
    tx = Tx(session=session, db=container.database(request), actor=actor)
    try:
        await flows.unsubscribe(tx, subscription_id=subscription_id)
    except DomainError as exc:  # someone else's device (refused, audited by the flow) or gone already
        await tx.rollback()
        t = translator(lang_of(request))
        sentence = t("pw_refused") if isinstance(exc, Refused) else t("pw_none")
        return await _page(request, session, error=sentence, status_code=status_of(exc))
    await tx.commit()
    return RedirectResponse(f"{NOTICES}?tolto=1", status_code=303)
