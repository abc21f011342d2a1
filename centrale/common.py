"""Small pieces every domain shares: list pages, errors, timestamps."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlmodel import Field

from centrale.clock import utcnow
from centrale.db import UTCDateTime
from centrale.errors import Conflict, Forbidden, NotFound

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """A list answer: one page of ``data`` and the ``count`` of all matching rows."""

    data: list[T]
    count: int


class PageParams(BaseModel):
    offset: int = 0
    limit: int = 50


def utc_field(**kwargs: Any) -> Any:
    """A required or optional UTC timestamp column."""
    return Field(sa_type=UTCDateTime, **kwargs)  # type: ignore[call-overload]


def created_at_field() -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)  # type: ignore[call-overload]


def now() -> datetime:
    return utcnow()


__all__ = ["Conflict", "Forbidden", "NotFound", "Page", "PageParams", "created_at_field", "now", "utc_field"]
