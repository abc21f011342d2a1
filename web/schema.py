"""Every table of every package, so that metadata (and Alembic) sees the whole schema."""

from __future__ import annotations

from sqlmodel import SQLModel

import alerts.checkins.models
import alerts.escalation.models
import alerts.models  # noqa: F401
import centrale.assessments.models
import centrale.audit.models
import centrale.auth.models
import centrale.cases.models
import centrale.condomini.models
import centrale.consents.models
import centrale.events.models
import centrale.operators.models
import centrale.organisations.models
import centrale.persons.models
import centrale.plans.models
import centrale.tasks.models  # noqa: F401

metadata = SQLModel.metadata
