"""Interoperability from the page: a case's FHIR bundle to download and its SIUSS flows (waiting, sent, INPS's
outcome and errors in words, what still blocks the others), and the district's evaluation export with the
state of its pseudonymisation key."""

from __future__ import annotations

import json
from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func
from sqlmodel import col, select

from centrale.authz.policy import CASE_RULES, CaseAction, Section
from centrale.clock import to_rome, utcnow
from centrale.errors import DomainError
from centrale.operators.models import Role
from centrale.persons.models import Person
from integrations.evaluation.panel import parquet_available
from integrations.fhir.bundle import build_bundle
from integrations.fhir.profiles import MEDIA_TYPE
from integrations.siuss import service as siuss
from integrations.siuss.flows import emit_siuss_flows
from integrations.siuss.models import FlowStatus, SiussFlow
from web import container
from web.api.deps import SessionDep, flow_route
from web.pages import nav
from web.pages.base import render
from web.pages.cases import _case
from web.pages.refused import page_tx, refused_page
from web.words import admin as _words  # noqa: F401  (registers the words)

router = APIRouter(include_in_schema=False)
DISTRICT_READERS = {Role.AMMINISTRATORE, Role.COORDINATORE, Role.ANALISTA}
nav.add("/interoperabilita", "ad_interop", roles=DISTRICT_READERS, order=95)

STATUS_WORDS = {
    FlowStatus.EMESSO: "In attesa: pronto per INPS, non ancora acquisito",
    FlowStatus.ACQUISITO: "Acquisito da INPS",
    FlowStatus.SCARTATO: "Scartato da INPS",
}


@router.get("/casi/{case_id}/interoperabilita", response_class=HTMLResponse)
async def case_interop(request: Request, session: SessionDep, case_id: int) -> Response:
    """The case's SIUSS flows and its FHIR bundle (read under the case rules, audited)."""
    tx = await page_tx(request, session)
    try:
        access = await _case(request, session, case_id, CaseAction.READ, "case.siuss.read")
        await access.require_section(Section.PLAN, "case.siuss.read")
    except DomainError as exc:
        return refused_page(request, tx.require_actor(), exc, back="/casi")
    status = await siuss.case_status(session, case=access.case, settings=container.settings_of(request))
    person = await session.get(Person, access.case.person_id)
    return render(
        request,
        "admin/case_interop.html",
        actor=access.actor,
        case=access.case,
        person=person,
        status=status,
        words=STATUS_WORDS,
        rome=to_rome,
        may_emit=CaseAction.MANAGE in _rules(access.actor.role),
    )


def _rules(role: Role) -> set[CaseAction]:
    return set(CASE_RULES.get(role, {}))


@router.post("/casi/{case_id}/interoperabilita/siuss", openapi_extra=flow_route("siuss.emit"))
async def case_emit(request: Request, session: SessionDep, case_id: int) -> Response:
    tx = await page_tx(request, session)
    try:
        await emit_siuss_flows(tx, case_id=case_id, settings=container.settings_of(request))
    except DomainError as exc:
        await tx.rollback()
        return refused_page(request, tx.require_actor(), exc, back=f"/casi/{case_id}/interoperabilita")
    await tx.commit()
    return RedirectResponse(f"/casi/{case_id}/interoperabilita", status_code=303)


@router.get("/casi/{case_id}/fhir.json")
async def case_fhir(request: Request, session: SessionDep, case_id: int) -> Response:
    """The case as a FHIR R4 Bundle, downloaded as a file (the same read as the API's)."""
    tx = await page_tx(request, session)
    try:
        access = await _case(request, session, case_id, CaseAction.READ, "case.fhir")
    except DomainError as exc:
        return refused_page(request, tx.require_actor(), exc, back="/casi")
    bundle = await build_bundle(
        session, case=access.case, actor=access.actor, base_url=container.settings_of(request).public_url
    )
    return Response(
        content=json.dumps(bundle, ensure_ascii=False, indent=1),
        media_type=MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="caso-{case_id}-fhir.json"'},
    )


@router.get("/interoperabilita", response_class=HTMLResponse)
async def district_interop(request: Request, session: SessionDep) -> Response:
    """The district's SIUSS flows by state, INPS's refusals in words, and the evaluation export."""
    tx = await page_tx(request, session)
    actor = tx.require_actor()
    if actor.role not in DISTRICT_READERS:
        return render(request, "admin/forbidden.html", status_code=403, actor=actor)
    counts = dict(
        (await session.exec(select(SiussFlow.status, func.count()).group_by(col(SiussFlow.status)))).all()  # type: ignore[arg-type]
    )
    rejected = (
        await session.exec(
            select(SiussFlow)
            .where(col(SiussFlow.status) == FlowStatus.SCARTATO)
            .order_by(col(SiussFlow.esito_at).desc())
            .limit(50)
        )
    ).all()
    today = to_rome(utcnow()).date()
    settings = container.settings_of(request)
    return render(
        request,
        "admin/interop.html",
        actor=actor,
        counts={s: counts.get(s, 0) for s in FlowStatus},
        words=STATUS_WORDS,
        rejected=rejected,
        rome=to_rome,
        key_set=bool(settings.pseudonym_key),
        parquet=parquet_available(),
        may_export=actor.role in {Role.ANALISTA, Role.COORDINATORE},
        first=date(today.year - 1, today.month, 1).isoformat(),
        last=today.replace(day=1).isoformat(),
    )
