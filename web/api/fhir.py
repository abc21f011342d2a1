"""``GET /api/v1/cases/{id}/fhir``: the case as a FHIR R4 Bundle, authorised and audited like the case file."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from centrale.authz.case_guard import CaseAccess
from centrale.authz.policy import CaseAction
from integrations.fhir.bundle import build_bundle
from integrations.fhir.profiles import MEDIA_TYPE
from web import container
from web.api.deps import case_guard
from web.api.fhir_discharges import router as discharges_router

router = APIRouter(tags=["fhir"])
router.include_router(discharges_router)  # a hospital's discharge notices, in

Readable = Annotated[CaseAccess, Depends(case_guard(CaseAction.READ, "case.fhir"))]


@router.get(
    "/cases/{case_id}/fhir",
    summary="Il caso come Bundle FHIR R4 / the case as a FHIR R4 Bundle",
    response_class=Response,
    responses={200: {"content": {MEDIA_TYPE: {}}}},
)
async def case_bundle(access: Readable, request: Request) -> Response:
    bundle = await build_bundle(
        access.session, case=access.case, actor=access.actor, base_url=container.settings_of(request).public_url
    )
    return Response(content=json.dumps(bundle, ensure_ascii=False), media_type=MEDIA_TYPE)
