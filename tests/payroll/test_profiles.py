"""Pay profiles: bank details are validated and normalised, and every change of them that takes
effect is kept with who asked, who approved and when (the four-eyes flow itself is in
test_profile_changes.py)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from backoffice import roles
from payroll.models import BankDetailsChange, PayProfile, PayProfileChange
from payroll.services.profiles import (
    pay_profile_change_approve,
    pay_profile_change_request,
    pay_profile_create,
    pay_profile_save,
)
from tests.hr.factories import EmployeeFactory
from tests.payroll.factories import VALID_IBANS, payroll_setup

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk(make_user):
    return make_user(roles.PAYROLL_CLERK)


@pytest.fixture
def approver(make_user):
    return make_user(roles.PAYROLL_CLERK)


@pytest.fixture
def schedule():
    return payroll_setup()


@pytest.fixture
def pay_profile(schedule, clerk, approver):
    created = pay_profile_create(
        employee=EmployeeFactory(),
        schedule=schedule,
        monthly_salary=Decimal("4200.00"),
        iban=VALID_IBANS[0],
        bic="COBADEFFXXX",
        account_holder="Anna Müller",
        user=clerk,
    )
    pay_profile_change_approve(change=created.change_requests.get(), user=approver)
    created.refresh_from_db()
    return created


def _request_and_approve(profile, clerk, approver, **fields):
    change = pay_profile_change_request(profile=profile, user=clerk, **fields)
    return pay_profile_change_approve(change=change, user=approver)


def test_create_records_the_first_bank_details_when_approved(pay_profile, clerk, approver):
    """A new profile's bank details are the first entry of its history, written when the
    second person approves the profile: who asked and who approved."""
    (change,) = pay_profile.bank_changes.all()
    assert (change.old_iban, change.new_iban, change.new_bic) == ("", VALID_IBANS[0], "COBADEFFXXX")
    assert (change.requested_by, change.changed_by) == (clerk, approver)
    assert pay_profile.approved_by == approver


def test_bank_change_is_kept_with_who_and_when(pay_profile, clerk, make_user):
    """Changing the IBAN records old and new IBAN and BIC, who asked, who approved and the
    time; the profile holds the new details, normalised (no spaces, upper case)."""
    other_clerk = make_user(roles.PAYROLL_CLERK)
    before = timezone.now()
    request = _request_and_approve(
        pay_profile,
        clerk,
        other_clerk,
        iban="de02 1203 0000 0000 2020 51",
        bic="byladem1001",
    )
    pay_profile.refresh_from_db()
    assert (pay_profile.iban, pay_profile.bic) == ("DE02120300000000202051", "BYLADEM1001")
    change = pay_profile.bank_changes.order_by("-changed_at", "-id").first()
    assert (change.old_iban, change.new_iban) == (VALID_IBANS[0], "DE02120300000000202051")
    assert (change.old_bic, change.new_bic) == ("COBADEFFXXX", "BYLADEM1001")
    assert (change.requested_by, change.changed_by) == (clerk, other_clerk)
    assert change.change_request == request
    assert change.changed_at >= before
    assert pay_profile.bank_changes.count() == 2


def test_asking_for_the_same_details_is_refused_and_records_nothing(pay_profile, clerk):
    """The same IBAN typed with spaces and in lower case is no change: refused, no request."""
    with pytest.raises(ValidationError, match="Nothing changes"):
        pay_profile_change_request(
            profile=pay_profile,
            user=clerk,
            iban=VALID_IBANS[0].lower()[:4] + " " + VALID_IBANS[0][4:],
            bic="cobadeffxxx",
        )
    assert not pay_profile.change_requests.filter(kind="change").exists()
    assert pay_profile.bank_changes.count() == 1


def test_account_holder_alone_changes_without_a_bank_change_row(pay_profile, clerk, approver):
    """The history is of IBAN and BIC; a corrected holder name is applied without a row."""
    _request_and_approve(pay_profile, clerk, approver, account_holder="Anna  Maria Müller")
    pay_profile.refresh_from_db()
    assert pay_profile.account_holder == "Anna Maria Müller"
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
    """An invalid IBAN is an error on the IBAN field saying what is wrong; nothing is asked."""
    with pytest.raises(ValidationError) as exc:
        pay_profile_change_request(profile=pay_profile, user=clerk, iban=iban, bic="")
    assert list(exc.value.message_dict) == ["iban"]
    assert fragment in exc.value.message_dict["iban"][0]
    pay_profile.refresh_from_db()
    assert pay_profile.iban == VALID_IBANS[0]
    assert not pay_profile.change_requests.filter(kind="change").exists()


def test_invalid_bic_is_refused_naming_the_field(pay_profile, clerk):
    with pytest.raises(ValidationError) as exc:
        pay_profile_change_request(profile=pay_profile, user=clerk, iban=VALID_IBANS[1], bic="XX")
    assert list(exc.value.message_dict) == ["bic"]
    assert not pay_profile.change_requests.filter(kind="change").exists()


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
    assert not PayProfileChange.objects.exists()


def test_whole_profile_save_applies_schedule_at_once_and_asks_for_the_rest(
    pay_profile, schedule, clerk, approver
):
    """The admin's save: church tax changes at once; salary and IBAN wait for approval and
    then take effect with their history."""
    change = pay_profile_save(
        profile=pay_profile,
        user=clerk,
        schedule=schedule,
        church_member=True,
        hourly_rate=None,
        monthly_salary=Decimal("4500.00"),
        pay_method=PayProfile.PayMethod.DIRECT_DEPOSIT,
        iban=VALID_IBANS[2],
        bic="",
        account_holder="Anna Müller",
        deductions_exempt=False,
    )
    pay_profile.refresh_from_db()
    assert pay_profile.church_member
    assert pay_profile.monthly_salary == Decimal("4200.00")
    assert pay_profile.iban == VALID_IBANS[0]
    assert set(change.changes) == {"monthly_salary", "iban", "bic"}
    pay_profile_change_approve(change=change, user=approver)
    pay_profile.refresh_from_db()
    assert pay_profile.monthly_salary == Decimal("4500.00")
    assert BankDetailsChange.objects.filter(profile=pay_profile).count() == 2
    assert pay_profile.bank_changes.first().new_iban == VALID_IBANS[2]
