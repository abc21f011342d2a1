"""Checks for Italian identifiers and phone numbers, with messages that name the problem."""

from __future__ import annotations

import functools
import re
from enum import StrEnum
from typing import Annotated

import phonenumbers
from pydantic import AfterValidator
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.it import codicefiscale, iva


class CfKind(StrEnum):
    """Kind of fiscal code: ordinary, temporary (11 digits) or STP/ENI for people without one."""

    ORDINARIO = "ORDINARIO"
    PROVVISORIO = "PROVVISORIO"
    STP = "STP"
    ENI = "ENI"


_STP_ENI = re.compile(r"^(STP|ENI)\d{13}$")


def classify_codice_fiscale(value: str) -> tuple[str, CfKind]:
    """Return the compact code and its kind, or raise ``ValueError`` saying why it is not valid."""
    code = re.sub(r"\s+", "", value).upper()
    match = _STP_ENI.match(code)
    if match:
        return code, CfKind(match.group(1))
    if code.isdigit() and len(code) == 11:
        try:
            iva.validate(code)
        except StdnumError as exc:
            raise ValueError("codice fiscale provvisorio non valido (cifra di controllo)") from exc
        return code, CfKind.PROVVISORIO
    try:
        return codicefiscale.validate(code), CfKind.ORDINARIO
    except StdnumError as exc:
        raise ValueError(f"codice fiscale non valido: {exc}") from exc


# omocodia: when two people would share a code, the tax office replaces digits, from the right, with
# letters (0-9 -> L M N P Q R S T U V); the digits sit in positions 7-8, 10-11 and 13-15 (1-based)
_OMOCODIA = str.maketrans("LMNPQRSTUV", "0123456789")
_DIGIT_POSITIONS = (6, 7, 9, 10, 12, 13, 14)


def decode_omocodia(code: str) -> str:
    """An ordinary codice fiscale with its omocodia letters turned back into digits (the check letter is kept)."""
    chars = list(code.upper())
    for i in _DIGIT_POSITIONS:
        chars[i] = chars[i].translate(_OMOCODIA)
    return "".join(chars)


def birthplace_of(code: str) -> str:
    """The birthplace's codice catastale (Belfiore, e.g. H501 Roma, Z… abroad) of an ordinary codice fiscale."""
    return decode_omocodia(code)[11:15]


def check_codice_fiscale(value: str) -> str:
    return classify_codice_fiscale(value)[0]


@functools.lru_cache(maxsize=4096)  # pure: the same senders write again and again (the webhook's hot path)
def normalise_phone(value: str) -> str:
    """A phone number in E.164 (Italian numbers may be written without +39)."""
    try:
        parsed = phonenumbers.parse(value, "IT")
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"numero di telefono non valido: {value!r}") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError(f"numero di telefono non valido: {value!r}")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def is_mobile(e164: str) -> bool:
    number = phonenumbers.parse(e164, None)
    return phonenumbers.number_type(number) in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )


CodiceFiscale = Annotated[str, AfterValidator(check_codice_fiscale)]
PhoneE164 = Annotated[str, AfterValidator(normalise_phone)]
