"""Every table of every package, so that metadata (and Alembic) sees the whole schema."""

from __future__ import annotations

from sqlmodel import SQLModel

import integrations.siuss.models  # noqa: F401

metadata = SQLModel.metadata
