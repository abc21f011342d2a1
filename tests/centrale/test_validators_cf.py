"""Codice fiscale parts through omocodia: the birthplace and the digits come back whatever letters replaced them."""

from __future__ import annotations

import pytest
from stdnum.it import codicefiscale

from centrale.validators import birthplace_of, classify_codice_fiscale, decode_omocodia


@pytest.mark.parametrize(
    ("code", "decoded", "birthplace"),
    [
        ("RSSMRA40A41H501O", "RSSMRA40A41H501O", "H501"),  # no omocodia: unchanged
        ("GLLLNZ33H08HRLMU", "GLLLNZ33H08H501U", "H501"),  # 5 -> R, 0 -> L, 1 -> M in the birthplace
        ("RSSMRA40A41H50MG", "RSSMRA40A41H501G", "H501"),  # only the last digit replaced
        ("RSSMRAQLAQMHRLMY", "RSSMRA40A41H501Y", "H501"),  # every digit replaced
        ("BNCLRA85T50ZMNLL", "BNCLRA85T50Z120L", "Z120"),  # born abroad: Z + country code
    ],
)
def test_omocodia_letters_turn_back_into_digits(code: str, decoded: str, birthplace: str) -> None:
    assert classify_codice_fiscale(code)[0] == code  # a valid ordinary code, check letter computed on the letters
    assert decode_omocodia(code) == decoded
    assert birthplace_of(code) == birthplace


def test_stdnum_reads_the_same_birth_date_through_omocodia() -> None:
    assert codicefiscale.get_birth_date("RSSMRAQLAQMHRLMY") == codicefiscale.get_birth_date("RSSMRA40A41H501O")
