"""Recording an assessment: the case rules and the assessments section of the case file decide who may."""

from __future__ import annotations

from collections.abc import Mapping

from centrale.assessments import service
from centrale.assessments.models import Assessment, AssessmentCreate
from centrale.assessments.scales import DEFAULT_BANDS, Band, ScaleKind
from centrale.audit.models import AuditAction
from centrale.authz.case_guard import case_for
from centrale.authz.policy import CaseAction, Section
from centrale.flows import flow
from centrale.uow import Tx


@flow("assessment.record")
async def record_assessment(
    tx: Tx,
    *,
    case_id: int,
    data: AssessmentCreate,
    bands: Mapping[ScaleKind, tuple[Band, ...]] = DEFAULT_BANDS,
) -> Assessment:
    """Score and store one administration of a scale for the case's person (``ScaleError`` names a bad item)."""
    access = await case_for(tx, case_id, CaseAction.CONTRIBUTE, "assessment.record")
    # contributing to a case is not enough: who only delivers interventions does not see the clinical scales
    await access.require_section(Section.ASSESSMENTS, "assessment.record", AuditAction.CREATE)
    row = await service.record_assessment(tx.session, case=access.case, data=data, actor=access.actor, bands=bands)
    tx.audit(
        AuditAction.CREATE, "assessment.record", entity_type="Assessment", entity_id=row.id, person_id=row.person_id
    )
    tx.emit(
        kind="assessment.recorded",
        entity_type="Case",
        entity_id=case_id,
        person_id=access.person_id,
        payload={"assessment_id": row.id, "kind": data.kind},
    )
    return row
