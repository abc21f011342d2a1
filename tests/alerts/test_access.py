"""Who sees a person-less alert: the district within its municipio, the building's operator."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alerts.access import alert_visibility
from alerts.models import Alert, AlertSource, Severity
from alerts.raising import raise_alert
from centrale.auth.actor import actor_from
from centrale.events.service import commit
from centrale.operators.models import Role
from centrale.organisations.models import OrgKind
from tests import factories as f
from web.board.snapshot import open_alerts


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
    await commit(session)
    here, far = (
        await f.org(session, OrgKind.CENTRALE, municipio="IX"),
        await f.org(session, OrgKind.CENTRALE, municipio="I"),
    )
    not_centrale = await f.org(session, OrgKind.MUNICIPIO, municipio="IX")
    asl_far = await f.org(session, OrgKind.ASL_PUA, municipio="I")
    cases = [
        (actor_from(await f.operator(session, Role.COORDINATORE, here), here), True),
        (actor_from(tutor, tutor_org), True),
        (actor_from(await f.operator(session, Role.COORDINATORE, far), far), False),
        (actor_from(await f.operator(session, Role.COORDINATORE, not_centrale), not_centrale), False),
        (actor_from(await f.operator(session, Role.OPERATORE_PUA, asl_far), asl_far), False),
    ]
    for actor, sees in cases:
        api = (await session.exec(select(col(Alert.id)).where(alert_visibility(actor)))).all()
        board = [card["id"] for card in await open_alerts(session, actor)]
        assert (list(api) == [raised.alert.id]) is sees, actor.role
        assert board == list(api)
