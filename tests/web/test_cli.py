"""The `centrale` command as a person uses it: demo serves and its printed credentials sign in."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

CLI = [sys.executable, "-c", "from web.cli import main; main()"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CENTRALE_", "TWILIO_"))}
    env["CENTRALE_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'demo.sqlite3'}"
    return env


def test_demo_is_ready_within_60_seconds_and_printed_credentials_sign_in(tmp_path: Path) -> None:
    port = _free_port()
    out = tmp_path / "demo.out"
    with out.open("w") as sink:
        proc = subprocess.Popen(
            [*CLI, "demo", "--port", str(port)], env=_env(tmp_path), cwd=tmp_path, stdout=sink, stderr=subprocess.STDOUT
        )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        ready = None
        while time.monotonic() < deadline:
            try:
                ready = httpx.get(f"{base}/readyz", timeout=2)
                if ready.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.3)
        assert ready is not None and ready.status_code == 200, out.read_text()
        home = httpx.get(f"{base}/")
        assert home.status_code == 200 and home.headers["content-type"].startswith("text/html")
        printed = out.read_text()
        password = re.search(r"password: (\S+)", printed)
        username = re.search(r"^\s+(coordinatore)\s", printed, re.M)
        assert password and username, printed
        login = httpx.post(
            f"{base}/api/v1/auth/login", json={"username": username.group(1), "password": password.group(1)}
        )
        assert login.status_code == 200, login.text
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=20)


def test_create_user_then_sign_in(tmp_path: Path) -> None:
    env = _env(tmp_path)
    subprocess.run([*CLI, "db", "upgrade"], env=env, cwd=tmp_path, check=True, capture_output=True)
    subprocess.run([*CLI, "seed-demo"], env=env, cwd=tmp_path, check=True, capture_output=True)
    done = subprocess.run(
        [
            *CLI,
            "create-user",
            "--username",
            "nuova.operatrice",
            "--full-name",
            "Nuova Operatrice",
            "--role",
            "CASE_MANAGER",
            "--organisation-id",
            "1",
            "--password",
            "una-password-lunga",
        ],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    again = subprocess.run(
        [
            *CLI,
            "create-user",
            "--username",
            "nuova.operatrice",
            "--full-name",
            "Altra Persona",
            "--role",
            "TUTOR",
            "--organisation-id",
            "1",
            "--password",
            "una-password-lunga",
        ],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert again.returncode != 0 and "esiste già" in again.stderr
