"""`centrale hospital-client` registers a hospital's system and prints its credential once; only its hash is kept."""

from __future__ import annotations

import asyncio
import re
import subprocess
from pathlib import Path

from sqlmodel import select

from alerts.discharges import clients
from alerts.discharges.models import HospitalClient
from centrale.db import Database
from centrale.organisations.models import Organisation, OrgKind
from tests.web.test_cli import CLI, _env


def test_a_hospital_client_is_registered_and_its_printed_credential_is_the_one_that_works(tmp_path: Path) -> None:
    env = _env(tmp_path)
    subprocess.run([*CLI, "db", "upgrade"], env=env, cwd=tmp_path, check=True, capture_output=True)
    command = [*CLI, "hospital-client", "--client-id", "sfn", "--hospital", "Ospedale San Filippo Neri"]
    done = subprocess.run(
        [*command, "--receiving-organisation-id", "1"], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode != 0 and "--receiving-organisation-id" not in done.stdout  # no organisation 1 yet
    assert "inesistente" in done.stderr
    subprocess.run([*CLI, "seed-demo"], env=env, cwd=tmp_path, check=True, capture_output=True)
    done = subprocess.run(
        [*command, "--receiving-organisation-id", "1"], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    printed = re.search(r"Authorization: Bearer (sfn\.\S+)", done.stdout)
    assert printed, done.stdout
    again = subprocess.run(
        [*command, "--receiving-organisation-id", "1"], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert again.returncode != 0 and "Bearer" not in again.stdout  # the client id is taken
    asyncio.run(_check(env["CENTRALE_DATABASE_URL"], printed.group(1)))


async def _check(url: str, credential: str) -> None:
    database = Database(url)
    try:
        async with database.sessionmaker() as session:
            client = await clients.by_credential(session, credential)
            assert client is not None and client.receiving_org_id == 1
            hospital = await session.get(Organisation, client.hospital_org_id)
            assert hospital is not None and (hospital.name, hospital.kind) == (
                "Ospedale San Filippo Neri",
                OrgKind.OSPEDALE,
            )
            stored = (await session.exec(select(HospitalClient))).one()
            assert credential.split(".", 1)[1] not in stored.secret_sha256  # only the hash is kept
            assert await clients.by_credential(session, "sfn.another-secret") is None
    finally:
        await database.dispose()
