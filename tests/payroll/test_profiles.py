"""Pay profiles: bank details are validated and normalised, and every change of them is kept
with who made it and when."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from backoffice import roles
from payroll.models import BankDetailsChange, PayProfile
from payroll.services.profiles import (
    pay_profile_create,
    pay_profile_set_bank_details,
    pay_profile_update,
)
from tests.hr.factories import EmployeeFactory
from tests.payroll.factories import VALID_IBANS, payroll_setup

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk(make_user):
    return make_user(roles.PAYROLL_CLERK)


@pytest.fixture
def schedule():
    return payroll_setup()


@pytest.fixture
def pay_profile(schedule, clerk):
    return pay_profile_create(
        employee=EmployeeFactory(),
        schedule=schedule,
        monthly_salary=Decimal("4200.00"),
        iban=VALID_IBANS[0],
        bic="COBADEFFXXX",
        account_holder="Anna Müller",
        user=clerk,
    )


def test_create_records_the_first_bank_details(pay_profile, clerk):
    """A new profile's bank details are the first entry of its history."""
    (change,) = pay_profile.bank_changes.all()
    assert (change.old_iban, change.new_iban, change.new_bic) == ("", VALID_IBANS[0], "COBADEFFXXX")
    assert change.changed_by == clerk


def test_bank_change_is_kept_with_who_and_when(pay_profile, make_user):
    """Changing the IBAN records old and new IBAN and BIC, the user and the time; the profile
    holds the new details, normalised (no spaces, upper case)."""
    other_clerk = make_user(roles.PAYROLL_CLERK)
    before = timezone.now()
    updated = pay_profile_set_bank_details(
        profile=pay_profile,
        iban="de02 1203 0000 0000 2020 51",
        bic="byladem1001",
        account_holder="Anna Müller",
        user=other_clerk,
    )
    assert (updated.iban, updated.bic) == ("DE02120300000000202051", "BYLADEM1001")
    pay_profile.refresh_from_db()
    assert pay_profile.iban == "DE02120300000000202051"
    change = pay_profile.bank_changes.order_by("-changed_at", "-id").first()
    assert (change.old_iban, change.new_iban) == (VALID_IBANS[0], "DE02120300000000202051")
    assert (change.old_bic, change.new_bic) == ("COBADEFFXXX", "BYLADEM1001")
    assert change.changed_by == other_clerk
    assert change.changed_at >= before
    assert pay_profile.bank_changes.count() == 2


def test_saving_the_same_details_records_nothing(pay_profile, clerk):
    """The same IBAN typed with spaces and in lower case is no change: no history row."""
    pay_profile_set_bank_details(
        profile=pay_profile,
        iban=VALID_IBANS[0].lower()[:4] + " " + VALID_IBANS[0][4:],
        bic="cobadeffxxx",
        account_holder="Anna Müller",
        user=clerk,
    )
    assert pay_profile.bank_changes.count() == 1


def test_account_holder_alone_changes_without_a_bank_change_row(pay_profile, clerk):
    """The history is of IBAN and BIC; a corrected holder name is saved without a row."""
    updated = pay_profile_set_bank_details(
        profile=pay_profile,
        iban=VALID_IBANS[0],
        bic="COBADEFFXXX",
        account_holder="Anna  Maria Müller",
        user=clerk,
    )
    assert updated.account_holder == "Anna Maria Müller"
    assert pay_profile.bank_changes.count() == 1


@pytest.mark.parametrize(
    ("iban", "fragment"),
    [
        ("DE89370400440532013001", "check digits"),
        ("DE8937040044053201300", "length"),
        ("XX89370400440532013000", "country"),
        ("not an iban", "not a valid IBAN"),
    ],
)
def test_invalid_iban_is_refused_naming_the_field(pay_profile, clerk, iban, fragment):
    """An invalid IBAN is an error on the IBAN field saying what is wrong; nothing changes."""
    with pytest.raises(ValidationError) as exc:
        pay_profile_set_bank_details(
            profile=pay_profile, iban=iban, bic="", account_holder="", user=clerk
        )
    assert list(exc.value.message_dict) == ["iban"]
    assert fragment in exc.value.message_dict["iban"][0]
    pay_profile.refresh_from_db()
    assert pay_profile.iban == VALID_IBANS[0]
    assert pay_profile.bank_changes.count() == 1


def test_invalid_bic_is_refused_naming_the_field(pay_profile, clerk):
    with pytest.raises(ValidationError) as exc:
        pay_profile_set_bank_details(
            profile=pay_profile, iban=VALID_IBANS[1], bic="XX", account_holder="", user=clerk
        )
    assert list(exc.value.message_dict) == ["bic"]
    assert pay_profile.bank_changes.count() == 1


def test_missing_bic_is_taken_from_the_iban(schedule, clerk):
    """A German IBAN's bank is known: its BIC is filled in when none is given."""
    created = pay_profile_create(
        employee=EmployeeFactory(),
        schedule=schedule,
        hourly_rate=Decimal("18.50"),
        iban=VALID_IBANS[0],
        user=clerk,
    )
    assert created.bic == "COBADEFFXXX"


def test_direct_deposit_needs_an_iban_and_a_cheque_does_not(schedule, clerk):
    with pytest.raises(ValidationError) as exc:
        pay_profile_create(
            employee=EmployeeFactory(), schedule=schedule, hourly_rate=Decimal("18"), user=clerk
        )
    assert list(exc.value.message_dict) == ["iban"]
    by_cheque = pay_profile_create(
        employee=EmployeeFactory(),
        schedule=schedule,
        hourly_rate=Decimal("18"),
        pay_method=PayProfile.PayMethod.CHEQUE,
        user=clerk,
    )
    assert by_cheque.iban == "" and not by_cheque.bank_changes.exists()


def test_rate_or_salary_exactly_one(schedule, clerk):
    employee = EmployeeFactory()
    for terms in ({}, {"hourly_rate": Decimal("18"), "monthly_salary": Decimal("3000")}):
        with pytest.raises(ValidationError):
            pay_profile_create(
                employee=employee, schedule=schedule, iban=VALID_IBANS[0], user=clerk, **terms
            )
    assert not PayProfile.objects.exists()


def test_update_keeps_history_and_changes_pay_terms(pay_profile, schedule, clerk):
    """The whole-profile update (the admin's) changes pay terms and records the bank change."""
    updated = pay_profile_update(
        profile=pay_profile,
        schedule=schedule,
        hourly_rate=None,
        monthly_salary=Decimal("4500.00"),
        pay_method=PayProfile.PayMethod.DIRECT_DEPOSIT,
        iban=VALID_IBANS[2],
        bic="",
        account_holder="Anna Müller",
        church_member=True,
        deductions_exempt=False,
        user=clerk,
    )
    assert updated.monthly_salary == Decimal("4500.00") and updated.church_member
    assert BankDetailsChange.objects.filter(profile=pay_profile).count() == 2
    assert updated.bank_changes.first().new_iban == VALID_IBANS[2]
