"""docker-compose.yml: valid Compose, one image, every setting passable, secrets from files, the proxy in front."""

from __future__ import annotations

import json
import os
import re
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from centrale.settings import Settings, env_names

ROOT = Path(__file__).resolve().parents[1]
# the Compose Specification's JSON schema as the check-jsonschema package (dev extra) ships it
SCHEMA = files("check_jsonschema.builtin_schemas.vendor") / "compose-spec.json"
APPS = ("app1", "app2", "migrate")
# the settings that are secrets: never a plain variable, always a file
SECRET_SETTINGS = {
    "secret_key",
    "database_password",
    "redis_password",
    "twilio_auth_token",
    "waas_token",
    "pseudonym_key",
    "vapid_private_key",
}


def _compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return data


def _substitute(text: str, env: dict[str, str]) -> str:
    """Compose's interpolation: ``${X}``, ``${X:-default}``, ``${X-default}``, ``${X:?error}``, nesting, ``$$``."""
    out, i = [], 0
    while i < len(text):
        if text.startswith("$$", i):
            out.append("$")
            i += 2
        elif text.startswith("${", i):
            depth, j = 1, i + 2
            while depth:
                if text.startswith("${", j):
                    depth, j = depth + 1, j + 2
                    continue
                depth -= text[j] == "}"
                j += 1
            expr = text[i + 2 : j - 1]
            m = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])(.*))?", expr, re.S)
            assert m, expr
            name, op, arg = m.groups()
            value = env.get(name)
            if op in (":-", "-"):
                use_default = not value if op == ":-" else value is None
                out.append(_substitute(arg, env) if use_default else str(value))
            elif op in (":?", "?"):
                if (not value) if op == ":?" else value is None:
                    raise KeyError(f"{name}: {arg}")
                out.append(str(value))
            else:
                out.append(value or "")
            i = j
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def _interpolate(node: Any, env: dict[str, str]) -> Any:
    if isinstance(node, str):
        return _substitute(node, env)
    if isinstance(node, dict):
        return {k: _interpolate(v, env) for k, v in node.items()}
    if isinstance(node, list):
        return [_interpolate(v, env) for v in node]
    return node


REQUIRED = {"CENTRALE_PUBLIC_URL": "https://centrale.example.org"}


def test_interpolation_as_compose_does_it() -> None:
    env = {"A": "1", "E": ""}
    assert _substitute("${A}-${B:-x}-${E:-y}-${E-z}-${B:-${A:-0}}-$$HOME", env) == "1-x-y--1-$HOME"
    with pytest.raises(KeyError):
        _substitute("${B:?set B}", env)


def test_compose_is_valid_against_the_compose_specification() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert schema["title"] == "Compose Specification"
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)
    for document in (_compose(), _interpolate(_compose(), REQUIRED)):
        errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
        assert not errors, "; ".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)
    # and the schema is really checking: a misspelt key is refused
    broken = _compose()
    broken["services"]["app1"]["healtcheck"] = {}
    assert not validator.is_valid(broken)
    broken = _compose()
    broken["secrets"]["secret_key"]["fille"] = "./secrets/secret_key"
    assert not validator.is_valid(broken)
    broken = _compose()
    broken["services"]["proxy"]["depends_on"]["app1"]["condition"] = "service_ready"
    assert not validator.is_valid(broken)


def test_compose_has_postgres_redis_two_apps_a_migration_and_a_proxy() -> None:
    services = _compose()["services"]
    assert {"postgres", "redis", "migrate", "app1", "app2", "proxy"} <= set(services)
    assert services["app1"]["command"][:2] == ["centrale", "serve"]
    assert services["migrate"]["command"] == ["centrale", "db", "upgrade"]
    for app in ("app1", "app2"):
        assert services[app]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}


def test_one_image_is_built_once_and_run_by_every_app_service() -> None:
    services = _interpolate(_compose(), REQUIRED)["services"]
    builders = [name for name, service in services.items() if "build" in service]
    assert builders == ["migrate"]
    image = services["migrate"]["image"]
    assert all(services[name]["image"] == image for name in APPS)


def test_every_setting_can_be_passed_to_the_apps() -> None:
    services = _compose()["services"]
    for app in APPS:
        env = services[app]["environment"]
        for name, field in Settings.model_fields.items():
            names = env_names(name, field)
            passed = [n for n in names if n in env] + [n for n in names if f"{n}_FILE" in env]
            assert passed, f"{app} cannot be given {names[0]}"
            if name in SECRET_SETTINGS:
                assert not any(n in env for n in names), f"{names[0]} must come from a secret file"


def test_compose_environment_names_are_settings() -> None:
    known = {n for name, field in Settings.model_fields.items() for n in env_names(name, field)}
    known |= {f"{n}_FILE" for n in known}
    for app in APPS:
        unknown = {k for k in _compose()["services"][app]["environment"] if not k.startswith("OTEL_")} - known
        assert not unknown, f"{app} sets variables the app does not read: {unknown}"


def test_the_settings_reach_the_app_from_the_environment_and_the_secret_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What an operator puts in the environment of `docker compose` and in ./secrets/ is what the app reads."""
    compose = _compose()
    secrets_dir = tmp_path / "secrets"
    secrets_dir.mkdir()
    given = {
        "postgres_password": "pg-p@ss/word",
        "redis_password": "redis-pass",
        "secret_key": "k" * 48,
        "twilio_auth_token": "twilio-token-value",
        "waas_token": "waas-bearer-value",
        "pseudonym_key": "pseudonym-key-value",
        "vapid_private_key": "vapid-private-key-value",
    }
    for name, value in given.items():
        assert compose["secrets"][name]["file"] == f"./secrets/{name}"
        (secrets_dir / name).write_text(value + "\n")
    outside = {
        **REQUIRED,
        "TWILIO_ACCOUNT_SID": "AC0123456789abcdef0123456789abcdef",
        "TWILIO_MESSAGING_SERVICE_SID": "MG0123456789abcdef0123456789abcdef",
        "CENTRALE_SIUSS_CF_OPERATORE": "RSSMRA80A01H501U",
        "CENTRALE_SIUSS_CODICE_ENTE": "F205",
        "CENTRALE_TICK_SECONDS": "5",
        "CENTRALE_SCALE_BANDS": '{"BARTHEL": [[0, 100, "tutti"]]}',
    }
    service = _interpolate(compose, outside)["services"]["app1"]
    mounted = set(service["secrets"])
    for key in list(os.environ):
        if key.startswith(("CENTRALE_", "TWILIO_")):
            monkeypatch.delenv(key)
    for key, value in service["environment"].items():
        if key.endswith("_FILE"):
            name = value.removeprefix("/run/secrets/")
            assert name in mounted, f"{key} reads a secret the service does not mount"
            value = str(secrets_dir / name)
        monkeypatch.setenv(key, value)
    settings = Settings()
    assert settings.environment == "production"
    assert settings.secret_key == given["secret_key"]
    assert settings.waas_token == given["waas_token"] and settings.pseudonym_key == given["pseudonym_key"]
    assert settings.twilio_auth_token == given["twilio_auth_token"]
    assert settings.vapid_private_key == given["vapid_private_key"]
    assert settings.twilio_messaging_service_sid == outside["TWILIO_MESSAGING_SERVICE_SID"]
    assert settings.siuss_cf_operatore == outside["CENTRALE_SIUSS_CF_OPERATORE"]
    assert settings.siuss_codice_ente == "F205" and settings.tick_seconds == 5.0
    assert settings.scale_bands == {"BARTHEL": [(0, 100, "tutti")]}
    assert settings.database_url == "postgresql+asyncpg://centrale:pg-p%40ss%2Fword@postgres:5432/centrale"
    assert settings.redis_url == "redis://:redis-pass@redis:6379/0"
    assert settings.session_hours == 12  # an unset variable keeps the default
    assert settings.public_url == REQUIRED["CENTRALE_PUBLIC_URL"]


def test_the_apps_believe_forwarded_addresses_from_the_proxy_only() -> None:
    compose = _interpolate(_compose(), REQUIRED)
    proxy_address = compose["services"]["proxy"]["networks"]["edge"]["ipv4_address"]
    for app in APPS:
        env = compose["services"][app]["environment"]
        assert env["CENTRALE_FORWARDED_ALLOW_IPS"] == proxy_address
        assert env["CENTRALE_METRICS_ALLOW"] == proxy_address
    moved = _interpolate(_compose(), {**REQUIRED, "PROXY_ADDRESS": "10.9.8.7", "EDGE_SUBNET": "10.9.8.0/24"})
    assert moved["services"]["app1"]["environment"]["CENTRALE_FORWARDED_ALLOW_IPS"] == "10.9.8.7"
    assert moved["services"]["app1"]["environment"]["CENTRALE_METRICS_ALLOW"] == "10.9.8.7"


def test_the_proxy_waits_for_healthy_apps() -> None:
    services = _compose()["services"]
    assert services["proxy"]["depends_on"] == {
        "app1": {"condition": "service_healthy"},
        "app2": {"condition": "service_healthy"},
    }
    for app in ("app1", "app2"):
        probe = " ".join(services[app]["healthcheck"]["test"])
        assert re.search(r"http://127\.0\.0\.1:8000/(readyz|healthz)", probe)


def test_postgres_and_redis_take_their_passwords_from_secret_files() -> None:
    services = _compose()["services"]
    assert services["postgres"]["environment"]["POSTGRES_PASSWORD_FILE"] == "/run/secrets/postgres_password"
    assert "POSTGRES_PASSWORD" not in services["postgres"]["environment"]
    redis = services["redis"]
    assert "redis_password" in redis["secrets"]
    script = " ".join(redis["command"])
    assert "requirepass" in script and "/run/secrets/redis_password" in script
    assert "/run/secrets/redis_password" in " ".join(redis["healthcheck"]["test"])
    assert services["app1"]["environment"]["CENTRALE_REDIS_PASSWORD_FILE"] == "/run/secrets/redis_password"


def test_compose_keeps_no_secret() -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    for key in ("CENTRALE_SECRET_KEY", "POSTGRES_PASSWORD", "TWILIO_AUTH_TOKEN", "CENTRALE_WAAS_TOKEN"):
        for value in re.findall(rf"{key}: (.+)", text):
            assert value.strip().startswith("/run/secrets/"), f"{key} must come from a secret file"


def test_the_internal_port_is_published_on_the_loopback_only() -> None:
    ports = _compose()["services"]["proxy"]["ports"]
    assert "127.0.0.1:8081:8081" in ports
    assert not any(p.endswith(":8000") for p in ports), "the apps are reached through the proxy only"
