"""The personnel file's tax ID (Steuer-ID) and social-insurance number (Rentenversicherungs-
nummer) are checked with their official check digits; every error names its field."""

import datetime
import random

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from hr.demo_personnel import demo_social_insurance_number, demo_tax_id
from hr.models import PersonnelFile
from hr.personnel_validators import (
    social_insurance_check_digit,
    validate_social_insurance_number,
    validate_tax_id,
)
from tests.hr.factories import EmployeeFactory

seeds = st.integers(min_value=0, max_value=2**32)
birth_dates = st.dates(min_value=datetime.date(1930, 1, 1), max_value=datetime.date(2010, 12, 31))


def test_known_numbers_pass():
    """The published examples: Steuer-ID 36 574 261 809, RV-Nummer 65 170839 J 003."""
    validate_tax_id("36574261809")
    validate_social_insurance_number("65170839J003")
    validate_social_insurance_number("10010490A443")


@given(seeds)
def test_generated_tax_ids_pass_and_any_other_check_digit_fails(seed):
    number = demo_tax_id(random.Random(seed))
    validate_tax_id(number)
    for digit in "0123456789":
        if digit != number[-1]:
            with pytest.raises(ValidationError, match="tax ID's check digit"):
                validate_tax_id(number[:-1] + digit)


@given(seeds, st.integers(min_value=0, max_value=9), st.integers(min_value=1, max_value=9))
def test_a_mistyped_digit_of_a_tax_id_is_caught(seed, position, delta):
    """ISO 7064 MOD 11,10 catches every single wrong digit."""
    number = demo_tax_id(random.Random(seed))
    wrong = str((int(number[position]) + delta) % 10)
    typo = number[:position] + wrong + number[position + 1 :]
    with pytest.raises(ValidationError, match="tax ID"):
        validate_tax_id(typo)


@pytest.mark.parametrize(
    "value", ["", "1234", "123456789012", "3657426180a", "06574261809", "11111111111"]
)
def test_malformed_tax_ids_fail(value):
    with pytest.raises(ValidationError, match="tax ID"):
        validate_tax_id(value)


@given(seeds, birth_dates, st.sampled_from(["Müller", "Schmidt", "Özdemir", "Zimmer"]))
def test_generated_social_insurance_numbers_pass_and_other_check_digits_fail(seed, born, name):
    number = demo_social_insurance_number(random.Random(seed), born, name)
    validate_social_insurance_number(number)
    assert number[2:8] == born.strftime("%d%m%y")
    for digit in "0123456789":
        if digit != number[-1]:
            with pytest.raises(ValidationError, match="check digit"):
                validate_social_insurance_number(number[:-1] + digit)


@given(st.text(max_size=14))
def test_anything_else_is_refused_with_the_fields_name_never_a_crash(value):
    number = value.replace(" ", "").upper()
    if len(number) == 12 and number[8:9].isalpha() and number[:8].isdigit():
        return  # well-formed enough to reach the check digit: covered above
    with pytest.raises(ValidationError, match="social insurance number"):
        validate_social_insurance_number(value)


def test_check_digit_weights():
    """The published worked example: 65170839J00 has the check digit 3."""
    assert social_insurance_check_digit("65170839J00") == "3"


@pytest.mark.django_db
def test_model_errors_are_keyed_by_field():
    file = PersonnelFile(
        employee=EmployeeFactory(),
        tax_id="36574261808",
        social_insurance_number="65170839J004",
    )
    with pytest.raises(ValidationError) as exc:
        file.full_clean()
    assert set(exc.value.message_dict) == {"tax_id", "social_insurance_number"}


@pytest.mark.django_db
def test_social_insurance_number_must_carry_the_birth_date():
    file = PersonnelFile(
        employee=EmployeeFactory(),
        birth_date=datetime.date(1939, 8, 18),
        social_insurance_number="65170839J003",
    )
    with pytest.raises(ValidationError) as exc:
        file.full_clean()
    assert "date of birth" in exc.value.message_dict["social_insurance_number"][0]
    file.birth_date = datetime.date(1939, 8, 17)
    file.full_clean()
