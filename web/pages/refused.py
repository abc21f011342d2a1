"""What a page form does around a flow: the unit of work of the signed-in operator, and the page that says,
in Italian, why a flow refused (403) or found nothing (404) where the form itself cannot be shown again."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from centrale.auth.actor import Actor
from centrale.errors import DomainError, NotFound
from centrale.uow import Tx
from web import container
from web.api.deps import SessionDep
from web.errors import domain_sentence, status_of
from web.i18n import lang_of
from web.pages.base import render
from web.pages.cases import _actor


async def page_tx(request: Request, session: SessionDep) -> Tx:
    """The unit of work of a page form (redirects to the sign-in page when nobody is signed in)."""
    return Tx(session=session, db=container.database(request), actor=await _actor(request))


def refused_page(request: Request, actor: Actor, exc: DomainError, *, back: str) -> Response:
    """The refusal (already audited by the flow) or the missing object, said in a sentence."""
    title = "Non trovato" if isinstance(exc, NotFound) else "Operazione non consentita"
    return render(
        request,
        "cases/refused.html",
        status_code=status_of(exc),
        actor=actor,
        title=title,
        error=domain_sentence(exc.message, lang_of(request)),
        back=back,
    )
