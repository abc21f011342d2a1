"""The words sentinels write, and the words that stop or restart SMS to a number."""

from __future__ import annotations

import functools
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


_NOT_WORD = re.compile(r"[^\w]+")


@functools.lru_cache(maxsize=4096)  # pure: "OK", "tutto bene" and the aliases come again and again
def fold(text: str) -> str:
    """Upper case without accents and with single spaces: "è caduta" -> "E CADUTA"."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_NOT_WORD.sub(" ", bare.upper()).split())


def _any_of(phrases: tuple[str, ...]) -> re.Pattern[str]:
    """Any of ``phrases`` as whole words of a folded text."""
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(p) for p in phrases) + r")(?!\w)")


_HIGH, _MEDIUM, _CHECKIN = _any_of(HIGH_WORDS), _any_of(MEDIUM_WORDS), _any_of(CHECKIN_WORDS)


def signal_of(text: str) -> Signal:
    """The highest severity any keyword in ``text`` carries."""
    folded = fold(text)
    if _HIGH.search(folded):
        return Signal.ALTA
    if _MEDIUM.search(folded):
        return Signal.MEDIA
    if _CHECKIN.search(folded):
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
