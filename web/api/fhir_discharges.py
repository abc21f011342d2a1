"""``POST /api/v1/fhir/discharges``: a hospital's system sends a discharge notice as a FHIR R4 Bundle.

The hospital authenticates with its client credential (``Authorization: Bearer <client_id>.<secret>``)
or, when ``CENTRALE_FHIR_CLIENT_CERT_HEADER`` is set, with the certificate its TLS proxy vouches for in that
header (believed only from the proxies of ``CENTRALE_FORWARDED_ALLOW_IPS``). Without either: 401 and an
audit row. A Bundle that cannot be read: 4xx and an OperationOutcome naming the element. The same stay
again: 200 and the transition already recorded, nothing changed; a new one: 201.
"""

from __future__ import annotations

import json
from ipaddress import ip_address, ip_network
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError

from alerts.discharges import clients, service
from alerts.discharges.flows import Notified, notify
from alerts.discharges.models import HospitalClient
from centrale.audit.models import AuditAction
from centrale.audit.service import Agent, record_now, refusal
from centrale.errors import DomainError
from centrale.settings import Settings
from centrale.uow import Tx
from integrations.fhir.discharge_in import ELEMENTS, BundleError, notice_of, operation_outcome
from web import container
from web.api.deps import SessionDep, client_address, flow_route

router = APIRouter(tags=["fhir"])

FHIR_JSON = "application/fhir+json"
SUBTYPE = "discharge.notify"


def _outcome(status: int, expression: str | None, message: str, code: str = "invalid") -> JSONResponse:
    return JSONResponse(status_code=status, media_type=FHIR_JSON, content=operation_outcome(expression, message, code))


def _trusted_proxy(request: Request, settings: Settings) -> bool:
    """Did the request come through a proxy of ``CENTRALE_FORWARDED_ALLOW_IPS``?

    The server replaces the client address with X-Forwarded-For's, and the scheme with X-Forwarded-Proto's,
    only for those proxies: so either the address seen is a proxy's (one that sets no X-Forwarded-For), or,
    when TLS ends at the proxy (``CENTRALE_TLS_TERMINATED_BY_PROXY``), an https scheme can only have been
    set by a trusted proxy — a client reaching the app directly speaks plain http to it."""
    if settings.tls_terminated_by_proxy and request.url.scheme == "https":
        return True
    peer = client_address(request)
    if peer is None:
        return False
    allowed = [part.strip() for part in settings.forwarded_allow_ips.split(",") if part.strip()]
    if "*" in allowed:
        return True
    try:
        address = ip_address(peer)
    except ValueError:
        return False
    return any(address in ip_network(part, strict=False) for part in allowed)


async def _client(request: Request, session: SessionDep, settings: Settings) -> HospitalClient | None:
    scheme, _, credential = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and credential:
        return await clients.by_credential(session, credential.strip())
    header = settings.fhir_client_cert_header
    fingerprint = request.headers.get(header) if header else None
    if fingerprint and _trusted_proxy(request, settings):
        return await clients.by_fingerprint(session, fingerprint)
    return None


def _agent(request: Request, client: HospitalClient | None) -> Agent:
    name = f"Ospedale (client {client.client_id})" if client else "Client FHIR non autenticato"
    return Agent(
        operator_id=None,
        name=name,
        role="hospital" if client else None,
        org_id=client.hospital_org_id if client else None,
        source_address=client_address(request),
    )


@router.post(
    "/fhir/discharges",
    summary="Notifica di dimissione protetta (Bundle FHIR R4) / a protected discharge notice",
    status_code=201,
    openapi_extra=flow_route("discharge.notify") | {"security": [{"HospitalClient": []}]},
    responses={200: {"description": "Già ricevuta"}, 401: {"description": "Credenziale mancante"}},
)
async def receive_discharge(request: Request, session: SessionDep) -> JSONResponse:
    settings = container.settings_of(request)
    client = await _client(request, session, settings)
    database = container.database(request)
    if client is None:
        reason = "no valid hospital client credential"
        event = refusal(
            agent=_agent(request, None),
            action=AuditAction.CREATE,
            subtype=SUBTYPE,
            entity_type="Discharge",
            entity_id=None,
            person_id=None,
            reason=reason,
        )
        await record_now(database.sessionmaker, event)
        response = _outcome(401, None, "Credenziale del client ospedaliero mancante o non valida", "login")
        response.headers["WWW-Authenticate"] = "Bearer"
        return response
    try:
        bundle: Any = json.loads(await request.body())
    except (ValueError, UnicodeDecodeError):
        return _outcome(400, "Bundle", "Il corpo non è JSON FHIR valido", "structure")
    try:
        notice = notice_of(bundle, hospital_org_id=client.hospital_org_id)
    except BundleError as exc:
        return _outcome(422, exc.expression, exc.message, exc.code)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first.get("loc") else ""
        element = ELEMENTS.get(field, "Bundle")
        return _outcome(422, element, f"{element}: {first.get('msg', 'valore non valido')}", "value")
    tx = Tx(session=session, db=database, agent=_agent(request, client))
    try:
        done = await notify(tx, notice=notice, client=client)
        await tx.commit()
    except DomainError as exc:
        await tx.rollback()
        element = ELEMENTS.get(exc.field or "", "Bundle")
        return _outcome(422, element, exc.message, "value")
    except IntegrityError:  # the same stay sent twice at once: the twin that lost answers what the other wrote
        await tx.rollback()
        known = await service.by_hospital_ref(
            session, hospital_org_id=notice.hospital_org_id, hospital_ref=notice.hospital_ref or ""
        )
        if known is None:
            raise
        done = Notified(discharge=known, created=False)
    discharge = done.discharge
    body = service.public(discharge, await service.milestones_of(session, discharge.id or 0))
    response = JSONResponse(status_code=201 if done.created else 200, content=json.loads(body.model_dump_json()))
    return response
