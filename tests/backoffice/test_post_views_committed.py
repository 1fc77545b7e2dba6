"""Every URL that accepts POST, and every custom admin action, has a test that runs without
pytest-django's wrapping transaction (issue #7, item 1).

Approving a payment answered 500 in production for weeks while the suite passed: the service's
``select_for_update()`` ran outside ``atomic``, which only fails outside a transaction, and every
test ran inside one. The scan (tests/backoffice/committed.py) lists the POST-accepting URL names
and admin actions of the project and the URL names that tests with
``django_db(transaction=True)``, ``transactional_db`` or ``live_server`` name; this file fails
for each one without such a test, and checks the scan itself.
"""

import pytest
from django.urls import reverse

from accounting.views import payments as payment_views
from backoffice import views as backoffice_views
from tests.backoffice import committed

# URLs that accept POST but change nothing, with the reason. Keep this short: anything that
# writes gets a test instead.
EXCLUDED = {
    "admin:otp_totp_totpdevice_config": (
        "django-otp's page of a device's secret: reads only, and refused to everyone "
        "(OTP_ADMIN_HIDE_SENSITIVE_DATA)"
    ),
    "admin:otp_totp_totpdevice_qrcode": (
        "django-otp's QR code of a device's secret: reads only, and refused to everyone "
        "(OTP_ADMIN_HIDE_SENSITIVE_DATA)"
    ),
}


def test_every_post_url_and_admin_action_has_a_test_without_the_wrapping_transaction():
    targets = committed.post_targets()
    covered = committed.covered(committed.committed_tests())
    missing = sorted(set(targets) - covered.keys() - EXCLUDED.keys())
    assert not missing, (
        "These accept POST (or are admin actions) and no test runs them without the test's "
        "transaction (django_db(transaction=True), transactional_db or live_server), naming "
        "them with reverse(), a path, or an admin action with its changelist:\n"
        + "\n".join(f"  {name}  ({targets[name]})" for name in missing)
    )


def test_exclusions_are_post_urls_without_a_test():
    """An exclusion that no longer accepts POST, or that has a test by now, goes."""
    targets = committed.post_targets()
    covered = committed.covered(committed.committed_tests())
    assert set(EXCLUDED) <= set(targets)
    assert not set(EXCLUDED) & covered.keys()


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(EXCLUDED))
def test_excluded_urls_write_nothing_even_for_a_superuser(admin_client, name):
    assert admin_client.post(reverse(name, kwargs={"pk": 1})).status_code == 403


def test_every_post_route_outside_the_admin_has_a_name():
    assert committed.unnamed_post_routes() == []


def test_the_list_holds_what_it_should():
    """The money actions, custom admin URLs and actions are in; the admin's generic URLs and
    GET-only pages are out."""
    targets = committed.post_targets()
    for name in (
        "accounting:payment_approve",
        "payroll:run_calculate",
        "payroll:hours_grid",
        "login",
        "admin:accounting_journalentry_import_entries",
        "admin:accounting_payment:approve_payments",
        "admin:payroll_payprofilechange:refuse_changes",
        "admin:hr_employee_process_import",
    ):
        assert name in targets, name
    for name in (
        "healthz",
        "home",
        "accounting:payment_detail",
        "payroll:run_detail",
        "admin:accounting_payment_changelist",
        "admin:accounting_payment_change",
        "admin:index",
        "admin:accounting_payment:delete_selected",
    ):
        assert name not in targets, name


def test_methods_are_read_from_the_decorators():
    assert committed.view_methods(backoffice_views.healthz) == {"GET"}
    assert committed.view_methods(payment_views.payment_approve) == {"POST"}
    assert "POST" in committed.view_methods(payment_views.payment_create)
    assert committed.view_methods(backoffice_views.LoginView.as_view()) >= {"GET", "POST"}


@pytest.mark.django_db
def test_pages_that_do_not_accept_post_answer_405(admin_client):
    """Every page outside the admin that the list leaves out refuses POST (405), so the list
    is honest: a superuser with every permission gets past the other checks."""
    checked = []
    for route in committed.routes():
        if route.route.startswith("admin/") or committed.accepts_post(route.view):
            continue
        path = "/" + _filled(route.route)
        response = admin_client.post(path)
        assert response.status_code == 405, (route.name, path, response.status_code)
        checked.append(route.name)
    assert {"home", "accounting:payment_detail", "hr:employee_list", "security"} <= set(checked)


def _filled(route: str) -> str:
    """The route with its parameters filled in: ints as 1, anything else as ``x``."""
    out, rest = [], route
    while "<" in rest:
        start = rest.index("<")
        end = rest.index(">", start)
        out.append(rest[:start])
        out.append("1" if rest[start + 1 : end].startswith("int:") else "x")
        rest = rest[end + 1 :]
    return "".join(out) + rest


# --- The scan links tests to URL names only where it should ------------------------------------

SYNTHETIC = """
import pytest
from django.urls import reverse

PROFILES = "/admin/payroll/payprofile/"


def approve(client, pk):
    return client.post(reverse("accounting:payment_approve", args=[pk]))


def act(client, name):
    return client.post("/admin/accounting/period/", {"action": name, "_selected_action": [1]})


@pytest.mark.django_db(transaction=True)
def test_through_a_helper(client):
    approve(client, 1)


@pytest.mark.django_db(transaction=True)
def test_action_through_a_helper(client):
    act(client, "close_periods")


def test_live(live_server, page):
    page.goto(live_server.url + "/accounts/login/")
    page.goto(f"{live_server.url}{PROFILES}{7}/change/")


@pytest.mark.django_db
def test_wrapped(client):
    client.post(reverse("accounting:payment_cancel", args=[1]))
    client.post("/admin/accounting/payment/", {"action": "cancel_payments"})


@pytest.mark.django_db(transaction=True)
def test_action_without_its_changelist(client):
    client.post("/elsewhere/", {"action": "reopen_periods"})


@pytest.mark.django_db(transaction=True)
class TestInClass:
    def test_method(self, client):
        client.post(f"{reverse('payroll:run_pay', args=[1])}?x=1")
"""


def test_the_scan_links_only_committed_tests_to_what_they_name():
    path = committed.TESTS_ROOT / "synthetic" / "test_synthetic.py"
    tests = committed.committed_tests_in(path, SYNTHETIC)
    assert {t.name for t in tests} == {
        "test_through_a_helper",
        "test_action_through_a_helper",
        "test_live",
        "test_action_without_its_changelist",
        "TestInClass::test_method",
    }
    covered = committed.covered(tests)
    assert set(covered) >= {
        "accounting:payment_approve",
        "admin:accounting_period_changelist",
        "admin:accounting_period:close_periods",
        "login",
        "admin:payroll_payprofile_change",
        "payroll:run_pay",
    }
    assert "accounting:payment_cancel" not in covered  # inside the wrapping transaction
    assert "admin:accounting_payment:cancel_payments" not in covered
    assert "admin:accounting_period:reopen_periods" not in covered  # no changelist named
    assert covered["payroll:run_pay"] == [
        "tests/synthetic/test_synthetic.py::TestInClass::test_method"
    ]


def test_a_module_mark_makes_every_test_committed():
    source = (
        "import pytest\n"
        "pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]\n"
        "def test_a(client):\n"
        "    client.post('/inbox/read-all/')\n"
    )
    tests = committed.committed_tests_in(committed.TESTS_ROOT / "x" / "test_m.py", source)
    assert committed.covered(tests).keys() == {"notification_read_all"}
