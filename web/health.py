"""Liveness and readiness."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from web import container

router = APIRouter(tags=["salute"])


@router.get("/healthz", summary="Il processo è vivo / alive")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="Database e Redis raggiungibili / ready")
async def readyz(request: Request) -> JSONResponse:
    checks: dict[str, Any] = {}
    ok = True
    try:
        async with container.database(request).engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:
        ok = False
        checks["database"] = f"error: {type(exc).__name__}"
    redis = container.redis(request)
    if redis is not None:
        try:
            await redis.ping()
            checks["redis"] = "ok"
        except Exception as exc:
            ok = False
            checks["redis"] = f"error: {type(exc).__name__}"
    for name, probe in container.readiness_probes(request).items():
        checks[name] = await probe()
    return JSONResponse({"status": "ok" if ok else "error", "checks": checks}, status_code=200 if ok else 503)
