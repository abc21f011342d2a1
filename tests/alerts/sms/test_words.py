"""Keywords and opt words: case and accents ignored, whole words only."""

from __future__ import annotations

import pytest

from alerts.sms.words import Signal, opt_word, signal_of


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        ("Nonna è CADUTA in cucina", Signal.ALTA),
        ("la signora non rispónde al citofono", Signal.ALTA),
        ("Aiuto!", Signal.ALTA),
        ("serve la spesa per la sig.ra B3", Signal.MEDIA),
        ("mi sembra confusa", Signal.MEDIA),
        ("ok", Signal.CHECKIN),
        ("Tutto bene, grazie", Signal.CHECKIN),
        ("buongiorno", Signal.NESSUNA),
        ("consolato", Signal.NESSUNA),  # "sola" inside another word is not a keyword
    ],
)
def test_signal_of(text: str, signal: Signal) -> None:
    assert signal_of(text) is signal


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
