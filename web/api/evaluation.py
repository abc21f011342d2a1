"""``/api/v1/evaluation/panel``: the pseudonymised panel as CSV or Parquet, for analysts."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response

from centrale.audit.models import AuditAction, AuditPurpose
from centrale.audit.service import build_event, record_now
from centrale.auth.actor import Actor
from centrale.operators.models import Role
from integrations.evaluation.panel import PARQUET_MISSING, build_panel, parquet_available, to_csv, to_parquet
from web import container
from web.api.deps import SessionDep, require_roles

router = APIRouter(prefix="/evaluation", tags=["valutazione"])

Analyst = Annotated[Actor, Depends(require_roles(Role.ANALISTA, Role.COORDINATORE))]
MEDIA = {"csv": "text/csv; charset=utf-8", "parquet": "application/vnd.apache.parquet"}


@router.get("/panel.{fmt}", summary="Panel pseudonimizzato persona×mese / pseudonymised person-month panel")
async def panel(
    fmt: Literal["csv", "parquet"],
    request: Request,
    session: SessionDep,
    actor: Analyst,
    first: Annotated[date, Query(alias="from", description="Primo mese (AAAA-MM-GG)")],
    last: Annotated[date, Query(alias="to", description="Ultimo mese (AAAA-MM-GG)")],
) -> Response:
    key = container.settings_of(request).pseudonym_key
    if not key:
        raise HTTPException(status_code=503, detail="CENTRALE_PSEUDONYM_KEY non impostata / pseudonym key not set")
    if fmt == "parquet" and not parquet_available():
        raise HTTPException(status_code=501, detail=PARQUET_MISSING)
    if first > last or (last.year - first.year) * 12 + last.month - first.month > 120:
        raise HTTPException(status_code=422, detail="from: periodo non valido (massimo 10 anni) / invalid period")
    rows = await build_panel(session, key=key, first=first, last=last)
    await record_now(
        container.database(request).sessionmaker,
        build_event(
            agent=actor.agent(),
            action=AuditAction.EXECUTE,
            subtype="evaluation.panel",
            entity_type="Panel",
            entity_id=f"{first}..{last}",
            person_id=None,
            purpose=AuditPurpose.HRESCH,
        ),
    )
    body = to_csv(rows) if fmt == "csv" else to_parquet(rows)
    return Response(
        body,
        media_type=MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="panel-{first:%Y-%m}-{last:%Y-%m}.{fmt}"'},
    )
