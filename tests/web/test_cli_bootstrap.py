"""`centrale bootstrap`: a production installation creates its first organisation and administrator, once."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import httpx
from sqlmodel import select

from alerts.escalation.models import EscalationPolicy
from centrale.db import Database
from centrale.plans.catalogue import SIUSS_SERVICES
from centrale.plans.models import ServiceType
from centrale.settings import Settings
from web.app import create_app

CLI = [sys.executable, "-c", "from web.cli import main; main()"]
PASSWORD = "una-password-da-installatore"


def _production_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CENTRALE_", "TWILIO_"))}
    env |= {
        "CENTRALE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'prod.sqlite3'}",
        "CENTRALE_ENVIRONMENT": "production",
        "CENTRALE_SECRET_KEY": "k" * 40,
        "CENTRALE_PUBLIC_URL": "https://centrale.example.org",
    }
    return env


async def _counts(env: dict[str, str]) -> tuple[int, int]:
    """How many services the catalogue and how many escalation policies the installation holds."""
    database = Database(env["CENTRALE_DATABASE_URL"])
    try:
        async with database.sessionmaker() as session:
            services = len((await session.exec(select(ServiceType))).all())
            policies = len((await session.exec(select(EscalationPolicy))).all())
            return services, policies
    finally:
        await database.dispose()


def _bootstrap(env: dict[str, str], *extra: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    args = ["bootstrap", "--organisation", "Centrale Operativa Municipio IX", "--municipio", "IX"]
    args += ["--username", "admin", "--full-name", "Anna Amministratrice", *extra]
    return subprocess.run([*CLI, *args], env=env, input=stdin, capture_output=True, text=True, timeout=60)


async def _sign_in(env: dict[str, str], username: str, password: str) -> httpx.Response:
    settings = Settings(
        environment="production",
        database_url=env["CENTRALE_DATABASE_URL"],
        secret_key=env["CENTRALE_SECRET_KEY"],
        public_url=env["CENTRALE_PUBLIC_URL"],
        scheduler_enabled=False,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=settings.public_url) as client:
            return await client.post("/api/v1/auth/login", json={"username": username, "password": password})


def test_bootstrap_creates_the_first_administrator_once_and_never_prints_the_password(tmp_path: Path) -> None:
    env = _production_env(tmp_path)
    subprocess.run([*CLI, "db", "upgrade"], env=env, check=True, capture_output=True)
    secret = tmp_path / "password.txt"
    secret.write_text(PASSWORD + "\n")

    done = _bootstrap(env, "--password-file", str(secret))
    assert done.returncode == 0, done.stderr
    assert PASSWORD not in done.stdout + done.stderr
    signed_in = asyncio.run(_sign_in(env, "admin", PASSWORD))
    assert signed_in.status_code == 200, signed_in.text
    services, policies = asyncio.run(_counts(env))
    assert services == len(SIUSS_SERVICES) and policies > 0  # what the pages need to price plans and escalate

    # a second run, by prompt this time, is refused and changes nothing
    again = _bootstrap(env, stdin=f"{PASSWORD}-altra\n{PASSWORD}-altra\n")
    assert again.returncode != 0 and "amministratore" in again.stderr
    assert PASSWORD not in again.stdout + again.stderr
    assert asyncio.run(_sign_in(env, "admin", PASSWORD + "-altra")).status_code == 401


def test_bootstrap_reads_the_password_from_the_environment_and_refuses_a_short_one(tmp_path: Path) -> None:
    env = _production_env(tmp_path)
    subprocess.run([*CLI, "db", "upgrade"], env=env, check=True, capture_output=True)
    short = _bootstrap(env | {"CENTRALE_BOOTSTRAP_PASSWORD": "corta"})
    assert short.returncode != 0 and "password" in short.stderr and "corta" not in short.stderr
    done = _bootstrap(env | {"CENTRALE_BOOTSTRAP_PASSWORD": PASSWORD})
    assert done.returncode == 0, done.stderr
