"""Segments: GSM-7 vs UCS-2 and the 160/153, 70/67 limits; every template fits in one GSM-7 segment."""

from __future__ import annotations

import pytest

from alerts.sms.segments import Encoding, count_segments
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
