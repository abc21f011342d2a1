"""Centrale administration: escalation policies (steps, roles, delays, channels, office hours) edited from a
page, with a preview of who each step would reach now. Each change goes through the policy flows."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from alerts.escalation import flows as policy_flows
from alerts.escalation import service as policies
from alerts.escalation.models import (
    EscalationPolicy,
    EscalationPolicyCreate,
    EscalationPolicyUpdate,
    PolicyRole,
    PolicyStep,
)
from alerts.escalation.office_hours import next_office_time
from alerts.escalation.roles import RESOLVERS
from alerts.models import Alert, AlertSource, Channel, Severity
from centrale.auth.actor import Actor
from centrale.clock import to_rome, utcnow
from centrale.errors import Conflict, DomainError, Invalid
from centrale.operators.models import Role
from centrale.uow import Tx
from web.api.deps import SessionDep, flow_route
from web.errors import status_of
from web.i18n import field_name, lang_of
from web.pages import nav
from web.pages.base import render
from web.pages.plans import italian_reason
from web.pages.refused import page_tx, refused_page
from web.words import admin as _words  # noqa: F401  (registers the words)

router = APIRouter(include_in_schema=False)
#: the roles of the district (on duty, administrators) do not depend on the alert: any alert shows them
PREVIEW_ALERT = Alert(source=AlertSource.SISTEMA, severity=Severity.MEDIA, summary="anteprima")
ADMINS = {Role.AMMINISTRATORE}
nav.add("/amministrazione", "ad_nav", roles={Role.AMMINISTRATORE, Role.COORDINATORE}, order=90)

#: roles a step may name whose people depend on the alert (its case, building or person)
ALERT_DEPENDENT = {PolicyRole.TUTOR, PolicyRole.CASE_MANAGER, PolicyRole.MMG}


def say(exc: Exception, lang: str = "it") -> str:
    """A refused form in a sentence: the field in words and the Italian half of the reason."""
    if isinstance(exc, ValidationError):
        parts = []
        for e in exc.errors():
            path = ".".join(str(p) for p in e["loc"])
            step = next((int(p) + 1 for p in e["loc"] if isinstance(p, int)), None)
            where = field_name(path, lang) + (f" (passo {step})" if step else "")
            msg = str(e.get("msg", "")).removeprefix("Value error, ")
            parts.append(f"{where}: {msg.split(' / ')[0] if e['type'] == 'value_error' else 'valore non valido'}")
        return "; ".join(parts)
    return italian_reason(str(getattr(exc, "message", exc)))


def _int(form: Any, name: str, default: int | None = None) -> int | None:
    value = str(form.get(name) or "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise Invalid(f"{name}: deve essere un numero intero di minuti", field=name) from exc


def policy_form(form: Any) -> dict[str, Any]:
    """The policy page's form as the fields of a policy; a step without a role is left out."""
    steps = []
    for i in range(int(form.get("rows") or 0)):
        role = form.get(f"role_{i}")
        if not role:
            continue
        steps.append(
            {
                "role": role,
                "channels": form.getlist(f"channel_{i}"),
                "wait_minutes": _int(form, f"wait_{i}", 0),
                "office_hours": bool(form.get(f"office_{i}")),
            }
        )
    return {
        "name": str(form.get("name") or "").strip(),
        "severity": form.get("severity") or None,
        "source": form.get("source") or None,
        "repeat_last": _int(form, "repeat_last", 0),
        "ack_timeout_minutes": _int(form, "ack_timeout_minutes", 60),
        "active": bool(form.get("active")),
        "steps": steps,
    }


async def reached_now(tx: Tx, steps: list[PolicyStep]) -> list[dict[str, Any]]:
    """For each step: who it would reach if an alert reached it now, and when (office hours)."""
    now = utcnow()
    out = []
    for step in steps:
        names: list[str] | None = None
        if step.role not in ALERT_DEPENDENT:
            names = [op.full_name for op in await RESOLVERS[step.role](tx.session, PREVIEW_ALERT)]
        opens = next_office_time(now) if step.office_hours else now
        out.append({"step": step, "names": names, "waits_until": to_rome(opens) if opens != now else None})
    return out


async def _admin(request: Request, tx: Tx) -> Actor | Response:
    actor = tx.require_actor()
    if actor.role not in ADMINS:
        return render(request, "admin/forbidden.html", status_code=403, actor=actor)
    return actor


def _choices() -> dict[str, Any]:
    return {
        "roles": list(PolicyRole),
        "channels": list(Channel),
        "severities": list(Severity),
        "sources": list(AlertSource),
    }


@router.get("/amministrazione", response_class=HTMLResponse)
async def admin_home(request: Request, session: SessionDep) -> Response:
    tx = await page_tx(request, session)
    actor = tx.require_actor()
    if actor.role not in {Role.AMMINISTRATORE, Role.COORDINATORE}:
        return render(request, "admin/forbidden.html", status_code=403, actor=actor)
    rows = await policies.list_policies(session)
    return render(request, "admin/home.html", actor=actor, policies=rows, editor=actor.role in ADMINS)


async def _policy_page(
    request: Request,
    tx: Tx,
    policy: EscalationPolicy | None,
    *,
    values: dict[str, Any] | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    steps = [PolicyStep.model_validate(s) for s in (policy.steps if policy else [])]
    current = values or (policy.model_dump() if policy else {"active": True, "ack_timeout_minutes": 60})
    current_steps = values["steps"] if values else [s.model_dump() for s in steps]
    return render(
        request,
        "admin/policy.html",
        status_code=status,
        actor=tx.require_actor(),
        policy=policy,
        v=current,
        steps=current_steps,
        rows=len(current_steps) + 1,
        preview=await reached_now(tx, steps),
        error=error,
        lang=lang_of(request),
        **_choices(),
    )


@router.get("/amministrazione/politiche/nuova", response_class=HTMLResponse)
async def new_policy_page(request: Request, session: SessionDep) -> Response:
    tx = await page_tx(request, session)
    if isinstance(found := await _admin(request, tx), Response):
        return found
    return await _policy_page(request, tx, None)


@router.post("/amministrazione/politiche/nuova", openapi_extra=flow_route("policy.create"))
async def new_policy_submit(request: Request, session: SessionDep) -> Response:
    tx = await page_tx(request, session)
    values: dict[str, Any] = {}
    try:
        values = policy_form(await request.form())
        policy = await policy_flows.create_policy(tx, data=EscalationPolicyCreate.model_validate(values))
    except (ValidationError, Invalid, Conflict) as exc:
        await tx.rollback()
        status = status_of(exc) if isinstance(exc, DomainError) else 422
        return await _policy_page(request, tx, None, values=values or None, error=say(exc), status=status)
    except DomainError as exc:
        return refused_page(request, tx.require_actor(), exc, back="/amministrazione")
    await tx.commit()
    return RedirectResponse(f"/amministrazione/politiche/{policy.id}?salvata=1", status_code=303)


@router.get("/amministrazione/politiche/{policy_id}", response_class=HTMLResponse)
async def policy_page(request: Request, session: SessionDep, policy_id: int) -> Response:
    tx = await page_tx(request, session)
    if isinstance(found := await _admin(request, tx), Response):
        return found
    try:
        policy = await policies.get_policy(session, policy_id=policy_id)
    except DomainError as exc:
        return refused_page(request, tx.require_actor(), exc, back="/amministrazione")
    return await _policy_page(request, tx, policy)


@router.post("/amministrazione/politiche/{policy_id}", openapi_extra=flow_route("policy.update"))
async def policy_submit(request: Request, session: SessionDep, policy_id: int) -> Response:
    tx = await page_tx(request, session)
    values: dict[str, Any] = {}
    try:
        values = policy_form(await request.form())
        await policy_flows.update_policy(tx, policy_id=policy_id, data=EscalationPolicyUpdate.model_validate(values))
    except (ValidationError, Invalid, Conflict) as exc:
        await tx.rollback()
        status = status_of(exc) if isinstance(exc, DomainError) else 422
        policy = await session.get(EscalationPolicy, policy_id)
        return await _policy_page(request, tx, policy, values=values or None, error=say(exc), status=status)
    except DomainError as exc:
        return refused_page(request, tx.require_actor(), exc, back="/amministrazione")
    await tx.commit()
    return RedirectResponse(f"/amministrazione/politiche/{policy_id}?salvata=1", status_code=303)
