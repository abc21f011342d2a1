"""Every table of every package, so that metadata (and Alembic) sees the whole schema."""

from __future__ import annotations

from sqlmodel import SQLModel

import alerts.checkins.models
import alerts.discharges.models
import alerts.escalation.models
import alerts.handover.models
import alerts.models
import alerts.push.models
import alerts.sms.models
import centrale.assessments.models
import centrale.audit.models
import centrale.auth.models
import centrale.cases.models
import centrale.condomini.models
import centrale.consents.models
import centrale.events.models
import centrale.idempotency
import centrale.operators.contact_models
import centrale.operators.models
import centrale.organisations.models
import centrale.persons.models
import centrale.plans.models
import centrale.referrals.models
import centrale.rota.models
import centrale.tasks.models
import integrations.siuss.models
import integrations.twilio.models

#: Importing a models module registers its tables; naming them here keeps the imports in use.
MODEL_MODULES = (
    alerts.checkins.models,
    alerts.discharges.models,
    alerts.escalation.models,
    alerts.handover.models,
    alerts.models,
    alerts.push.models,
    alerts.sms.models,
    centrale.assessments.models,
    centrale.audit.models,
    centrale.auth.models,
    centrale.cases.models,
    centrale.condomini.models,
    centrale.consents.models,
    centrale.events.models,
    centrale.idempotency,
    centrale.operators.contact_models,
    centrale.operators.models,
    centrale.organisations.models,
    centrale.persons.models,
    centrale.plans.models,
    centrale.referrals.models,
    centrale.rota.models,
    centrale.tasks.models,
    integrations.siuss.models,
    integrations.twilio.models,
)

metadata = SQLModel.metadata
