"""How many SMS segments a text costs: GSM-7 (160/153 septets) or UCS-2 (70/67 characters)."""

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


def _utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _septets(text: str) -> int:
    """GSM-7 septets of ``text``; UnicodeEncodeError when a character is not in GSM 03.38."""
    if _ONE_SEPTET.issuperset(text):
        return len(text)
    # the GSM 03.38 codec writes extension characters (€ [ ] { } ~ ^ \ |) as ESC + char: two septets
    return len(text.encode("gsm03.38"))


def count_segments(text: str) -> SegmentCount:
    """Encoding and number of segments a handset will receive for ``text``."""
    try:
        units = _septets(text)
        encoding, single, part = Encoding.GSM7, GSM7_SINGLE, GSM7_PART
    except UnicodeEncodeError:
        units = _utf16_units(text)
        encoding, single, part = Encoding.UCS2, UCS2_SINGLE, UCS2_PART
    if units == 0:
        return SegmentCount(encoding, 0, 1)
    segments = 1 if units <= single else -(-units // part)
    return SegmentCount(encoding, units, segments)


def is_single_gsm7(text: str) -> bool:
    """True when ``text`` is plain GSM-7 and fits in one segment (what templates aim for)."""
    count = count_segments(text)
    return count.encoding is Encoding.GSM7 and count.segments == 1
