"""Segments: GSM-7 vs UCS-2 and the 160/153, 70/67 limits; every template fits in one GSM-7 segment.

The expected counts of the reference table are written by hand from GSM 03.38 and 3GPP TS 23.040 (a
concatenated part holds 153 septets or 67 UTF-16 code units; an ESC + extension character and a
surrogate pair are never split between two parts), not computed by the code under test.
"""

from __future__ import annotations

import pytest

from alerts.sms.segments import Encoding, SegmentCount, count_segments
from alerts.sms.templates import WORST_CASE, Template, render


@pytest.mark.parametrize(
    ("text", "encoding", "segments"),
    [
        ("Nonna è caduta", Encoding.GSM7, 1),
        ("È caduta", Encoding.UCS2, 1),
        ("L’anziana non risponde", Encoding.UCS2, 1),  # curly apostrophe
        ("a" * 160, Encoding.GSM7, 1),
        ("a" * 161, Encoding.GSM7, 2),
        ("a" * 306, Encoding.GSM7, 2),
        ("a" * 307, Encoding.GSM7, 3),
        ("€" * 80, Encoding.GSM7, 1),  # extension characters take two septets: 160
        ("€" * 81, Encoding.GSM7, 2),
        ("È" * 70, Encoding.UCS2, 1),
        ("È" * 71, Encoding.UCS2, 2),
        ("È" * 134, Encoding.UCS2, 2),
        ("È" * 135, Encoding.UCS2, 3),
    ],
)
def test_segment_table(text: str, encoding: Encoding, segments: int) -> None:
    count = count_segments(text)
    assert (count.encoding, count.segments) == (encoding, segments)


A, E = "a", "\u20ac"  # a one-septet letter; the euro sign, ESC + e in GSM 03.38 (two septets)
EGRAVE, EMOJI = "\u00c8", "\U0001f600"  # È is not GSM-7 (UCS-2, one unit); 😀 is a surrogate pair (two units)

#: (text, encoding, units, parts): each row worked out by hand from the rules in the module docstring above
REFERENCE = [
    ("", Encoding.GSM7, 0, 1),
    (A, Encoding.GSM7, 1, 1),
    (E, Encoding.GSM7, 2, 1),
    ("Nonna è caduta", Encoding.GSM7, 14, 1),  # è is in the basic table
    ("Tutto bene {ok}", Encoding.GSM7, 17, 1),  # { and } two septets each
    ("ça va", Encoding.UCS2, 5, 1),  # lower-case ç is not in GSM 03.38 (only Ç is)
    ("prezzo `5`", Encoding.UCS2, 10, 1),  # the backtick is not in GSM 03.38
    (A * 160, Encoding.GSM7, 160, 1),
    (A * 161, Encoding.GSM7, 161, 2),
    (A * 306, Encoding.GSM7, 306, 2),
    (A * 307, Encoding.GSM7, 307, 3),
    (A * 459, Encoding.GSM7, 459, 3),
    (A * 460, Encoding.GSM7, 460, 4),
    (A * 158 + E, Encoding.GSM7, 160, 1),  # exactly one segment
    (A * 159 + E, Encoding.GSM7, 161, 2),  # 153 | 6 + €
    (A * 152 + E + A * 152, Encoding.GSM7, 306, 3),  # € cannot straddle: 152 | € + 151 | 1
    (A * 151 + E + A * 152, Encoding.GSM7, 305, 2),  # 151 + € = 153 | 152
    (A * 153 + E + A * 151, Encoding.GSM7, 306, 2),  # 153 | € + 151 = 153
    (A * 304 + E, Encoding.GSM7, 306, 2),  # 153 | 151 + € = 153
    (A * 305 + E, Encoding.GSM7, 307, 3),  # 153 | 152 | €
    (A * 152 + "[" + A * 152, Encoding.GSM7, 306, 3),  # the same with the ESC bracket
    (E * 80, Encoding.GSM7, 160, 1),
    (E * 81, Encoding.GSM7, 162, 2),  # 76 € (152 septets) | 5 €
    (E * 152, Encoding.GSM7, 304, 2),  # 76 | 76
    (E * 153, Encoding.GSM7, 306, 3),  # 76 | 76 | 1: 306 septets but three parts
    (EGRAVE * 70, Encoding.UCS2, 70, 1),
    (EGRAVE * 71, Encoding.UCS2, 71, 2),
    (EGRAVE * 134, Encoding.UCS2, 134, 2),
    (EGRAVE * 135, Encoding.UCS2, 135, 3),
    (A * 100 + EGRAVE, Encoding.UCS2, 101, 2),  # one È turns the whole text to UCS-2: 67 | 34
    (EMOJI, Encoding.UCS2, 2, 1),
    (EMOJI * 35, Encoding.UCS2, 70, 1),
    (EMOJI * 36, Encoding.UCS2, 72, 2),  # 33 emoji (66 units) | 3
    (EMOJI * 67, Encoding.UCS2, 134, 3),  # 33 | 33 | 1: 134 units but three parts
    (EGRAVE * 66 + EMOJI + EGRAVE * 66, Encoding.UCS2, 134, 3),  # 66 | 😀 + 65 | 1
    (EGRAVE * 65 + EMOJI + EGRAVE * 67, Encoding.UCS2, 134, 2),  # 65 + 😀 = 67 | 67
    (EGRAVE * 69 + EMOJI, Encoding.UCS2, 71, 2),  # 67 | 2 È + 😀
    (EGRAVE * 68 + EMOJI, Encoding.UCS2, 70, 1),  # exactly one segment
    (A * 152 + EMOJI + A * 10, Encoding.UCS2, 164, 3),  # 67 | 67 | 18 + 😀 + 10 (an emoji forces UCS-2)
]


@pytest.mark.parametrize(("text", "encoding", "units", "parts"), REFERENCE)
def test_part_counts_agree_with_the_hand_written_reference(
    text: str, encoding: Encoding, units: int, parts: int
) -> None:
    assert count_segments(text) == SegmentCount(encoding, units, parts)


def test_extension_characters_count_double() -> None:
    assert count_segments("[ok]").units == 6
    assert count_segments("ok").units == 2


@pytest.mark.parametrize("template", list(Template))
def test_every_template_is_one_gsm7_segment(template: Template) -> None:
    text = render(template, **WORST_CASE)
    count = count_segments(text)
    assert count.encoding is Encoding.GSM7 and count.segments == 1, text


def test_render_refuses_a_text_that_would_split() -> None:
    with pytest.raises(ValueError, match="segmento"):
        render(Template.PRESA_IN_CARICO, code="X", role="È" * 10)


@pytest.mark.parametrize("char", [chr(c) for c in range(128)])
def test_the_ascii_shortcut_counts_as_the_codec_does(char: str) -> None:
    try:
        by_codec = Encoding.GSM7, len((char * 3).encode("gsm03.38"))
    except UnicodeEncodeError:
        by_codec = Encoding.UCS2, 3
    count = count_segments(char * 3)
    assert (count.encoding, count.units) == by_codec
