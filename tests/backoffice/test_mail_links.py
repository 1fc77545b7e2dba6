"""Links in mail are absolute: a mail client cannot follow ``/accounting/budgets/``. Every mail
the project sends (each kind of notification, and the password reset) links to ``SITE_URL``
followed by the page's path (backoffice.mail.mail_link), and carries no path on its own.

Each kind is made here through the real service that sends it; the mail leaves after commit,
as in production."""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal

import pytest
import yaml
from django.conf import settings as django_settings
from django.core import mail
from django.urls import reverse

from backoffice import roles
from backoffice.mail import mail_link
from backoffice.models import Notification
from tests.backoffice.factories import AuthenticatorFactory
from tests.mail_checks import absolute_links, relative_links

SITE = "https://backoffice.example.com"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE
    # Mail speaks its recipient's language, else the site's default: English here, so the
    # subjects below are matched in English (tests/backoffice/test_mail_language.py covers
    # the languages).
    settings.LANGUAGE_CODE = "en"
    return SITE


def links_of(message) -> list[str]:
    """The links of a mail, after checking that none is relative and all lead to the site."""
    body = message.body
    assert relative_links(body) == [], body
    links = absolute_links(body)
    assert all(link.startswith(SITE + "/") for link in links), body
    return links


def mails_to(user) -> list:
    return [m for m in mail.outbox if m.to == [user.email]]


def assert_linked(user, path: str, *, subject: str = "") -> None:
    """Each mail to ``user`` (with ``subject`` in its subject) links to SITE_URL + path, and the
    inbox keeps the path (the inbox page links within the site)."""
    messages = [m for m in mails_to(user) if subject in m.subject]
    assert messages, [m.subject for m in mail.outbox]
    for message in messages:
        assert links_of(message) == [SITE + path], message.body
    assert Notification.objects.filter(user=user, link=path).exists()


# --- The helper ------------------------------------------------------------------------------


def test_mail_link_puts_site_url_before_a_path(settings):
    assert mail_link("/accounting/budgets/") == f"{SITE}/accounting/budgets/"
    assert mail_link("payroll/my/payslips/?run=4") == f"{SITE}/payroll/my/payslips/?run=4"
    assert mail_link(f"{SITE}/inbox/") == f"{SITE}/inbox/"
    # Never a link to another host, whatever the path looks like.
    assert mail_link("//evil.example/x").startswith(SITE + "/")
    settings.SITE_URL = "http://127.0.0.1:8000/"
    assert mail_link("/inbox/") == "http://127.0.0.1:8000/inbox/"


# --- Each kind of mail -------------------------------------------------------------------------


@pytest.mark.django_db
def test_notification_mail_links_to_the_site(make_user, django_capture_on_commit_callbacks):
    """The issue's case: a notification with the link /accounting/budgets/."""
    from backoffice.services import notify

    user = make_user(roles.STAFF)
    with django_capture_on_commit_callbacks(execute=True):
        notify(users=[user], subject="Budget", body="80 % reached.", link="/accounting/budgets/")
    (message,) = mails_to(user)
    assert f"{SITE}/accounting/budgets/" in message.body
    assert links_of(message) == [f"{SITE}/accounting/budgets/"]


@pytest.mark.django_db
def test_budget_threshold_mail(make_user, django_capture_on_commit_callbacks):
    from accounting.models import Budget
    from accounting.services import budgets_check
    from tests.accounting.factories import account, open_year, post_expense
    from tests.hr.factories import DepartmentFactory

    year = open_year(2026)
    department = DepartmentFactory(code="VERT")
    accountant = make_user(roles.ACCOUNTANT)
    Budget.objects.create(
        department=department,
        fiscal_year=year,
        account=account("4930"),
        amount=Decimal("100.00"),
        policy="warn",
    )
    post_expense(amount="90.00", department=department)
    with django_capture_on_commit_callbacks(execute=True):
        assert budgets_check() == 1
    assert_linked(accountant, reverse("accounting:budget_dashboard"))


@pytest.fixture
def schedule(db):
    from tests.payroll.factories import payroll_setup

    return payroll_setup()


@pytest.mark.django_db
def test_company_account_change_mails(make_user, schedule, django_capture_on_commit_callbacks):
    """The approvers are asked; the requester hears the decision."""
    from payroll.services.company_account import (
        company_account_change_approve,
        company_account_change_request,
    )

    asker, approver = make_user(roles.PAYROLL_CLERK), make_user(roles.PAYROLL_CLERK)
    with django_capture_on_commit_callbacks(execute=True):
        change = company_account_change_request(
            user=asker,
            company_name="Backoffice GmbH",
            company_iban="DE02120300000000202051",
            company_bic="",
        )
    path = Notification.objects.get(user=approver).link
    assert_linked(approver, path)
    with django_capture_on_commit_callbacks(execute=True):
        company_account_change_approve(change=change, user=approver)
    assert_linked(asker, path, subject="approved")


@pytest.mark.django_db
def test_pay_profile_change_mails(make_user, schedule, django_capture_on_commit_callbacks):
    """The approvers are asked; the requester hears the decision; the employee whose bank
    details changed is told."""
    from payroll.services.profiles import (
        pay_profile_change_approve,
        pay_profile_change_request,
    )
    from tests.payroll.factories import profile

    asker, approver = make_user(roles.PAYROLL_CLERK), make_user(roles.PAYROLL_CLERK)
    employee_user = make_user(roles.STAFF)
    pay = profile(schedule, employee=employee_user.employee, salary="3000.00")
    with django_capture_on_commit_callbacks(execute=True):
        change = pay_profile_change_request(
            profile=pay, user=asker, iban="DE02120300000000202051", bic=""
        )
    request_path = reverse("admin:payroll_payprofile_change", args=[pay.pk])
    assert_linked(approver, request_path)
    with django_capture_on_commit_callbacks(execute=True):
        pay_profile_change_approve(change=change, user=approver)
    assert_linked(asker, request_path, subject="approved")
    assert_linked(employee_user, reverse("payroll:my_bank_details"))


@pytest.mark.django_db
def test_own_bank_details_request_mails(make_user, schedule, django_capture_on_commit_callbacks):
    """Staff ask for new bank details from their profile; the decision mail links back there."""
    from payroll.services.profiles import (
        pay_profile_change_refuse,
        pay_profile_change_request,
    )
    from tests.payroll.factories import profile

    approver = make_user(roles.PAYROLL_CLERK)
    staff = make_user(roles.STAFF)
    pay = profile(schedule, employee=staff.employee, salary="3000.00")
    with django_capture_on_commit_callbacks(execute=True):
        change = pay_profile_change_request(
            profile=pay,
            user=staff,
            via_self_service=True,
            iban="DE02120300000000202051",
            bic="",
        )
        pay_profile_change_refuse(change=change, user=approver, note="Which bank?")
    assert_linked(staff, reverse("payroll:my_bank_details"), subject="refused")


@pytest.mark.django_db
def test_payday_mails(make_user, schedule, django_capture_on_commit_callbacks):
    """The approvers hear that a run waits; after payment every employee hears that the
    payslip is ready."""
    from payroll.services.payday import (
        payday_run_approve,
        payday_run_calculate,
        payday_run_pay,
    )
    from tests.payroll.factories import period_for, profile

    clerk, approver = make_user(roles.PAYROLL_CLERK), make_user(roles.PAYROLL_CLERK)
    employee_user = make_user(roles.STAFF)
    profile(schedule, employee=employee_user.employee, salary="3000.00")
    with django_capture_on_commit_callbacks(execute=True):
        run = payday_run_calculate(period=period_for(schedule), user=clerk)
    run.refresh_from_db()
    assert_linked(approver, reverse("payroll:run_detail", args=[run.pk]), subject="approval")
    payday_run_approve(run=run, user=approver)
    with django_capture_on_commit_callbacks(execute=True):
        payday_run_pay(run=run, user=approver)
    assert_linked(employee_user, f"/payroll/my/payslips/?run={run.pk}", subject="payslip")


@pytest.mark.django_db
def test_payday_errors_mail_to_the_clerk(make_user, schedule, django_capture_on_commit_callbacks):
    """A run calculated with errors (here an invalid IBAN): the clerk who started it is told,
    with a link to the run."""
    from payroll.services.payday import payday_run_calculate
    from tests.payroll.factories import period_for, profile

    clerk = make_user(roles.PAYROLL_CLERK)
    profile(schedule, salary="3000.00")
    profile(schedule, salary="3100.00", iban="DE00123456780000000000")
    with django_capture_on_commit_callbacks(execute=True):
        run = payday_run_calculate(period=period_for(schedule), user=clerk)
    assert_linked(clerk, reverse("payroll:run_detail", args=[run.pk]), subject="error")


@pytest.mark.django_db
def test_second_factor_reset_mail_has_no_relative_link(
    make_user, django_capture_on_commit_callbacks
):
    from backoffice.two_factor.services import second_factor_reset

    clerk = make_user(roles.PAYROLL_CLERK)
    AuthenticatorFactory(user=clerk)
    admin = make_user(is_superuser=True, is_staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        second_factor_reset(user=clerk, by=admin)
    (message,) = mails_to(clerk)
    links_of(message)


@pytest.mark.django_db
def test_password_reset_mail_links_to_site_url_not_to_the_host_asked(client, make_user):
    """The reset link comes from SITE_URL, not from the Host header of whoever asked for it."""
    user = make_user(roles.STAFF)
    response = client.post(
        "/accounts/password/reset/", {"email": user.email}, headers={"host": "localhost"}
    )
    assert response.status_code == 302
    (message,) = mails_to(user)
    (link,) = links_of(message)
    assert link.startswith(f"{SITE}/accounts/reset/")
    assert "localhost" not in message.body.replace(user.email, "")


# --- The setting ---------------------------------------------------------------------------------


def _production_site_url(site_url: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "SITE_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="backoffice.settings.production",
        DJANGO_SECRET_KEY="x" * 60,
        DJANGO_ALLOWED_HOSTS="backoffice.example.com",
        DATABASE_URL=os.environ.get("DATABASE_URL") or "postgres://localhost/x",
    )
    if site_url is not None:
        env["SITE_URL"] = site_url
    code = "import django; django.setup(); from django.conf import settings as s; "
    code += "print(s.SITE_URL)"
    return subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        cwd=django_settings.BASE_DIR,
        check=False,
    )


@pytest.mark.parametrize(
    "site_url,message",
    [
        (None, "SITE_URL"),
        ("http://backoffice.example.com", "https"),
        ("https://backoffice.example.com/backoffice", "without a path"),
        ("https://elsewhere.example.com", "not in DJANGO_ALLOWED_HOSTS"),
    ],
)
def test_production_settings_refuse_a_missing_or_unsafe_site_url(site_url, message):
    result = _production_site_url(site_url)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_production_settings_take_an_https_site_url():
    result = _production_site_url("https://backoffice.example.com/")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "https://backoffice.example.com"


def test_deployment_files_set_site_url():
    """docker compose refuses to start without it; the env example and the image build name it."""
    base = django_settings.BASE_DIR
    compose = yaml.safe_load((base / "docker-compose.yml").read_text())
    for name in ("web", "worker", "beat"):
        assert compose["services"][name]["environment"]["SITE_URL"].startswith("${SITE_URL:?")
    assert "\nSITE_URL=https://" in (base / ".env.example").read_text()
    assert "SITE_URL=https://" in (base / "Dockerfile").read_text()
