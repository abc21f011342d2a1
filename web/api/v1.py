"""The JSON API of the care network, mounted under ``/api/v1`` by the app factory."""

from __future__ import annotations

from fastapi import APIRouter

from web.api.assessments import router as assessments_router
from web.api.auth import router as auth_router
from web.api.cases import router as cases_router
from web.api.condomini import router as condomini_router
from web.api.condomini import sentinels_router
from web.api.consents import router as consents_router
from web.api.contacts import router as contacts_router
from web.api.events import router as events_router
from web.api.handovers import router as handovers_router
from web.api.operators import router as operators_router
from web.api.organisations import router as organisations_router
from web.api.persons import router as persons_router
from web.api.plans import router as plans_router
from web.api.push import router as push_router
from web.api.referrals import router as referrals_router
from web.api.rota import router as rota_router
from web.api.tasks import router as tasks_router

router = APIRouter()
for sub in (
    auth_router,
    organisations_router,
    operators_router,
    contacts_router,
    persons_router,
    condomini_router,
    sentinels_router,
    cases_router,
    assessments_router,
    consents_router,
    plans_router,
    referrals_router,
    tasks_router,
    events_router,
    push_router,
    handovers_router,
    rota_router,
):
    router.include_router(sub)
