"""Database work on assessments: score, store, and compare a person's profile over time (no HTTP)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.assessments.models import Assessment, AssessmentCreate, AssessmentPublic, Profile, ScaleTrend
from centrale.assessments.scales import DEFAULT_BANDS, Band, IntensityRule, ScaleKind, care_intensity, score
from centrale.auth.actor import Actor
from centrale.cases.models import Case
from centrale.clock import to_rome, utcnow
from centrale.persons.models import NetworkLink
from centrale.settings import Settings


def bands_from(settings: Settings) -> dict[ScaleKind, tuple[Band, ...]]:
    """The default bands, with the ones an administrator configured in their place."""
    bands = dict(DEFAULT_BANDS)
    for kind, rows in settings.scale_bands.items():
        bands[ScaleKind(kind)] = tuple((low, high, label) for low, high, label in rows)
    return bands


def rule_from(settings: Settings) -> IntensityRule:
    return IntensityRule(
        alta_barthel_max=settings.intensity_alta_barthel_max,
        media_barthel_max=settings.intensity_media_barthel_max,
    )


async def record_assessment(
    session: AsyncSession,
    *,
    case: Case,
    data: AssessmentCreate,
    actor: Actor,
    bands: Mapping[ScaleKind, tuple[Band, ...]] = DEFAULT_BANDS,
) -> Assessment:
    """Score the answers (``ScaleError`` names a bad item) and store the administration."""
    result = score(data.kind, data.answers, bands)
    assert case.id is not None
    row = Assessment(
        kind=data.kind,
        answers=dict(data.answers),
        notes=dict(data.notes),
        assessed_on=data.assessed_on or to_rome(utcnow()).date(),
        case_id=case.id,
        person_id=case.person_id,
        total=result.total,
        band=result.band,
        detail=dict(result.detail),
        assessor_id=actor.operator_id,
        assessor_name=actor.full_name,
    )
    session.add(row)
    await session.flush()
    return row


async def assessments_of(session: AsyncSession, *, person_id: int) -> Sequence[Assessment]:
    """All of a person's assessments (across cases), oldest first."""
    rows = await session.exec(
        select(Assessment)
        .where(col(Assessment.person_id) == person_id)
        .order_by(col(Assessment.assessed_on), col(Assessment.id))
    )
    return rows.all()


async def _has_network(session: AsyncSession, person_id: int) -> bool:
    found = await session.exec(
        select(col(NetworkLink.id)).where(
            col(NetworkLink.person_id) == person_id, col(NetworkLink.deleted_at).is_(None)
        )
    )
    return found.first() is not None


def _intensity(barthel: Assessment | None, inspire: Assessment | None, network: bool, rule: IntensityRule):  # type: ignore[no-untyped-def]
    if barthel is None and inspire is None:
        return None
    areas = inspire.detail.get("profile") if inspire else None
    return care_intensity(
        barthel=barthel.total if barthel else None, inspire=areas, has_support_network=network, rule=rule
    )


async def profile(session: AsyncSession, *, person_id: int, rule: IntensityRule = IntensityRule()) -> Profile:
    """The profile then (first administration of each scale) and now (the latest)."""
    rows = await assessments_of(session, person_id=person_id)
    by_kind: dict[ScaleKind, list[Assessment]] = {}
    for row in rows:
        by_kind.setdefault(row.kind, []).append(row)
    trends = []
    for kind in ScaleKind:
        items = by_kind.get(kind)
        if not items:
            continue
        first, last = items[0], items[-1]
        trends.append(
            ScaleTrend(
                kind=kind,
                then=AssessmentPublic.model_validate(first),
                now=AssessmentPublic.model_validate(last),
                change=last.total - first.total,
                history=[(a.assessed_on, a.total, a.band) for a in items],
            )
        )
    network = await _has_network(session, person_id)
    barthel, inspire = by_kind.get(ScaleKind.BARTHEL, []), by_kind.get(ScaleKind.INSPIRE, [])
    return Profile(
        person_id=person_id,
        scales=trends,
        inspire_then=inspire[0].detail["profile"] if inspire else None,
        inspire_now=inspire[-1].detail["profile"] if inspire else None,
        intensity_then=_intensity(barthel[0] if barthel else None, inspire[0] if inspire else None, network, rule),
        intensity_now=_intensity(barthel[-1] if barthel else None, inspire[-1] if inspire else None, network, rule),
    )
