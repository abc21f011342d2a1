"""Every table of every package, so that metadata (and Alembic) sees the whole schema."""

from __future__ import annotations

from sqlmodel import SQLModel

import alerts.checkins.models  # noqa: F401 - registers the tables
import alerts.escalation.models  # noqa: F401 - registers the tables
import alerts.models  # noqa: F401 - registers the tables
import alerts.sms.models  # noqa: F401
import centrale.assessments.models  # noqa: F401 - registers the tables
import centrale.audit.models  # noqa: F401 - registers the tables
import centrale.auth.models  # noqa: F401 - registers the tables
import centrale.cases.models  # noqa: F401 - registers the tables
import centrale.condomini.models  # noqa: F401 - registers the tables
import centrale.consents.models  # noqa: F401 - registers the tables
import centrale.events.models  # noqa: F401 - registers the tables
import centrale.operators.models  # noqa: F401 - registers the tables
import centrale.organisations.models  # noqa: F401 - registers the tables
import centrale.persons.models  # noqa: F401 - registers the tables
import centrale.plans.models  # noqa: F401 - registers the tables
import centrale.referrals.models  # noqa: F401 - registers the tables
import centrale.tasks.models  # noqa: F401
import integrations.siuss.models  # noqa: F401

metadata = SQLModel.metadata
