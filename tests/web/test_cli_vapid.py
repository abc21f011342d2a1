"""`centrale vapid-keys`: a key pair the push adapter signs with and browsers subscribe with."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from pydantic import ValidationError

from centrale.settings import Settings
from integrations.webpush.keys import public_of
from integrations.webpush.wiring import make_push_sender, public_key
from web.cli import main


def test_the_private_key_goes_to_a_secret_file_and_the_public_one_matches_it(tmp_path: Path) -> None:
    target = tmp_path / "vapid_private_key"
    result = CliRunner().invoke(main, ["vapid-keys", "--private-key-file", str(target)])
    assert result.exit_code == 0, result.output
    private = target.read_text().strip()
    assert private not in result.output  # a secret: never on the terminal when a file is given
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    public = result.output.strip().rsplit(" ", 1)[-1]
    assert public == public_of(private) and len(public) == 87  # base64url of the 65-byte P-256 point
    settings = Settings(
        environment="test", push_backend="webpush", vapid_private_key=private, vapid_subject="mailto:it@example.org"
    )
    assert public_key(settings) == public
    assert type(make_push_sender(settings)).__name__ == "WebPushSender"


def test_webpush_without_its_key_refuses_to_start() -> None:
    with pytest.raises(ValidationError, match="CENTRALE_VAPID_PRIVATE_KEY"):
        Settings(environment="test", push_backend="webpush", vapid_subject="mailto:it@example.org")
