"""The JSON API of the care network, mounted under ``/api/v1`` by the app factory."""

from __future__ import annotations

from fastapi import APIRouter

from centrale.assessments.router import router as assessments_router
from centrale.auth.router import router as auth_router
from centrale.cases.router import router as cases_router
from centrale.condomini.router import router as condomini_router
from centrale.condomini.router import sentinels_router
from centrale.consents.router import router as consents_router
from centrale.events.router import router as events_router
from centrale.operators.router import router as operators_router
from centrale.organisations.router import router as organisations_router
from centrale.persons.router import router as persons_router
from centrale.plans.router import router as plans_router
from centrale.referrals.router import router as referrals_router
from centrale.tasks.router import router as tasks_router

router = APIRouter()
for sub in (
    auth_router,
    organisations_router,
    operators_router,
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
):
    router.include_router(sub)
