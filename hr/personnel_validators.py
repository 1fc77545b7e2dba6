"""Validators of the personnel file's tax and social-insurance numbers.

- Steuer-ID (steuerliche Identifikationsnummer): 11 digits, the first not 0; among the first ten
  one digit appears twice or three times (three times never in a row) and all others at most
  once; the last is the check digit of ISO 7064 MOD 11,10. python-stdnum (``stdnum.de.idnr``)
  implements exactly this; we use it rather than our own copy.
- Rentenversicherungsnummer (the social-insurance number on the Sozialversicherungsausweis):
  12 characters, area number (2 digits, 02-89), birth date DDMMYY, first letter of the birth
  name, serial number (2 digits), check digit. The check digit: the letter becomes its two-digit
  place in the alphabet (A = 01), the twelve digits are multiplied by 2, 1, 2, 5, 7, 1, 2, 1, 2,
  1, 2, 1, the digit sums of the products are added, and the sum modulo 10 is the check digit.
  python-stdnum has no module for it, so it is implemented here.

Each error message names the field it is about, so it reads well wherever it is shown.
"""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.de import idnr
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength
from stdnum.exceptions import ValidationError as SE
from stdnum.iso7064 import mod_11_10

RVNR_WEIGHTS = (2, 1, 2, 5, 7, 1, 2, 1, 2, 1, 2, 1)
_RVNR_RE = re.compile(r"^(\d{2})(\d{2})(\d{2})(\d{2})([A-Z])(\d{2})(\d)$")


def tax_id_compact(value: str) -> str:
    return "".join(str(value or "").split())


def tax_id_check_digit(first_ten: str) -> str:
    """The check digit (ISO 7064 MOD 11,10) of the first ten digits of a Steuer-ID."""
    return mod_11_10.calc_check_digit(first_ten)


def validate_tax_id(value: str) -> None:
    number = tax_id_compact(value)
    if not number.isdigit() or len(number) != 11:
        raise ValidationError(
            _("The tax ID must have exactly 11 digits."), code="tax_id_length", params={}
        )
    try:
        idnr.validate(number)
    except InvalidChecksum:
        raise ValidationError(
            _("The tax ID's check digit is wrong: please check the number."),
            code="tax_id_checksum",
        ) from None
    except (InvalidFormat, InvalidLength, SE):
        raise ValidationError(
            _(
                "The tax ID is not a valid number: it cannot start with 0, and of its first "
                "ten digits exactly one appears twice or three times (never three in a row)."
            ),
            code="tax_id_format",
        ) from None


def social_insurance_number_compact(value: str) -> str:
    return "".join(str(value or "").split()).upper()


def social_insurance_check_digit(first_eleven: str) -> str:
    """The check digit of the first eleven characters of a Rentenversicherungsnummer."""
    letter = first_eleven[8]
    digits = first_eleven[:8] + f"{ord(letter) - ord('A') + 1:02d}" + first_eleven[9:11]
    total = 0
    for digit, weight in zip(digits, RVNR_WEIGHTS, strict=True):
        product = int(digit) * weight
        total += product // 10 + product % 10
    return str(total % 10)


def social_insurance_birth_date_part(birth_date: date) -> str:
    return birth_date.strftime("%d%m%y")


def validate_social_insurance_number(value: str) -> None:
    number = social_insurance_number_compact(value)
    match = _RVNR_RE.match(number)
    if not match:
        raise ValidationError(
            _(
                "The social insurance number must have 12 characters: 2 digits area number, "
                "6 digits birth date, the first letter of the birth name, 2 digits serial "
                "number and a check digit (e.g. 65170839J003)."
            ),
            code="social_insurance_number_format",
        )
    area, day, month, _year, _letter, _serial, check = match.groups()
    if not 2 <= int(area) <= 89:
        raise ValidationError(
            _("The social insurance number's area number (first two digits) does not exist."),
            code="social_insurance_number_area",
        )
    if not (1 <= int(day) <= 31 and 1 <= int(month) <= 12):
        raise ValidationError(
            _("The social insurance number's digits 3 to 8 are not a birth date (DDMMYY)."),
            code="social_insurance_number_date",
        )
    if social_insurance_check_digit(number[:11]) != check:
        raise ValidationError(
            _("The social insurance number's check digit is wrong: please check the number."),
            code="social_insurance_number_checksum",
        )
