"""Board tests: small bounds so that replay horizons, heartbeats and slow clients show quickly."""

from __future__ import annotations

import pytest

from centrale.db import Database
from centrale.settings import Settings


@pytest.fixture
def settings(database: Database) -> Settings:
    return Settings(
        environment="test",
        database_url=database.url,
        public_url="http://testserver",
        scheduler_enabled=False,
        board_replay_horizon=100,
        board_queue_size=64,
        board_send_timeout_seconds=1.0,
        board_ping_seconds=0.5,
    )
