"""Four eyes on pay: nobody changes their own pay profile; a change of bank details, pay or the
exemption from deductions waits until a second person approves it, and payday pays the approved
values only; a new profile is paid once approved; staff ask for new bank details of their own;
every request and decision is kept. The company's paying account follows the same rule."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from backoffice import roles
from backoffice.models import Notification
from payroll import selectors
from payroll.models import (
    BankDetailsChange,
    CompanyAccountChange,
    PayProfile,
    PayProfileChange,
    PayrollSettings,
    Payslip,
)
from payroll.services.company_account import (
    company_account_change_approve,
    company_account_change_refuse,
    company_account_change_request,
)
from payroll.services.payday import (
    payday_run_approve,
    payday_run_calculate,
    payday_run_pay,
)
from payroll.services.profiles import (
    pay_profile_change_approve,
    pay_profile_change_refuse,
    pay_profile_change_request,
    pay_profile_change_withdraw,
    pay_profile_create,
    pay_profile_update,
)
from tests.hr.factories import EmployeeFactory
from tests.payroll.factories import VALID_IBANS, payroll_setup, period_for, profile

pytestmark = pytest.mark.django_db

NEW_IBAN = "DE02120300000000202051"
PROFILES = "/admin/payroll/payprofile/"
REQUESTS = "/admin/payroll/payprofilechange/"
MY_BANK = "/payroll/my/bank-details/"


@pytest.fixture
def schedule():
    return payroll_setup()


@pytest.fixture
def clerk(make_user):
    return make_user(roles.PAYROLL_CLERK)


@pytest.fixture
def second_clerk(make_user):
    return make_user(roles.PAYROLL_CLERK)


@pytest.fixture
def staff(make_user):
    return make_user(roles.STAFF)


@pytest.fixture
def salaried(schedule):
    return profile(schedule, salary="4000.00", iban_index=0, bic="COBADEFFXXX")


def _inbox(user) -> list[str]:
    return list(Notification.objects.filter(user=user).values_list("subject", flat=True))


# --- Nobody changes their own pay profile ------------------------------------------------------


def test_clerk_cannot_change_or_ask_to_change_their_own_profile(schedule, clerk):
    """Their own salary, IBAN or schedule: refused through every service; nothing written."""
    own = profile(schedule, salary="3000.00", employee=clerk.employee)
    for fields in ({"monthly_salary": Decimal("9000.00")}, {"iban": NEW_IBAN, "bic": ""}):
        with pytest.raises(ValidationError, match="your own pay profile"):
            pay_profile_change_request(profile=own, user=clerk, **fields)
    with pytest.raises(ValidationError, match="your own pay profile"):
        pay_profile_update(profile=own, user=clerk, schedule=schedule, church_member=True)
    own.refresh_from_db()
    assert (own.monthly_salary, own.iban, own.church_member) == (
        Decimal("3000.00"),
        VALID_IBANS[0],
        False,
    )
    assert not PayProfileChange.objects.exists()


def test_clerk_cannot_create_their_own_profile(schedule, clerk):
    with pytest.raises(ValidationError) as exc:
        pay_profile_create(
            employee=clerk.employee,
            user=clerk,
            schedule=schedule,
            monthly_salary=Decimal("9000.00"),
            iban=VALID_IBANS[0],
        )
    assert "your own pay profile" in exc.value.message_dict["employee"][0]
    assert not PayProfile.objects.exists()


def test_own_profile_is_read_only_in_the_admin(client, schedule, clerk):
    """The change page shows it without a save button; a forged POST is refused (403) and
    changes nothing."""
    own = profile(schedule, salary="3000.00", employee=clerk.employee)
    client.force_login(clerk)
    url = f"{PROFILES}{own.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    response = client.post(
        url,
        {
            "schedule": schedule.pk,
            "monthly_salary": "9000.00",
            "pay_method": "deposit",
            "iban": NEW_IBAN,
            "bic": "",
            "account_holder": "",
        },
    )
    assert response.status_code == 403
    own.refresh_from_db()
    assert (own.monthly_salary, own.iban) == (Decimal("3000.00"), VALID_IBANS[0])
    assert not PayProfileChange.objects.exists()


def test_adding_ones_own_profile_in_the_admin_is_refused(client, schedule, clerk):
    client.force_login(clerk)
    response = client.post(
        f"{PROFILES}add/",
        {
            "employee": clerk.employee.pk,
            "schedule": schedule.pk,
            "monthly_salary": "9000.00",
            "pay_method": "deposit",
            "iban": VALID_IBANS[0],
            **{
                f"{prefix}-{name}": value
                for prefix in ("change_requests", "bank_changes")
                for name, value in (("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"))
            },
        },
    )
    assert response.status_code == 200
    assert "employee" in response.context["adminform"].form.errors
    assert not PayProfile.objects.exists()


# --- A change waits for a second person --------------------------------------------------------


def test_iban_change_waits_and_the_profile_keeps_the_old_iban(salaried, clerk, second_clerk):
    """The request holds old and new values and who asked; the people who may approve are
    told, not the requester."""
    change = pay_profile_change_request(profile=salaried, user=clerk, iban=NEW_IBAN, bic="")
    salaried.refresh_from_db()
    assert salaried.iban == VALID_IBANS[0]
    assert change.status == PayProfileChange.Status.PENDING
    assert change.changes == {"iban": NEW_IBAN, "bic": "BYLADEM1001"}
    assert change.previous == {"iban": VALID_IBANS[0], "bic": "COBADEFFXXX"}
    assert change.requested_by == clerk
    assert not BankDetailsChange.objects.exists()
    assert any("waits for your approval" in s for s in _inbox(second_clerk))
    assert _inbox(clerk) == []


@pytest.mark.parametrize(
    "fields",
    [
        {"monthly_salary": Decimal("4100.00")},
        {"monthly_salary": None, "hourly_rate": Decimal("25.00")},
        {"deductions_exempt": True},
        {"pay_method": PayProfile.PayMethod.CHEQUE},
        {"account_holder": "Someone Else"},
    ],
)
def test_pay_and_exemption_changes_wait_too(salaried, clerk, second_clerk, fields):
    before = PayProfile.objects.values().get(pk=salaried.pk)
    change = pay_profile_change_request(profile=salaried, user=clerk, **fields)
    assert PayProfile.objects.values().get(pk=salaried.pk) == before
    pay_profile_change_approve(change=change, user=second_clerk)
    salaried.refresh_from_db()
    for name, value in fields.items():
        assert getattr(salaried, name) == value


def test_the_requester_cannot_approve_or_refuse_their_own_request(salaried, clerk):
    change = pay_profile_change_request(profile=salaried, user=clerk, iban=NEW_IBAN, bic="")
    with pytest.raises(ValidationError, match="You asked for this change yourself"):
        pay_profile_change_approve(change=change, user=clerk)
    with pytest.raises(ValidationError, match="You asked for this change yourself"):
        pay_profile_change_refuse(change=change, user=clerk, note="no")
    change.refresh_from_db()
    salaried.refresh_from_db()
    assert change.status == PayProfileChange.Status.PENDING
    assert salaried.iban == VALID_IBANS[0]


def test_the_database_refuses_a_decision_by_the_requester(salaried, clerk):
    """The check constraint holds even where the service is bypassed."""
    change = pay_profile_change_request(profile=salaried, user=clerk, iban=NEW_IBAN, bic="")
    with pytest.raises(IntegrityError), transaction.atomic():
        PayProfileChange.objects.filter(pk=change.pk).update(
            status="approved", decided_by=clerk, decided_at=timezone.now()
        )


def test_the_profiles_employee_cannot_approve_a_change_of_it(schedule, clerk, second_clerk):
    """A clerk asks to raise a colleague's salary: the colleague (also a clerk) may not
    approve it."""
    colleague = profile(schedule, salary="3000.00", employee=second_clerk.employee)
    change = pay_profile_change_request(
        profile=colleague, user=clerk, monthly_salary=Decimal("5000.00")
    )
    with pytest.raises(ValidationError, match="your own pay profile"):
        pay_profile_change_approve(change=change, user=second_clerk)
    with pytest.raises(ValidationError, match="your own pay profile"):
        pay_profile_change_refuse(change=change, user=second_clerk, note="fine by me")
    colleague.refresh_from_db()
    assert colleague.monthly_salary == Decimal("3000.00")
    # The employee is not asked to approve a change of their own pay.
    assert _inbox(second_clerk) == []


def test_a_role_without_the_permission_cannot_approve(salaried, clerk, make_user):
    change = pay_profile_change_request(profile=salaried, user=clerk, iban=NEW_IBAN, bic="")
    for role in (roles.AUDITOR, roles.ACCOUNTANT, roles.STAFF, roles.HR_MANAGER):
        with pytest.raises(PermissionDenied):
            pay_profile_change_approve(change=change, user=make_user(role))
    change.refresh_from_db()
    assert change.status == PayProfileChange.Status.PENDING


def test_a_second_clerk_approves_it_takes_effect_with_history(
    salaried, clerk, second_clerk, make_user
):
    """Approval applies the values, writes the bank details history (who asked, who
    approved), tells the requester and the employee."""
    staff = make_user(roles.STAFF, employee=False)
    salaried.employee.user = staff
    salaried.employee.save(update_fields=["user"])
    change = pay_profile_change_request(profile=salaried, user=clerk, iban=NEW_IBAN, bic="")
    pay_profile_change_approve(change=change, user=second_clerk)
    salaried.refresh_from_db()
    change.refresh_from_db()
    assert (salaried.iban, salaried.bic) == (NEW_IBAN, "BYLADEM1001")
    assert (change.status, change.decided_by) == ("approved", second_clerk)
    history = BankDetailsChange.objects.get(profile=salaried)
    assert (history.old_iban, history.new_iban) == (VALID_IBANS[0], NEW_IBAN)
    assert (history.requested_by, history.changed_by, history.change_request) == (
        clerk,
        second_clerk,
        change,
    )
    assert any("was approved" in s for s in _inbox(clerk))
    assert any("Your pay profile was changed" in s for s in _inbox(staff))


def test_a_refusal_is_recorded_with_its_reason_and_changes_nothing(salaried, clerk, second_clerk):
    change = pay_profile_change_request(profile=salaried, user=clerk, iban=NEW_IBAN, bic="")
    with pytest.raises(ValidationError, match="Say why"):
        pay_profile_change_refuse(change=change, user=second_clerk, note="  ")
    pay_profile_change_refuse(
        change=change, user=second_clerk, note="The employee did not ask for it."
    )
    change.refresh_from_db()
    salaried.refresh_from_db()
    assert (change.status, change.decided_by) == ("refused", second_clerk)
    assert change.decision_note == "The employee did not ask for it."
    assert salaried.iban == VALID_IBANS[0]
    assert not BankDetailsChange.objects.exists()
    assert any("was refused" in s for s in _inbox(clerk))
    with pytest.raises(ValidationError, match="no longer waiting"):
        pay_profile_change_approve(change=change, user=second_clerk)


def test_a_second_waiting_change_is_refused_naming_who_asked(salaried, clerk, second_clerk):
    pay_profile_change_request(profile=salaried, user=clerk, iban=NEW_IBAN, bic="")
    with pytest.raises(ValidationError) as exc:
        pay_profile_change_request(
            profile=salaried, user=second_clerk, monthly_salary=Decimal("5000.00")
        )
    text = " ".join(exc.value.messages)
    assert clerk.username in text and "withdraw" in text
    assert PayProfileChange.objects.filter(profile=salaried).count() == 1


def test_the_database_allows_one_waiting_change_per_profile(salaried, clerk):
    pay_profile_change_request(profile=salaried, user=clerk, iban=NEW_IBAN, bic="")
    with pytest.raises(IntegrityError), transaction.atomic():
        PayProfileChange.objects.create(
            profile=salaried, changes={"monthly_salary": "1.00"}, requested_by=clerk
        )


def test_only_the_requester_withdraws(salaried, clerk, second_clerk):
    change = pay_profile_change_request(profile=salaried, user=clerk, iban=NEW_IBAN, bic="")
    with pytest.raises(PermissionDenied):
        pay_profile_change_withdraw(change=change, user=second_clerk)
    pay_profile_change_withdraw(change=change, user=clerk)
    change.refresh_from_db()
    assert change.status == "withdrawn" and change.decided_by is None
    # Withdrawn, a new request may be made.
    pay_profile_change_request(profile=salaried, user=clerk, monthly_salary=Decimal("4100.00"))


def test_a_request_against_values_that_changed_since_is_refused(salaried, clerk, second_clerk):
    """Should the profile change under a waiting request (outside the services), approving it
    would apply values asked for against other ones: refused."""
    change = pay_profile_change_request(profile=salaried, user=clerk, iban=NEW_IBAN, bic="")
    PayProfile.objects.filter(pk=salaried.pk).update(iban=VALID_IBANS[2])
    with pytest.raises(ValidationError, match="has changed since"):
        pay_profile_change_approve(change=change, user=second_clerk)


# --- Payday pays approved values only ----------------------------------------------------------


def test_payday_pays_the_old_iban_until_approved_and_flags_a_run_calculated_before(
    schedule, salaried, clerk, second_clerk, django_capture_on_commit_callbacks
):
    """A run calculated while the change waits pays the approved (old) IBAN; once the change
    is approved after the calculation, the selector names the employee whose run is stale."""
    pay_profile_change_request(
        profile=salaried, user=clerk, iban=NEW_IBAN, bic="", monthly_salary=Decimal("9999.00")
    )
    with django_capture_on_commit_callbacks(execute=True):
        run = payday_run_calculate(period=period_for(schedule), user=clerk)
    run.refresh_from_db()
    slip = Payslip.objects.get(run=run, employee=salaried.employee)
    assert (slip.iban, slip.gross) == (VALID_IBANS[0], Decimal("4000.00"))
    ids = [salaried.employee_id]
    assert selectors.profile_changes_approved_since(employee_ids=ids, since=run.calculated_at) == (
        set()
    )

    pay_profile_change_approve(change=salaried.change_requests.get(), user=second_clerk)
    assert selectors.profile_changes_approved_since(employee_ids=ids, since=run.calculated_at) == {
        salaried.employee_id
    }
    assert selectors.profile_changes_approved_since(employee_ids=ids, since=timezone.now()) == set()


def test_a_new_profile_is_not_paid_until_a_second_person_approves_it(schedule, clerk, second_clerk):
    """Created by one clerk it is outside ``approved_profiles`` (what payday pays); refused it
    stays out; corrected and approved by another clerk it is in, with its first bank details
    in the history."""
    created = pay_profile_create(
        employee=EmployeeFactory(),
        user=clerk,
        schedule=schedule,
        monthly_salary=Decimal("3500.00"),
        iban=VALID_IBANS[3],
    )
    assert not created.is_approved
    assert not selectors.approved_profiles().filter(pk=created.pk).exists()
    first = created.change_requests.get()
    assert first.kind == PayProfileChange.Kind.CREATE
    assert any("new pay profile" in s for s in _inbox(second_clerk))
    with pytest.raises(ValidationError):
        pay_profile_change_approve(change=first, user=clerk)
    pay_profile_change_refuse(change=first, user=second_clerk, note="Salary is 3,200.")
    assert not selectors.approved_profiles().filter(pk=created.pk).exists()

    again = pay_profile_change_request(
        profile=created, user=clerk, monthly_salary=Decimal("3200.00")
    )
    assert again.kind == PayProfileChange.Kind.CREATE
    pay_profile_change_approve(change=again, user=second_clerk)
    created.refresh_from_db()
    assert created.is_approved and created.approved_by == second_clerk
    assert created.monthly_salary == Decimal("3200.00")
    assert selectors.approved_profiles().filter(pk=created.pk).exists()
    history = created.bank_changes.get()
    assert (history.new_iban, history.requested_by, history.changed_by) == (
        VALID_IBANS[3],
        clerk,
        second_clerk,
    )


# --- Staff ask for new bank details of their own -----------------------------------------------


def test_staff_ask_for_new_bank_details_payroll_approves_and_they_are_told(
    client, schedule, staff, clerk
):
    """The page shows the current IBAN masked; the request waits, the pay still goes to the old
    account; payroll approves; the profile changes and the employee is told."""
    own = profile(
        schedule, salary="3000.00", employee=staff.employee, iban_index=0, account_holder="A B"
    )
    client.force_login(staff)
    page = client.get(MY_BANK).content.decode()
    # DE89 3704 0044 0532 0130 00 as printed, the last four characters only.
    assert "•••• •••• •••• •••• ••30 00" in page and VALID_IBANS[0] not in page
    response = client.post(
        MY_BANK, {"iban": "de02 1203 0000 0000 2020 51", "bic": "", "account_holder": "A B"}
    )
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.iban == VALID_IBANS[0]
    change = own.change_requests.get()
    assert change.via_self_service and change.requested_by == staff
    page = client.get(MY_BANK).content.decode()
    assert 'data-testid="pending-request"' in page
    assert any("waits for your approval" in s for s in _inbox(clerk))

    pay_profile_change_approve(change=change, user=clerk)
    own.refresh_from_db()
    assert own.iban == NEW_IBAN
    assert any("was approved" in s for s in _inbox(staff))
    notice = Notification.objects.filter(user=staff).first()
    assert notice.link == MY_BANK


def test_self_service_is_for_bank_details_of_ones_own_profile_only(schedule, staff, make_user):
    own = profile(schedule, salary="3000.00", employee=staff.employee)
    other = profile(schedule, salary="3000.00")
    with pytest.raises(ValidationError, match="only for new bank details"):
        pay_profile_change_request(
            profile=own, user=staff, via_self_service=True, monthly_salary=Decimal("9000.00")
        )
    with pytest.raises(PermissionDenied):
        pay_profile_change_request(
            profile=other, user=staff, via_self_service=True, iban=NEW_IBAN, bic=""
        )
    # Not through the clerks' path either.
    with pytest.raises(PermissionDenied):
        pay_profile_change_request(profile=own, user=staff, iban=NEW_IBAN, bic="")
    assert not PayProfileChange.objects.exists()


def test_an_invalid_iban_on_the_page_is_a_field_error(client, schedule, staff):
    profile(schedule, salary="3000.00", employee=staff.employee)
    client.force_login(staff)
    response = client.post(
        MY_BANK, {"iban": "DE89370400440532013001", "bic": "", "account_holder": "A B"}
    )
    assert response.status_code == 200
    assert "check digits" in response.context["form"].errors["iban"][0]
    assert not PayProfileChange.objects.exists()


def test_staff_neither_see_nor_withdraw_nor_approve_others_requests(
    client, schedule, staff, make_user, clerk
):
    someone = make_user(roles.STAFF)
    theirs = profile(schedule, salary="3000.00", employee=someone.employee, iban_index=2)
    change = pay_profile_change_request(
        profile=theirs, user=someone, via_self_service=True, iban=NEW_IBAN, bic=""
    )
    profile(schedule, salary="3000.00", employee=staff.employee)
    client.force_login(staff)
    page = client.get(MY_BANK).content.decode()
    assert "pending-request" not in page and VALID_IBANS[2][-4:] not in page
    assert client.post(f"{MY_BANK}{change.pk}/withdraw/").status_code == 404
    assert client.get(REQUESTS).status_code == 302  # no admin for staff
    with pytest.raises(PermissionDenied):
        pay_profile_change_approve(change=change, user=staff)
    change.refresh_from_db()
    assert change.status == "pending"


def test_the_page_needs_a_login_and_an_employee_record(client, make_user):
    assert client.get(MY_BANK).status_code == 302
    client.force_login(make_user(roles.STAFF, employee=False))
    assert client.get(MY_BANK).status_code == 404


def test_staff_withdraw_their_own_request(client, schedule, staff):
    own = profile(schedule, salary="3000.00", employee=staff.employee)
    change = pay_profile_change_request(
        profile=own, user=staff, via_self_service=True, iban=NEW_IBAN, bic=""
    )
    client.force_login(staff)
    assert client.post(f"{MY_BANK}{change.pk}/withdraw/").status_code == 302
    change.refresh_from_db()
    assert change.status == "withdrawn"


def test_a_clerk_asks_for_their_own_bank_details_through_self_service(
    schedule, clerk, second_clerk
):
    """The one way to one's own profile: new bank details from "My bank details", approved by
    another clerk."""
    own = profile(schedule, salary="3000.00", employee=clerk.employee)
    change = pay_profile_change_request(
        profile=own, user=clerk, via_self_service=True, iban=NEW_IBAN, bic=""
    )
    pay_profile_change_approve(change=change, user=second_clerk)
    own.refresh_from_db()
    assert own.iban == NEW_IBAN


# --- The admin's list of requests --------------------------------------------------------------


def _action(client, name, change, **extra):
    return client.post(
        REQUESTS, {"action": name, "_selected_action": [change.pk], "index": 0, **extra}
    )


def test_admin_approve_of_ones_own_request_is_a_message(client, salaried, clerk):
    change = pay_profile_change_request(profile=salaried, user=clerk, iban=NEW_IBAN, bic="")
    client.force_login(clerk)
    response = client.post(
        REQUESTS,
        {"action": "approve_changes", "_selected_action": [change.pk], "index": 0},
        follow=True,
    )
    assert response.status_code == 200
    assert "You asked for this change yourself" in response.content.decode()
    change.refresh_from_db()
    assert change.status == "pending"


def test_admin_refuse_asks_for_a_reason_then_records_it(client, salaried, clerk, second_clerk):
    change = pay_profile_change_request(profile=salaried, user=clerk, iban=NEW_IBAN, bic="")
    client.force_login(second_clerk)
    form = _action(client, "refuse_changes", change)
    assert form.status_code == 200
    assert 'name="note"' in form.content.decode()
    change.refresh_from_db()
    assert change.status == "pending"
    done = client.post(
        REQUESTS,
        {
            "action": "refuse_changes",
            "_selected_action": [change.pk],
            "refuse": "Refuse",
            "note": "Not asked for by the employee.",
        },
        follow=True,
    )
    assert "Changes refused: 1." in done.content.decode()
    change.refresh_from_db()
    assert (change.status, change.decision_note) == ("refused", "Not asked for by the employee.")
    page = client.get(f"{PROFILES}{salaried.pk}/change/").content.decode()
    assert "Not asked for by the employee." in page  # in the requests and decisions


def test_admin_waiting_change_makes_the_sensitive_fields_read_only(
    client, salaried, clerk, second_clerk
):
    pay_profile_change_request(profile=salaried, user=clerk, iban=NEW_IBAN, bic="")
    client.force_login(second_clerk)
    form = client.get(f"{PROFILES}{salaried.pk}/change/").context["adminform"].form
    assert "iban" not in form.fields and "monthly_salary" not in form.fields
    assert "schedule" in form.fields


# --- The company's paying account --------------------------------------------------------------


def test_company_iban_change_needs_a_second_person(schedule, clerk, second_clerk):
    change = company_account_change_request(
        user=clerk, company_name="Backoffice GmbH", company_iban=NEW_IBAN, company_bic=""
    )
    settings = PayrollSettings.objects.get()
    assert settings.company_iban == VALID_IBANS[0]
    with pytest.raises(ValidationError, match="You asked for this change yourself"):
        company_account_change_approve(change=change, user=clerk)
    with pytest.raises(ValidationError, match="waits for approval"):
        company_account_change_request(
            user=second_clerk,
            company_name="Backoffice GmbH",
            company_iban=VALID_IBANS[2],
            company_bic="",
        )
    company_account_change_approve(change=change, user=second_clerk)
    settings.refresh_from_db()
    assert (settings.company_iban, settings.company_bic) == (NEW_IBAN, "BYLADEM1001")
    assert any("company account was approved" in s for s in _inbox(clerk))


def test_company_account_refusal_and_bad_iban(schedule, clerk, second_clerk):
    with pytest.raises(ValidationError) as exc:
        company_account_change_request(
            user=clerk,
            company_name="X",
            company_iban="DE89370400440532013001",
            company_bic="",
        )
    assert list(exc.value.message_dict) == ["company_iban"]
    change = company_account_change_request(
        user=clerk, company_name="Backoffice GmbH", company_iban=NEW_IBAN, company_bic=""
    )
    company_account_change_refuse(change=change, user=second_clerk, note="Which bank?")
    assert PayrollSettings.objects.get().company_iban == VALID_IBANS[0]
    assert CompanyAccountChange.objects.get().status == "refused"


def test_the_bank_file_pays_from_the_approved_company_account(
    schedule, salaried, clerk, second_clerk, django_capture_on_commit_callbacks
):
    company_account_change_request(
        user=clerk, company_name="Backoffice GmbH", company_iban=NEW_IBAN, company_bic=""
    )
    with django_capture_on_commit_callbacks(execute=True):
        run = payday_run_calculate(period=period_for(schedule), user=clerk)
    run.refresh_from_db()
    payday_run_approve(run=run, user=second_clerk)
    with django_capture_on_commit_callbacks(execute=True):
        payday_run_pay(run=run, user=second_clerk)
    xml = run.bank_file.xml
    assert VALID_IBANS[0] in xml.split("<Cdtr>")[0]  # the debtor's account
    assert NEW_IBAN not in xml


def test_company_account_in_the_admin_becomes_a_request(client, schedule, clerk):
    """Saving a new company IBAN in the settings keeps the approved one and opens a request;
    while it waits, the account fields are read-only."""
    client.force_login(clerk)
    settings = PayrollSettings.objects.get()
    url = f"/admin/payroll/payrollsettings/{settings.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if k in form.fields and v is not None}
    data.update(company_iban=NEW_IBAN, company_bic="", minimum_wage="14.00")
    response = client.post(url, data, follow=True)
    assert "waits for a second person" in response.content.decode()
    settings.refresh_from_db()
    assert settings.company_iban == VALID_IBANS[0]
    assert settings.minimum_wage == Decimal("14.00")  # the rest saves at once
    assert CompanyAccountChange.objects.get().changes["company_iban"] == NEW_IBAN
    form = client.get(url).context["adminform"].form
    assert "company_iban" not in form.fields


# --- Outside the test's transaction (a missing atomic would fail these) -----------------------


@pytest.mark.django_db(transaction=True)
def test_admin_save_opens_a_request_outside_a_test_transaction(client, make_user):
    schedule = payroll_setup()
    p = profile(schedule, salary="4000.00", iban_index=0)
    client.force_login(make_user(roles.PAYROLL_CLERK))
    response = client.post(
        f"{PROFILES}{p.pk}/change/",
        {
            "schedule": schedule.pk,
            "hourly_rate": "",
            "monthly_salary": "4000.00",
            "pay_method": "deposit",
            "iban": NEW_IBAN,
            "bic": "",
            "account_holder": "",
            **{
                f"{prefix}-{name}": value
                for prefix in ("change_requests", "bank_changes")
                for name, value in (("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"))
            },
        },
    )
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.iban == VALID_IBANS[0]
    assert PayProfileChange.objects.get(profile=p).status == "pending"


@pytest.mark.django_db(transaction=True)
def test_admin_approve_action_outside_a_test_transaction(client, make_user):
    schedule = payroll_setup()
    p = profile(schedule, salary="4000.00", iban_index=0)
    asker, approver = make_user(roles.PAYROLL_CLERK), make_user(roles.PAYROLL_CLERK)
    change = pay_profile_change_request(profile=p, user=asker, iban=NEW_IBAN, bic="")
    client.force_login(approver)
    response = _action(client, "approve_changes", change)
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.iban == NEW_IBAN
    assert BankDetailsChange.objects.get(profile=p).changed_by == approver


@pytest.mark.django_db(transaction=True)
def test_admin_refuse_action_outside_a_test_transaction(client, make_user):
    schedule = payroll_setup()
    p = profile(schedule, salary="4000.00", iban_index=0)
    asker, approver = make_user(roles.PAYROLL_CLERK), make_user(roles.PAYROLL_CLERK)
    change = pay_profile_change_request(profile=p, user=asker, iban=NEW_IBAN, bic="")
    client.force_login(approver)
    response = _action(client, "refuse_changes", change, refuse="Refuse", note="No.")
    assert response.status_code == 302
    change.refresh_from_db()
    assert change.status == "refused"


@pytest.mark.django_db(transaction=True)
def test_self_service_post_outside_a_test_transaction(client, make_user):
    schedule = payroll_setup()
    staff = make_user(roles.STAFF)
    own = profile(schedule, salary="3000.00", employee=staff.employee)
    client.force_login(staff)
    response = client.post(MY_BANK, {"iban": NEW_IBAN, "bic": "", "account_holder": "A B"})
    assert response.status_code == 302
    change = own.change_requests.get()
    assert client.post(f"{MY_BANK}{change.pk}/withdraw/").status_code == 302
    change.refresh_from_db()
    assert change.status == "withdrawn"


@pytest.mark.django_db(transaction=True)
def test_company_account_approve_action_outside_a_test_transaction(client, make_user):
    payroll_setup()
    asker, approver = make_user(roles.PAYROLL_CLERK), make_user(roles.PAYROLL_CLERK)
    change = company_account_change_request(
        user=asker, company_name="Backoffice GmbH", company_iban=NEW_IBAN, company_bic=""
    )
    client.force_login(approver)
    response = client.post(
        "/admin/payroll/companyaccountchange/",
        {"action": "approve_changes", "_selected_action": [change.pk], "index": 0},
    )
    assert response.status_code == 302
    assert PayrollSettings.objects.get().company_iban == NEW_IBAN


# --- Query counts ------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [REQUESTS, "/admin/payroll/bankdetailschange/"])
def test_request_lists_do_not_query_per_row(client, schedule, clerk, second_clerk, url):
    """The requests list (and the history) cost as many queries with 12 rows as with 3."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def grow_to(n):
        while PayProfileChange.objects.count() < n:
            p = profile(schedule, salary="3000.00")
            change = pay_profile_change_request(profile=p, user=clerk, iban=NEW_IBAN, bic="")
            if PayProfileChange.objects.count() % 2:
                pay_profile_change_approve(change=change, user=second_clerk)

    def measure():
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    client.force_login(second_clerk)
    grow_to(3)
    small = measure()
    grow_to(12)
    assert measure() == small
