"""What every scenario shares: the run's options, the instances' environment, the load generator process."""

from __future__ import annotations

import json
import secrets
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.procs import PYTHON, ROOT

# Twilio signs the URL it was given (behind the proxy, https); every instance is told the same one.
PUBLIC_URL = "https://centrale.bench.invalid"
AUTH_TOKEN = "bench" + "0" * 27  # a fake Twilio Auth Token: only signatures depend on it


@dataclass
class Context:
    """One invocation of ``python -m bench``."""

    quick: bool
    runs: int
    duration: float
    pg_server: str
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="centrale-bench-")))
    secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))

    def app_env(self, database_url: str, *, redis_url: str | None = None, scheduler: bool = True) -> dict[str, str]:
        """The CENTRALE_* environment of one app instance (production settings, console SMS)."""
        env = {
            "CENTRALE_ENVIRONMENT": "production",
            "CENTRALE_DATABASE_URL": database_url,
            "CENTRALE_PUBLIC_URL": PUBLIC_URL,
            "CENTRALE_SECRET_KEY": self.secret,
            "CENTRALE_SMS_BACKEND": "console",
            "CENTRALE_SCHEDULER_ENABLED": "true" if scheduler else "false",
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
        }
        if redis_url:
            env["CENTRALE_REDIS_URL"] = redis_url
        return env

    def sqlite_url(self, name: str = "bench.sqlite3") -> str:
        return f"sqlite+aiosqlite:///{self.workdir / name}"

    def log(self, name: str) -> Path:
        return self.workdir / f"{name}.log"


def run_module(module: str, config: dict[str, Any], *, timeout: float) -> dict[str, Any]:
    """Run ``python -m module '<config json>'`` in its own process and parse the JSON it prints."""
    done = subprocess.run(
        [PYTHON, "-m", module, json.dumps(config)], cwd=ROOT, capture_output=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{module} failed ({done.returncode}): {done.stderr.decode()[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def load(url: str, *, rate: float, duration: float, senders: list[str], **extra: Any) -> dict[str, Any]:
    """One open-loop run of the webhook load generator against ``url``."""
    config = {
        "url": url,
        "rate": rate,
        "duration": duration,
        "token": AUTH_TOKEN,
        "public_url": PUBLIC_URL,
        "senders": senders,
        **extra,
    }
    return run_module("bench.loadgen", config, timeout=duration + 60)
