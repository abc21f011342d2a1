"""Keywords and opt words: case and accents ignored, whole words only."""

from __future__ import annotations

import pytest

from alerts.sms.words import Severity, opt_word, severity_of


@pytest.mark.parametrize(
    ("text", "severity"),
    [
        ("Nonna è CADUTA in cucina", Severity.ALTA),
        ("la signora non rispónde al citofono", Severity.ALTA),
        ("Aiuto!", Severity.ALTA),
        ("serve la spesa per la sig.ra B3", Severity.MEDIA),
        ("mi sembra confusa", Severity.MEDIA),
        ("ok", Severity.CHECKIN),
        ("Tutto bene, grazie", Severity.CHECKIN),
        ("buongiorno", Severity.NESSUNA),
        ("consolato", Severity.NESSUNA),  # "sola" inside another word is not a keyword
    ],
)
def test_severity_of(text: str, severity: Severity) -> None:
    assert severity_of(text) is severity


@pytest.mark.parametrize(
    ("text", "wants_out"),
    [
        ("STOP", True),
        (" stop ", True),
        ("Arresta", True),
        ("cancella", True),
        ("STOPALL", True),
        ("unsubscribe", True),
        ("END", True),
        ("quit", True),
        ("start", False),
        ("YES", False),
        ("unstop", False),
        ("stop al citofono", None),
        ("ok", None),
    ],
)
def test_opt_word(text: str, wants_out: bool | None) -> None:
    assert opt_word(text) is wants_out
