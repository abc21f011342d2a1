"""How many SMS parts a text costs: GSM-7 (160/153 septets) or UCS-2 (70/67 code units).

A multi-part message is cut by the sender's handset or provider so that no character is split: a GSM
03.38 extension character (ESC + char, two septets: € [ ] { } ~ ^ \\ | and form feed) and a UTF-16
surrogate pair (an emoji) always travel whole in one part, so a part may carry fewer than 153 septets
or 67 code units, and the count is the number of parts a greedy cut makes, not ``ceil(units / part)``.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from enum import StrEnum

import gsm0338  # noqa: F401 - registers the "gsm03.38" codec

GSM7_SINGLE, GSM7_PART = 160, 153  # a concatenated part loses 7 septets to its header
UCS2_SINGLE, UCS2_PART = 70, 67


class Encoding(StrEnum):
    GSM7 = "GSM-7"
    UCS2 = "UCS-2"


@dataclass(frozen=True)
class SegmentCount:
    encoding: Encoding
    units: int  # septets for GSM-7 (extension characters count two), UTF-16 code units for UCS-2
    segments: int


# ASCII characters that are one septet of GSM 03.38's basic table (the backtick is not in it; [ \\ ] ^ { | } ~
# are in its extension table, two septets): a text made only of these needs no trip through the codec
_ONE_SEPTET = frozenset(string.ascii_letters + string.digits + " \n\r!\"#$%&'()*+,-./:;<=>?@_")


def _septets_of(char: str) -> int:
    """Septets of one character: 1 (basic table) or 2 (ESC + extension); UnicodeEncodeError if not GSM 03.38."""
    return 1 if char in _ONE_SEPTET else len(char.encode("gsm03.38"))


def _code_units_of(char: str) -> int:
    """UTF-16 code units of one code point: 2 (a surrogate pair) above the Basic Multilingual Plane."""
    return 2 if ord(char) > 0xFFFF else 1


def _parts(widths: list[int], capacity: int) -> int:
    """Parts of ``capacity`` units each, filled in order, with no character split between two parts."""
    parts, used = 1, 0
    for width in widths:
        if used + width > capacity:
            parts, used = parts + 1, 0
        used += width
    return parts


def count_segments(text: str) -> SegmentCount:
    """Encoding and number of parts a handset will receive for ``text``."""
    try:
        widths = [1] * len(text) if _ONE_SEPTET.issuperset(text) else [_septets_of(c) for c in text]
        encoding, single, part = Encoding.GSM7, GSM7_SINGLE, GSM7_PART
    except UnicodeEncodeError:
        widths = [_code_units_of(c) for c in text]
        encoding, single, part = Encoding.UCS2, UCS2_SINGLE, UCS2_PART
    units = sum(widths)
    segments = 1 if units <= single else _parts(widths, part)
    return SegmentCount(encoding, units, segments)


def is_single_gsm7(text: str) -> bool:
    """True when ``text`` is plain GSM-7 and fits in one segment (what templates aim for)."""
    count = count_segments(text)
    return count.encoding is Encoding.GSM7 and count.segments == 1
