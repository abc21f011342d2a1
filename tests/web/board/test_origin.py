"""Which browser origins may open the board's websocket."""

from __future__ import annotations

from centrale.settings import Settings
from web.board.router import allowed_origins


def test_production_accepts_only_the_public_origin() -> None:
    settings = Settings(environment="production", secret_key="s" * 40, public_url="https://centrale.example.org")
    assert allowed_origins(settings) == {"https://centrale.example.org"}


def test_development_on_loopback_accepts_every_loopback_name_on_the_same_port() -> None:
    settings = Settings(environment="development", public_url="http://127.0.0.1:8000")
    assert allowed_origins(settings) == {"http://127.0.0.1:8000", "http://localhost:8000", "http://[::1]:8000"}
    assert "http://localhost:8001" not in allowed_origins(settings)


def test_development_on_a_real_host_is_not_widened() -> None:
    settings = Settings(environment="development", public_url="https://demo.example.org")
    assert allowed_origins(settings) == {"https://demo.example.org"}
