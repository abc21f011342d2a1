"""HTTP routes for assessments: record one (422 naming a bad item), list, profile then and now."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError

from centrale.assessments import flows, service
from centrale.assessments.models import AssessmentCreate, AssessmentPublic, Profile
from centrale.assessments.scales import ScaleError
from centrale.authz.case_guard import CaseAccess
from centrale.authz.policy import CaseAction, Section
from web import container
from web.api.deps import SettingsDep, TxDep, case_guard, flow_route

router = APIRouter(prefix="/cases/{case_id}/assessments", tags=["valutazioni"])

Readable = Annotated[CaseAccess, Depends(case_guard(CaseAction.READ, "assessment.read"))]


def scale_error(exc: ScaleError) -> RequestValidationError:
    return RequestValidationError(
        [{"loc": ("body", "answers", exc.item), "msg": str(exc).split(": ", 1)[1], "type": "value_error"}]
    )


@router.post(
    "",
    response_model=AssessmentPublic,
    status_code=201,
    summary="Registra una valutazione / record",
    openapi_extra=flow_route("assessment.record"),
)
async def record_assessment(case_id: int, data: AssessmentCreate, tx: TxDep, settings: SettingsDep) -> AssessmentPublic:
    try:
        row = await flows.record_assessment(tx, case_id=case_id, data=data, bands=service.bands_from(settings))
    except ScaleError as exc:
        raise scale_error(exc) from exc
    await tx.commit()
    return AssessmentPublic.model_validate(row)


@router.get("", response_model=list[AssessmentPublic], summary="Valutazioni della persona / assessments")
async def list_assessments(access: Readable) -> list[AssessmentPublic]:
    await access.require_section(Section.ASSESSMENTS, "assessment.read")
    rows = await service.assessments_of(access.session, person_id=access.person_id)
    return [AssessmentPublic.model_validate(r) for r in rows]


@router.get("/profile", response_model=Profile, summary="Profilo allora e ora / profile then and now")
async def read_profile(access: Readable, request: Request) -> Profile:
    await access.require_section(Section.ASSESSMENTS, "assessment.profile")
    return await service.profile(
        access.session, person_id=access.person_id, rule=service.rule_from(container.settings_of(request))
    )
