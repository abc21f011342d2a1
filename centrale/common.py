"""Small pieces every domain shares: list pages, errors, timestamps."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, HTTPException, Query
from pydantic import BaseModel
from sqlmodel import Field

from centrale.clock import utcnow
from centrale.db import UTCDateTime

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """A list answer: one page of ``data`` and the ``count`` of all matching rows."""

    data: list[T]
    count: int


class PageParams(BaseModel):
    offset: int = 0
    limit: int = 50


def page_params(
    offset: Annotated[int, Query(ge=0, description="Righe da saltare / rows to skip")] = 0,
    limit: Annotated[int, Query(ge=1, le=500, description="Righe per pagina / rows per page")] = 50,
) -> PageParams:
    return PageParams(offset=offset, limit=limit)


def utc_field(**kwargs: Any) -> Any:
    """A required or optional UTC timestamp column."""
    return Field(sa_type=UTCDateTime, **kwargs)  # type: ignore[call-overload]


def created_at_field() -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)  # type: ignore[call-overload]


class NotFound(HTTPException):
    def __init__(self, what: str, ident: object) -> None:
        super().__init__(status_code=404, detail=f"{what} {ident} non trovato / not found")


class Conflict(HTTPException):
    def __init__(self, detail: str) -> None:
        super().__init__(status_code=409, detail=detail)


class Forbidden(HTTPException):
    def __init__(self, detail: str = "Accesso non consentito / access denied") -> None:
        super().__init__(status_code=403, detail=detail)


def now() -> datetime:
    return utcnow()


PagingDep = Annotated[PageParams, Depends(page_params)]
