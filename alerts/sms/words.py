"""The words sentinels write, and the words that stop or restart SMS to a number."""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum


class Signal(StrEnum):
    """What a sentinel's words say about urgency (DOMAIN.md: high, medium, check-in)."""

    ALTA = "ALTA"
    MEDIA = "MEDIA"
    CHECKIN = "CHECKIN"
    NESSUNA = "NESSUNA"  # no keyword: an operator reads it


# Twilio's default opt-out and opt-in keywords, plus the Italian ones of DOMAIN.md
OPT_OUT_WORDS = frozenset(
    {"STOP", "ARRESTA", "CANCELLA", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE"}
)
OPT_IN_WORDS = frozenset({"START", "YES", "UNSTOP", "OPTIN"})

HIGH_WORDS = ("AIUTO", "URGENTE", "CADUTA", "CADUTO", "NON RISPONDE", "STA MALE", "AMBULANZA")
MEDIUM_WORDS = ("FARMACI", "SPESA", "SOLO", "SOLA", "CONFUSO", "CONFUSA")
CHECKIN_WORDS = ("OK", "TUTTO BENE")


def fold(text: str) -> str:
    """Upper case without accents and with single spaces: "è caduta" -> "E CADUTA"."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w]+", " ", bare.upper()).split())


def _has(folded: str, phrase: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", folded) is not None


def signal_of(text: str) -> Signal:
    """The highest severity any keyword in ``text`` carries."""
    folded = fold(text)
    if any(_has(folded, w) for w in HIGH_WORDS):
        return Signal.ALTA
    if any(_has(folded, w) for w in MEDIUM_WORDS):
        return Signal.MEDIA
    if any(_has(folded, w) for w in CHECKIN_WORDS):
        return Signal.CHECKIN
    return Signal.NESSUNA


def opt_word(text: str) -> bool | None:
    """True for an opt-out message, False for an opt-in, None otherwise (the whole message is the word)."""
    folded = fold(text)
    if folded in OPT_OUT_WORDS:
        return True
    if folded in OPT_IN_WORDS:
        return False
    return None
