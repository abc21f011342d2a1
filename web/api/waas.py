"""The WaaS API that INPS polls (``spec/api-comuni.yaml``), under ``/waas/v1``.

Answers follow the OpenAPI exactly: flows as base64 in chronological order, an empty list when
nothing is new, ``POST /esiti`` answered 204, errors as ``application/problem+json``. Only the INPS
client's credential (``CENTRALE_WAAS_TOKEN``, a bearer token as the PDND scheme says) gets in.
"""

from __future__ import annotations

import base64
import hmac
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError

from centrale.audit.service import Agent
from centrale.uow import Tx
from integrations.siuss import service
from integrations.siuss.flows import record_esiti
from integrations.siuss.models import ElencoEsiti, SiussFlow
from web import container
from web.api.deps import SessionDep, client_address, flow_route

router = APIRouter(tags=["waas-siuss"])

PROBLEM = "application/problem+json"
DEFAULT_LIMIT, MAX_LIMIT = 10, 100


def problem(status: int, title: str, detail: str) -> JSONResponse:
    return JSONResponse(
        status_code=status, media_type=PROBLEM, content={"status": status, "title": title, "detail": detail}
    )


def _refusal(request: Request) -> JSONResponse | None:
    """401 unless the request carries the INPS client's bearer credential."""
    expected = container.settings_of(request).waas_token
    header = request.headers.get("authorization", "")
    scheme, _, given = header.partition(" ")
    if not expected or scheme.lower() != "bearer" or not hmac.compare_digest(given.encode(), expected.encode()):
        response = problem(401, "Unauthorized", "Non sono state fornite le credenziali necessarie")
        response.headers["WWW-Authenticate"] = "Bearer"
        return response
    return None


def _ts(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def entry(flow: SiussFlow, codice_ente: str, denominazione: str) -> dict[str, Any]:
    """One ``Flusso`` of the OpenAPI."""
    return {
        "codice_ente": codice_ente,
        "denominazione_ente": denominazione[:256],
        "id_flusso": flow.id_flusso,
        "tipo": flow.tipo,
        "ts_flusso": _ts(flow.ts_ms),
        "flusso": base64.b64encode(flow.xml.encode("utf-8")).decode("ascii"),
    }


def _int_param(value: str | None, name: str, default: int | None, low: int, high: float) -> int:
    if value is None:
        if default is None:
            raise ValueError(f"{name}: parametro obbligatorio / required")
        return default
    try:
        number = int(value)
    except ValueError:
        raise ValueError(f"{name}: deve essere un intero / must be an integer") from None
    if not low <= number <= high:
        raise ValueError(f"{name}: fuori intervallo {low}–{int(high)} / out of range")
    return number


@router.get("/flussi", summary="Flussi della PAL ordinati cronologicamente", response_model=None)
async def flussi(request: Request, session: SessionDep) -> Response:
    if (refused := _refusal(request)) is not None:
        return refused
    try:
        since = _int_param(request.query_params.get("since"), "since", None, 0, 1e20)
        limit = _int_param(request.query_params.get("limit"), "limit", DEFAULT_LIMIT, 0, MAX_LIMIT)
    except ValueError as exc:
        return problem(400, "Bad Request", str(exc))
    settings = container.settings_of(request)
    rows = await service.flows_since(session, since_ms=since, limit=limit) if limit else []
    body = {"elenco_flussi": [entry(f, settings.siuss_codice_ente, settings.siuss_denominazione_ente) for f in rows]}
    return JSONResponse(body)


@router.post(
    "/esiti",
    summary="Notifica degli esiti delle elaborazioni",
    status_code=204,
    response_model=None,
    openapi_extra=flow_route("siuss.esito"),
)
async def esiti(request: Request, session: SessionDep) -> Response:
    if (refused := _refusal(request)) is not None:
        return refused
    try:
        payload = ElencoEsiti.model_validate_json(await request.body())
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return problem(400, "Bad Request", f"{where}: {first['msg']}")
    inps = Agent(
        operator_id=None, name="INPS (client WaaS)", role=None, org_id=None, source_address=client_address(request)
    )
    tx = Tx(session=session, db=container.database(request), agent=inps)
    await record_esiti(tx, esiti=payload.elenco_esiti)
    await tx.commit()
    return Response(status_code=204)


@router.get("/status", summary="Stato dell'applicazione", response_model=None)
async def status() -> Response:
    return JSONResponse({"status": 200, "title": "OK"}, media_type=PROBLEM)
