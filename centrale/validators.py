"""Checks for Italian identifiers and phone numbers, with messages that name the problem."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from enum import StrEnum
from typing import Annotated

import phonenumbers
from pydantic import AfterValidator
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.it import codicefiscale, iva

from centrale.errors import Invalid


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


#: kinds of number a person answers: an Italian 3xx number with a digit too many is valid for libphonenumber,
#: but as a VOICEMAIL access number, not a phone; premium-rate and pager numbers reach no one either
_REACHABLE = frozenset(
    {
        phonenumbers.PhoneNumberType.FIXED_LINE,
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
        phonenumbers.PhoneNumberType.VOIP,
        phonenumbers.PhoneNumberType.PERSONAL_NUMBER,
        phonenumbers.PhoneNumberType.TOLL_FREE,
        phonenumbers.PhoneNumberType.SHARED_COST,
        phonenumbers.PhoneNumberType.UAN,
    }
)
#: what a handset receiving SMS is (libphonenumber cannot tell some countries' mobiles from landlines)
_SMS_CAPABLE = frozenset({phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE})


@functools.lru_cache(maxsize=4096)  # pure: the same senders write again and again (the webhook's hot path)
def normalise_phone(value: str) -> str:
    """A phone number in E.164 (Italian numbers may be written without +39)."""
    try:
        parsed = phonenumbers.parse(value, "IT")
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"numero di telefono non valido: {value!r}") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError(f"numero di telefono non valido: {value!r}")
    if phonenumbers.number_type(parsed) not in _REACHABLE:
        raise ValueError(f"numero di telefono non valido: {value!r} (una cifra in più o in meno?)")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def is_mobile(e164: str) -> bool:
    number = phonenumbers.parse(e164, None)
    return phonenumbers.number_type(number) in _SMS_CAPABLE


def sms_target(field: str, it: str, en: str) -> Callable[[str], str]:
    """A check for a number the centre sends SMS to: a valid phone (``ValueError``), and a mobile, or
    ``Invalid`` with a sentence that names the field (``it`` / ``en``: the field in words, capitalised)."""

    def check(value: str) -> str:
        e164 = normalise_phone(value)
        if not is_mobile(e164):
            raise Invalid(
                f"{it}: {e164} è un numero fisso; per gli SMS serve un cellulare "
                f"(un numero fisso vale solo per le chiamate) / {en}: {e164} is a landline; SMS need a "
                "mobile number (a landline is for voice calls only)",
                field=field,
            )
        return e164

    return check


CodiceFiscale = Annotated[str, AfterValidator(check_codice_fiscale)]
PhoneE164 = Annotated[str, AfterValidator(normalise_phone)]
#: where the centre sends SMS: a landline is refused with a sentence naming the field
SentinelSmsPhone = Annotated[
    str, AfterValidator(sms_target("phone", "Numero per gli SMS della sentinella", "Sentinel's SMS number"))
]
OperatorSmsPhone = Annotated[
    str, AfterValidator(sms_target("phone", "Cellulare dell'operatore (per gli SMS)", "Operator's mobile (for SMS)"))
]
CheckinSmsPhone = Annotated[
    str, AfterValidator(sms_target("phone", "Numero per gli SMS di verifica", "Number for check-in SMS"))
]
