"""Settings for the integrations: the ente's operator code, INPS's credential, the pseudonym key."""

from __future__ import annotations

import pytest

from centrale.db import Database
from centrale.settings import Settings

WAAS_TOKEN = "token-del-client-inps-di-prova"
PSEUDONYM_KEY = "chiave-di-prova-per-gli-pseudonimi-0123456789"


@pytest.fixture
def settings(database: Database) -> Settings:
    return Settings(
        environment="test",
        database_url=database.url,
        public_url="http://testserver",
        scheduler_enabled=False,
        siuss_cf_operatore="02438750586",
        waas_token=WAAS_TOKEN,
        pseudonym_key=PSEUDONYM_KEY,
    )
