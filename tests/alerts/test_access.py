"""Who sees a person-less alert: the district within its municipio, the building's operator."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.access import alert_visibility
from alerts.models import Alert, AlertSource, Severity
from alerts.raising import raise_alert
from centrale.auth.deps import Actor
from centrale.operators.models import Operator, Role
from centrale.organisations.models import Organisation, OrgKind
from tests import factories as f
from web.board.snapshot import open_alerts


def _actor(op: Operator, org: Organisation) -> Actor:
    return Actor(
        operator_id=op.id or 0,
        username=op.username,
        full_name=op.full_name,
        role=op.role,
        org_id=org.id or 0,
        org_kind=org.kind,
        municipio=org.municipio,
        source_address=None,
        token="",
    )


async def test_building_alert_reaches_its_municipio_only_and_the_board_agrees(session: AsyncSession) -> None:
    tutor_org = await f.org(session, OrgKind.MUNICIPIO)
    tutor = await f.operator(session, Role.TUTOR, tutor_org)
    cond = await f.condominio(session, tutor)  # municipio IX
    raised = await raise_alert(
        session,
        source=AlertSource.SEGNALAZIONE_SENTINELLA,
        severity=Severity.ALTA,
        summary="Guasto",
        condominio_id=cond.id,
    )
    await session.commit()
    here, far = (
        await f.org(session, OrgKind.CENTRALE, municipio="IX"),
        await f.org(session, OrgKind.CENTRALE, municipio="I"),
    )
    not_centrale = await f.org(session, OrgKind.MUNICIPIO, municipio="IX")
    asl_far = await f.org(session, OrgKind.ASL_PUA, municipio="I")
    cases = [
        (_actor(await f.operator(session, Role.COORDINATORE, here), here), True),
        (_actor(tutor, tutor_org), True),
        (_actor(await f.operator(session, Role.COORDINATORE, far), far), False),
        (_actor(await f.operator(session, Role.COORDINATORE, not_centrale), not_centrale), False),
        (_actor(await f.operator(session, Role.OPERATORE_PUA, asl_far), asl_far), False),
    ]
    for actor, sees in cases:
        api = (await session.exec(select(col(Alert.id)).where(alert_visibility(actor)))).all()
        board = [card["id"] for card in await open_alerts(session, actor)]
        assert (list(api) == [raised.alert.id]) is sees, actor.role
        assert board == list(api)
