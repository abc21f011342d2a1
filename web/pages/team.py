"""Pages of a case's care team (équipe) and diary (diario)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.auth.actor import Actor
from centrale.authz.case_guard import CaseAccess
from centrale.authz.policy import CaseAction, Section, case_clause
from centrale.cases import flows
from centrale.cases import service as cases
from centrale.cases.models import Case, DiaryEntryIn, DiaryKind, TeamMemberIn, TeamRole
from centrale.clock import ROME, to_rome
from centrale.errors import Conflict, DomainError, Invalid
from centrale.operators.models import Operator
from centrale.organisations.models import Organisation
from centrale.persons.models import Person
from centrale.uow import Tx
from web.api.deps import SessionDep, flow_route
from web.pages.base import render, templates
from web.pages.cases import _case, _error
from web.pages.refused import page_tx, refused_page

router = APIRouter(include_in_schema=False)

#: what a person writes in the diary; CAMBIO_STATO entries are written by the system on a transition
DIARY_KINDS = [k for k in DiaryKind if k != DiaryKind.CAMBIO_STATO]


async def may(session: AsyncSession, actor: Actor, case: Case, action: CaseAction) -> bool:
    """Whether the policy would allow the action (to offer the form; the server still checks on submit)."""
    found = await session.exec(
        select(col(Person.id)).where(col(Person.id) == case.person_id, case_clause(actor, action))
    )
    return found.first() is not None


async def _names(session: AsyncSession) -> tuple[list[Organisation], dict[int, str], list[Operator]]:
    orgs = list(
        (
            await session.exec(
                select(Organisation).where(col(Organisation.deleted_at).is_(None)).order_by(col(Organisation.name))
            )
        ).all()
    )
    ops = list(
        (
            await session.exec(
                select(Operator)
                .where(col(Operator.active).is_(True), col(Operator.deleted_at).is_(None))
                .order_by(col(Operator.full_name))
            )
        ).all()
    )
    return orgs, {o.id or 0: o.name for o in orgs}, ops


# --- care team ------------------------------------------------------------------------------------------


async def _team_page(request: Request, session: AsyncSession, access: CaseAccess, error: str | None = None) -> Response:
    orgs, org_names, ops = await _names(session)
    op_names = {o.id: o.full_name for o in ops}
    members = await cases.team(session, case_id=access.case_id)
    return render(
        request,
        "cases/team.html",
        status_code=409 if error else 200,
        actor=access.actor,
        case=access.case,
        members=members,
        orgs=orgs,
        org_names=org_names,
        operators=ops,
        op_names=op_names,
        manager=op_names.get(access.case.case_manager_id, str(access.case.case_manager_id)),
        roles=list(TeamRole),
        can_manage=await may(session, access.actor, access.case, CaseAction.MANAGE),
        error=error,
    )


@router.get("/casi/{case_id}/equipe", response_class=HTMLResponse)
async def team_page(request: Request, session: SessionDep, case_id: int) -> Response:
    access = await _case(request, session, case_id, CaseAction.READ, "case.team_page")
    await access.require_section(Section.TEAM, "case.team_page")
    return await _team_page(request, session, access)


PageOf = Callable[[Request, AsyncSession, CaseAccess, str | None], Awaitable[Response]]
#: the section a page shows -> the audit subtype of showing it
_PAGE_SUBTYPE = {Section.TEAM: "case.team_page", Section.DIARY: "case.diary_page"}


async def _again(
    request: Request, session: AsyncSession, tx: Tx, case_id: int, exc: Exception, page: PageOf, section: Section
) -> Response:
    """After a failed change: the same page with the reason, or the refusal (already audited by the flow)."""
    await tx.rollback()
    back = f"/casi/{case_id}"
    if isinstance(exc, DomainError) and not isinstance(exc, Conflict | Invalid):
        return refused_page(request, tx.require_actor(), exc, back=back)
    # the form may have failed before the flow authorised anything: showing the page again is a read
    subtype = _PAGE_SUBTYPE[section]
    try:
        access = await _case(request, session, case_id, CaseAction.READ, subtype)
        await access.require_section(section, subtype)
    except DomainError as refused:
        return refused_page(request, tx.require_actor(), refused, back=back)
    return await page(request, session, access, _error(exc))


@router.post("/casi/{case_id}/equipe", openapi_extra=flow_route("case.team_add"))
async def team_add(request: Request, session: SessionDep, case_id: int) -> Response:
    tx = await page_tx(request, session)
    form = {k: v for k, v in (await request.form()).items() if v != ""}
    try:
        await flows.add_team_member(tx, case_id=case_id, data=TeamMemberIn.model_validate(form))
    except (ValidationError, DomainError) as exc:
        return await _again(request, session, tx, case_id, exc, _team_page, Section.TEAM)
    await tx.commit()
    return RedirectResponse(f"/casi/{case_id}/equipe", status_code=303)


@router.get("/casi/{case_id}/equipe/{member_id}/rimuovi", response_class=HTMLResponse)
async def team_remove_confirm(request: Request, session: SessionDep, case_id: int, member_id: int) -> Response:
    access = await _case(request, session, case_id, CaseAction.MANAGE, "case.team_remove_form")
    members = {m.id: m for m in await cases.team(session, case_id=case_id)}
    if member_id not in members:
        return await _team_page(request, session, access, error=f"member_id: {member_id} non è un membro attivo")
    _orgs, org_names, ops = await _names(session)
    return render(
        request,
        "cases/team_remove.html",
        actor=access.actor,
        case=access.case,
        m=members[member_id],
        org_names=org_names,
        op_names={o.id: o.full_name for o in ops},
    )


@router.post("/casi/{case_id}/equipe/{member_id}/rimuovi", openapi_extra=flow_route("case.team_remove"))
async def team_remove(request: Request, session: SessionDep, case_id: int, member_id: int) -> Response:
    tx = await page_tx(request, session)
    try:
        await flows.remove_team_member(tx, case_id=case_id, member_id=member_id)
    except DomainError as exc:
        return await _again(request, session, tx, case_id, exc, _team_page, Section.TEAM)
    await tx.commit()
    return RedirectResponse(f"/casi/{case_id}/equipe", status_code=303)


# --- diary ----------------------------------------------------------------------------------------------


async def _diary_page(
    request: Request, session: AsyncSession, access: CaseAccess, error: str | None = None
) -> Response:
    _orgs, org_names, _ops = await _names(session)
    return render(
        request,
        "cases/diary.html",
        status_code=422 if error else 200,
        actor=access.actor,
        case=access.case,
        entries=await cases.diary(session, case_id=access.case_id),
        kinds=DIARY_KINDS,
        org_names=org_names,
        can_write=await may(session, access.actor, access.case, CaseAction.CONTRIBUTE),
        error=error,
    )


@router.get("/casi/{case_id}/diario", response_class=HTMLResponse)
async def diary_page(request: Request, session: SessionDep, case_id: int) -> Response:
    access = await _case(request, session, case_id, CaseAction.READ, "case.diary_page")
    await access.require_section(Section.DIARY, "case.diary_page")
    return await _diary_page(request, session, access)


def _local(value: str) -> datetime | None:
    """A datetime-local field is Rome time; stored in UTC."""
    return datetime.fromisoformat(value).replace(tzinfo=ROME) if value else None


@router.post("/casi/{case_id}/diario", openapi_extra=flow_route("case.diary_add"))
async def diary_add(request: Request, session: SessionDep, case_id: int) -> Response:
    tx = await page_tx(request, session)
    form = await request.form()
    try:
        try:
            happened = _local(str(form.get("happened_at") or ""))
        except ValueError as exc:
            raise Invalid("happened_at: data e ora non valide / invalid date and time", field="happened_at") from exc
        data = DiaryEntryIn.model_validate(
            {"kind": form.get("kind"), "text": form.get("text"), "happened_at": happened}
        )
        await flows.add_diary_entry(tx, case_id=case_id, data=data)
    except (ValidationError, DomainError) as exc:
        return await _again(request, session, tx, case_id, exc, _diary_page, Section.DIARY)
    await tx.commit()
    return RedirectResponse(f"/casi/{case_id}/diario", status_code=303)


def rome(moment: datetime) -> str:
    return to_rome(moment).strftime("%d/%m/%Y %H:%M")


templates.env.filters["rome"] = rome
