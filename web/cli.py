"""The ``centrale`` command: serve, demo, db upgrade, seed-demo, create-user, bootstrap, vapid-keys, hospital-client."""

from __future__ import annotations

import asyncio
import os
import sys

import click
import uvicorn
from pydantic import ValidationError
from sqlmodel import col, select

from alerts.demo import seed_demo_activity
from alerts.discharges import clients as hospital_clients
from alerts.escalation.service import seed_default_policies
from centrale.db import Database
from centrale.demo import DEMO_PASSWORD, OPERATORS, seed_demo
from centrale.errors import DomainError
from centrale.events.service import commit
from centrale.operators import flows as operator_flows
from centrale.operators.models import OperatorCreate, Role
from centrale.operators.service import create_operator
from centrale.organisations.models import MUNICIPI, Organisation, OrganisationCreate, OrgKind
from centrale.settings import get_settings
from centrale.uow import Tx
from web import migrate


@click.group()
def main() -> None:
    """Centrale Operativa di Distretto."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    """Serve the app (run `centrale db upgrade` first)."""
    if "CENTRALE_PUBLIC_URL" not in os.environ:  # the board's Origin check and Twilio's signatures use it
        os.environ["CENTRALE_PUBLIC_URL"] = f"http://{host}:{port}"
        get_settings.cache_clear()
    uvicorn.run(
        "web.app:create_app",
        factory=True,
        host=host,
        port=port,
        ws_per_message_deflate=False,
        proxy_headers=True,
        forwarded_allow_ips=get_settings().forwarded_allow_ips,  # only the proxy's X-Forwarded-For is believed
        log_level="info",
    )


@main.group()
def db() -> None:
    """Database schema commands."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration to CENTRALE_DATABASE_URL."""
    settings = get_settings()
    migrate.upgrade(settings.database_url)
    click.echo("Database aggiornato / database upgraded.")


async def _seed(*, activity: bool = False) -> dict[str, int]:
    database = Database(get_settings().database_url)
    try:
        async with database.sessionmaker() as session:
            added = await seed_demo(session)
            added["politiche di escalation"] = await seed_default_policies(session)
            await commit(session)
            if activity:  # a morning's work on the board: reports, a closed alert, late tasks
                added |= await seed_demo_activity(session)
            return added
    finally:
        await database.dispose()


def _refuse_outside_development() -> None:
    if get_settings().environment == "production":
        raise click.ClickException("the demo district is not seeded in production")


@main.command("seed-demo")
def seed_demo_cmd() -> None:
    """Create the fictional Municipio IX district (idempotent)."""
    _refuse_outside_development()
    added = asyncio.run(_seed())
    click.echo("Demo: " + ", ".join(f"{k} +{v}" for k, v in added.items()))


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
def demo(host: str, port: int) -> None:
    """Upgrade, seed the demo district, print the sign-in credentials and serve."""
    _refuse_outside_development()
    migrate.upgrade(get_settings().database_url)
    asyncio.run(_seed(activity=True))
    base = f"http://{host}:{port}"
    click.echo("\nCentrale Operativa — demo")
    click.echo(f"  Apri / open: {base}/")
    click.echo(f"  Simulatore SMS delle sentinelle / sentinel SMS simulator: {base}/demo/sentinella")
    click.echo(f"  Registro SMS (inviati e ricevuti) / SMS log: {base}/sms")
    click.echo(f"  API: {base}/docs")
    click.echo(f"  Password di tutti gli account demo / every demo account's password: {DEMO_PASSWORD}")
    for username, full_name, role, _org, _phone in OPERATORS:
        click.echo(f"    {username:<14} {role.value:<15} {full_name}")
    click.echo("")
    sys.stdout.flush()
    serve.callback(host=host, port=port)  # type: ignore[misc]


@main.command("create-user")
@click.option("--username", required=True)
@click.option("--full-name", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--organisation-id", required=True, type=int)
@click.option("--phone", default=None)
@click.password_option()
def create_user(
    username: str, full_name: str, role: str, organisation_id: int, phone: str | None, password: str
) -> None:
    """Create an operator account."""

    async def _create() -> int | None:
        database = Database(get_settings().database_url)
        try:
            async with database.sessionmaker() as session:
                data = OperatorCreate(
                    username=username,
                    full_name=full_name,
                    role=Role(role),
                    organisation_id=organisation_id,
                    phone=phone,
                    password=password,
                )
                operator = await create_operator(session, data=data)
                await commit(session)
                return operator.id
        finally:
            await database.dispose()

    try:
        operator_id = asyncio.run(_create())
    except Exception as exc:
        detail = getattr(exc, "detail", None) or str(exc)
        raise click.ClickException(str(detail)) from exc
    click.echo(f"Operatore creato / operator created: id {operator_id}")


@main.command("hospital-client")
@click.option("--client-id", required=True, help="Nome del client (lettere, cifre, trattini)")
@click.option("--hospital", "hospital_name", required=True, help="Nome dell'ospedale (creato se manca)")
@click.option("--receiving-organisation-id", required=True, type=int, help="Il PUA che riceve le notifiche")
@click.option("--cert-fingerprint", default=None, help="SHA-256 del certificato del client (TLS reciproco)")
def hospital_client(
    client_id: str, hospital_name: str, receiving_organisation_id: int, cert_fingerprint: str | None
) -> None:
    """Register a hospital's system that sends discharge notices; prints its credential once."""
    if not client_id.replace("-", "").isalnum():
        raise click.BadParameter("lettere, cifre e trattini / letters, digits and dashes", param_hint="--client-id")

    async def _create() -> str:
        database = Database(get_settings().database_url)
        try:
            async with database.sessionmaker() as session:
                receiving = await session.get(Organisation, receiving_organisation_id)
                if receiving is None or receiving.deleted_at is not None:
                    raise click.ClickException(f"organizzazione {receiving_organisation_id} inesistente / unknown")
                found = await session.exec(
                    select(Organisation).where(
                        col(Organisation.name) == hospital_name, col(Organisation.kind) == OrgKind.OSPEDALE
                    )
                )
                hospital = found.first() or Organisation(name=hospital_name, kind=OrgKind.OSPEDALE)
                session.add(hospital)
                await session.flush()
                _, credential = await hospital_clients.issue(
                    session,
                    client_id=client_id,
                    hospital_org_id=hospital.id or 0,
                    receiving_org_id=receiving_organisation_id,
                    cert_fingerprint=cert_fingerprint,
                )
                await commit(session)
                return credential
        finally:
            await database.dispose()

    try:
        credential = asyncio.run(_create())
    except click.ClickException:
        raise
    except Exception as exc:
        raise click.ClickException(f"client non registrato / not registered: {exc.__class__.__name__}") from exc
    click.echo("Client registrato. La credenziale (mostrata solo ora) / the credential (shown only now):")
    click.echo(f"Authorization: Bearer {credential}")


BOOTSTRAP_PASSWORD_ENV = "CENTRALE_BOOTSTRAP_PASSWORD"  # noqa: S105 - the name of a variable, not a secret


def _bootstrap_password(password_file: str | None) -> str:
    """From a file (first line), else the environment, else a hidden prompt asked twice; never echoed."""
    if password_file:
        with open(password_file, encoding="utf-8") as handle:
            return handle.readline().rstrip("\r\n")
    if os.environ.get(BOOTSTRAP_PASSWORD_ENV):
        return os.environ[BOOTSTRAP_PASSWORD_ENV]
    return str(click.prompt("Password dell'amministratore", hide_input=True, confirmation_prompt=True))


@main.command()
@click.option("--organisation", "organisation_name", required=True, help="Nome della prima organizzazione")
@click.option(
    "--kind", default=OrgKind.CENTRALE.value, show_default=True, type=click.Choice([k.value for k in OrgKind])
)
@click.option("--municipio", default=None, type=click.Choice(MUNICIPI))
@click.option("--username", required=True)
@click.option("--full-name", required=True)
@click.option(
    "--password-file",
    default=None,
    type=click.Path(exists=True, dir_okay=False),
    help=f"File con la password (altrimenti {BOOTSTRAP_PASSWORD_ENV} o una domanda)",
)
def bootstrap(
    organisation_name: str, kind: str, municipio: str | None, username: str, full_name: str, password_file: str | None
) -> None:
    """Create the first organisation and its administrator (refused once an administrator exists)."""
    password = _bootstrap_password(password_file)

    async def _run() -> tuple[int | None, int]:
        database = Database(get_settings().database_url)
        try:
            async with Tx.open(database) as tx:
                organisation = OrganisationCreate(name=organisation_name, kind=OrgKind(kind), municipio=municipio)
                operator = await operator_flows.bootstrap(
                    tx, organisation=organisation, username=username, full_name=full_name, password=password
                )
                await seed_default_policies(tx.session)  # the district's defaults, changed later on their page
                await tx.commit()
                return operator.id, operator.organisation_id
        finally:
            await database.dispose()

    try:
        operator_id, organisation_id = asyncio.run(_run())
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    except ValidationError as exc:
        fields = ", ".join(str(e["loc"][-1]) for e in exc.errors() if e["loc"])
        raise click.ClickException(f"Dati non validi / invalid: {fields}") from exc
    click.echo(f"Organizzazione {organisation_id} e amministratore {operator_id} ({username}) creati / created.")


@main.command("vapid-keys")
@click.option(
    "--private-key-file",
    type=click.Path(dir_okay=False, writable=True),
    help="write the private key to this file (a secret: ./secrets/vapid_private_key) instead of printing it",
)
def vapid_keys(private_key_file: str | None) -> None:
    """A new VAPID key pair for web push (CENTRALE_PUSH_BACKEND=webpush)."""
    from integrations.webpush.keys import generate

    pair = generate()
    if private_key_file:
        fd = os.open(private_key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(pair.private_key + "\n")
        click.echo(f"private key written to {private_key_file} (CENTRALE_VAPID_PRIVATE_KEY_FILE)")
    else:
        click.echo(f"CENTRALE_VAPID_PRIVATE_KEY={pair.private_key}")
    click.echo(f"public key (what browsers subscribe with, served at /api/v1/push/key): {pair.public_key}")
