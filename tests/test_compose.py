"""docker-compose.yml parses, has the production shape, and speaks the settings' names."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from centrale.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _setting_names() -> set[str]:
    names = set()
    for name, field in Settings.model_fields.items():
        alias = field.validation_alias
        if alias is not None and hasattr(alias, "choices"):
            names.update(str(c) for c in alias.choices)
        else:
            names.add(f"CENTRALE_{name.upper()}")
    return names


def test_compose_has_postgres_redis_two_apps_and_a_proxy() -> None:
    services = _compose()["services"]
    assert {"postgres", "redis", "app1", "app2", "proxy"} <= set(services)
    assert services["app1"]["command"][:2] == ["centrale", "serve"]
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "proxy_set_header Upgrade $http_upgrade" in conf and "app1:8000" in conf and "app2:8000" in conf


def test_the_proxy_serves_neither_the_metrics_nor_the_schema_to_the_public() -> None:
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    hidden = re.findall(r"location (=|~) (\S+) \{ return 404; \}", conf)
    assert ("=", "/metrics") in hidden
    pattern = next(p for kind, p in hidden if kind == "~")
    for path in ("/docs", "/redoc", "/openapi.json", "/docs/oauth2-redirect"):
        assert re.match(pattern, path), path
    assert not re.match(pattern, "/api/v1/persons") and not re.match(pattern, "/documenti")


def test_compose_environment_names_are_settings() -> None:
    services = _compose()["services"]
    known = _setting_names()
    for name in ("app1", "app2", "migrate"):
        env = services[name]["environment"]
        unknown = {k for k in env if k not in known}
        assert not unknown, f"{name} sets variables the app does not read: {unknown}"
        assert {"CENTRALE_DATABASE_URL", "CENTRALE_REDIS_URL", "CENTRALE_SECRET_KEY", "CENTRALE_PUBLIC_URL"} <= set(env)


def test_compose_keeps_no_secret() -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    for key in ("CENTRALE_SECRET_KEY", "POSTGRES_PASSWORD", "TWILIO_AUTH_TOKEN"):
        for value in re.findall(rf"{key}: (.+)", text):
            assert value.strip().startswith("${"), f"{key} must come from the environment, not the file"
