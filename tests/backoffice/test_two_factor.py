"""The second factor of the roles that move money or see pay (issue #7, item 8).

Test settings keep production's rule (TWO_FACTOR_REQUIRED on). These tests log in through the
login page, or with ``force_login(user, second_factor=False)``: a password and nothing more.
"""

import os
import re
import subprocess
import sys
from base64 import b32encode

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from backoffice import roles
from backoffice.models import Notification
from backoffice.two_factor import services
from backoffice.two_factor.checks import second_factor_required_check
from tests.backoffice.clients import TwoFactorClient
from tests.backoffice.factories import AuthenticatorFactory, current_code

pytestmark = pytest.mark.django_db

PAYDAY = "/payroll/"
VERIFY = "/accounts/two-factor/"
SETUP = "/accounts/two-factor/setup/"
LIMIT = settings.AXES_FAILURE_LIMIT


def password_login(client, user, password):
    response = client.post("/accounts/login/", {"username": user.username, "password": password})
    assert response.status_code == 302, "the password alone is accepted"
    return response


def wrong_code(device) -> str:
    return f"{(int(current_code(device)) + 1) % 1_000_000:06d}"


def failures(user) -> int:
    attempt = AccessAttempt.objects.filter(username=user.username).first()
    return attempt.failures_since_start if attempt else 0


@pytest.fixture
def no_throttle(settings):
    """django-otp makes a device wait 1 s, 2 s, 4 s ... after each wrong code; tests that type
    several codes in a row switch that off (test_a_device_waits_after_a_wrong_code keeps it)."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


# --- Who is asked ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", [roles.PAYROLL_CLERK, roles.ACCOUNTANT, roles.AUDITOR, roles.HR_MANAGER]
)
def test_the_money_and_pay_roles_need_a_second_factor(client, make_user, password, role):
    """After the password, home is out of reach until the second factor: without an
    authenticator the user is sent to set one up."""
    password_login(client, make_user(role), password)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == f"{SETUP}?next=%2F"


def test_superusers_need_a_second_factor(client, make_user, password):
    password_login(client, make_user(is_superuser=True, is_staff=True), password)
    assert client.get("/admin/")["Location"].startswith(SETUP)


@pytest.mark.parametrize("role", [roles.STAFF, roles.DATA_ENTRY_CLERK, roles.HELPDESK_AGENT])
def test_other_roles_are_not_asked(client, make_user, password, role):
    user = make_user(role)
    password_login(client, user, password)
    assert client.get("/").status_code == 200
    page = client.get("/accounts/security/").content.decode()
    assert "Your roles do not need a second factor." in page
    assert client.get(SETUP)["Location"] == "/"
    assert not TOTPDevice.objects.filter(user=user).exists()


def test_the_roles_flagged_for_a_second_factor():
    assert {name for name, role in roles.ROLES.items() if role.second_factor} == {
        roles.PAYROLL_CLERK,
        roles.ACCOUNTANT,
        roles.AUDITOR,
        roles.HR_MANAGER,
    }


# --- Setting up an authenticator ----------------------------------------------------------------


def test_clerk_without_authenticator_reaches_nothing_but_setup_and_logout(
    client, make_user, password
):
    """Payday, the portal, the admin and the Security page all send the clerk to set up an
    authenticator first; the setup page, language switch and logout still work."""
    clerk = make_user(roles.PAYROLL_CLERK)
    password_login(client, clerk, password)
    response = client.get(PAYDAY)
    assert response.status_code == 302
    assert response["Location"] == f"{SETUP}?next=%2Fpayroll%2F"
    for url in ["/hr/employees/", "/admin/", "/accounts/security/", "/inbox/", VERIFY]:
        assert client.get(url)["Location"].startswith(SETUP), url
    assert client.post(PAYDAY)["Location"].startswith(SETUP)
    assert client.get(SETUP).status_code == 200
    assert client.get("/healthz").status_code in (200, 503)
    assert client.post("/i18n/setlang/", {"language": "en", "next": "/"}).status_code == 302
    client.post("/accounts/logout/")
    assert client.get(SETUP)["Location"].startswith("/accounts/login/")


def test_clerk_sets_up_an_authenticator_and_reaches_payday(client, make_user, password):
    """The setup page shows the key as a QR code (inline SVG) and as text; the first right
    code confirms it, shows ten recovery codes once and opens payday."""
    clerk = make_user(roles.PAYROLL_CLERK)
    password_login(client, clerk, password)
    page = client.get(f"{SETUP}?next=/payroll/").content.decode()

    device = TOTPDevice.objects.get(user=clerk)
    assert not device.confirmed
    secret = b32encode(device.bin_key).decode()
    assert re.search(r"<svg [^>]*class=\"qr-code\"", page)
    shown = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', page).group(1)
    assert shown.replace(" ", "") == secret
    assert f"secret={secret}" in page
    assert "issuer=Backoffice" in page
    # A reload keeps the key the app may already have scanned.
    client.get(SETUP)
    assert TOTPDevice.objects.get(user=clerk).key == device.key

    response = client.post(SETUP, {"code": current_code(device), "next": "/payroll/"})
    assert response.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.content.decode())
    assert len(set(codes)) == 10
    assert set(StaticToken.objects.filter(device__user=clerk).values_list("token", flat=True)) == (
        set(codes)
    )
    assert 'href="/payroll/"' in response.content.decode()
    device.refresh_from_db()
    assert device.confirmed

    assert client.get(PAYDAY).status_code == 200
    # The codes are not shown again.
    assert client.get(SETUP + "?next=/payroll/").status_code == 200
    assert codes[0] not in client.get("/accounts/security/").content.decode()


def test_a_wrong_setup_code_is_refused(client, make_user, password, no_throttle):
    clerk = make_user(roles.PAYROLL_CLERK)
    password_login(client, clerk, password)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=clerk)
    wrong = wrong_code(device)

    for code in [wrong, "abcdef", "1" * 64]:
        response = client.post(SETUP, {"code": code})
        assert response.status_code == 200, code
        assert 'role="alert"' in response.content.decode() or "errorlist" in (
            response.content.decode()
        )
    # A NUL byte never reaches the form: the site refuses it (backoffice.middleware).
    assert client.post(SETUP, {"code": "\x00"}).status_code == 400
    assert "That code does not match." in client.post(SETUP, {"code": wrong}).content.decode()

    device.refresh_from_db()
    assert not device.confirmed
    assert not StaticDevice.objects.filter(user=clerk).exists()
    assert client.get(PAYDAY)["Location"].startswith(SETUP)


# --- The code after the password ----------------------------------------------------------------


def test_clerk_with_authenticator_is_asked_for_the_code(client, make_user, password):
    clerk = make_user(roles.PAYROLL_CLERK)
    device = AuthenticatorFactory(user=clerk)
    password_login(client, clerk, password)

    response = client.get(PAYDAY)
    assert response["Location"] == f"{VERIFY}?next=%2Fpayroll%2F"
    assert client.get(SETUP)["Location"].startswith(VERIFY), "no second authenticator"
    page = client.get(response["Location"]).content.decode()
    assert 'name="next" value="/payroll/"' in page

    response = client.post(VERIFY, {"code": current_code(device), "next": "/payroll/"})
    assert response.status_code == 302
    assert response["Location"] == "/payroll/"
    assert client.get(PAYDAY).status_code == 200
    assert client.get("/admin/").status_code == 200


def test_next_leads_only_to_this_site(client, make_user, password):
    clerk = make_user(roles.PAYROLL_CLERK)
    device = AuthenticatorFactory(user=clerk)
    password_login(client, clerk, password)
    response = client.post(
        VERIFY, {"code": current_code(device), "next": "https://evil.example/steal"}
    )
    assert response["Location"] == "/"


def test_a_wrong_code_is_refused_with_a_message_and_counted(
    client, make_user, password, no_throttle
):
    clerk = make_user(roles.PAYROLL_CLERK)
    device = AuthenticatorFactory(user=clerk)
    password_login(client, clerk, password)
    wrong = wrong_code(device)

    response = client.post(VERIFY, {"code": wrong})
    assert response.status_code == 200
    assert "That code is not valid." in response.content.decode()
    assert failures(clerk) == 1
    assert client.get(PAYDAY)["Location"].startswith(VERIFY)

    # A recovery-code-shaped guess and junk count too; an empty form is only a form error.
    client.post(VERIFY, {"code": "abcd efgh"})
    client.post(VERIFY, {"code": "\x00"})
    assert failures(clerk) == 2
    assert client.post(VERIFY, {"code": ""}).status_code == 200
    assert failures(clerk) == 2


def test_limit_wrong_codes_lock_the_account_even_for_the_right_code(
    client, make_user, password, no_throttle
):
    """After LOGIN_FAILURE_LIMIT wrong codes the account is locked and logged out: the right
    code afterwards does not verify, and the password is refused too."""
    clerk = make_user(roles.PAYROLL_CLERK)
    device = AuthenticatorFactory(user=clerk)
    password_login(client, clerk, password)
    wrong = wrong_code(device)

    for _ in range(LIMIT - 1):
        assert client.post(VERIFY, {"code": wrong}).status_code == 200
    response = client.post(VERIFY, {"code": wrong})
    assert response.status_code == 429
    assert "Account locked" in response.content.decode()
    assert "_auth_user_id" not in client.session

    response = client.post(VERIFY, {"code": current_code(device)})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.get(PAYDAY)["Location"].startswith("/accounts/login/")
    response = client.post("/accounts/login/", {"username": clerk.username, "password": password})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_wrong_codes_add_up_across_password_logins(client, make_user, password, no_throttle):
    """Logging in again with the password does not forget the wrong codes (it would give an
    attacker who knows the password endless guesses)."""
    clerk = make_user(roles.PAYROLL_CLERK)
    device = AuthenticatorFactory(user=clerk)
    for _ in range(LIMIT - 1):
        password_login(client, clerk, password)
        client.post(VERIFY, {"code": wrong_code(device)})
        client.post("/accounts/logout/")
    assert failures(clerk) == LIMIT - 1
    password_login(client, clerk, password)
    assert client.post(VERIFY, {"code": wrong_code(device)}).status_code == 429


def test_a_locked_account_is_logged_out_from_the_code_page(client, make_user, password):
    """Locked by wrong passwords elsewhere while this session waits at the code page."""
    clerk = make_user(roles.PAYROLL_CLERK)
    AuthenticatorFactory(user=clerk)
    password_login(client, clerk, password)
    for _ in range(LIMIT):
        Client().post("/accounts/login/", {"username": clerk.username, "password": "x"})
    assert client.get(VERIFY).status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_right_code_forgets_earlier_failures(client, make_user, password, no_throttle):
    clerk = make_user(roles.PAYROLL_CLERK)
    device = AuthenticatorFactory(user=clerk)
    password_login(client, clerk, password)
    client.post(VERIFY, {"code": wrong_code(device)})
    assert failures(clerk) == 1
    assert client.post(VERIFY, {"code": current_code(device)}).status_code == 302
    assert failures(clerk) == 0


def test_a_device_waits_after_a_wrong_code(client, make_user, password):
    """django-otp's throttling stays on: right after a wrong code even the right one is
    refused, with a message saying how long to wait."""
    clerk = make_user(roles.PAYROLL_CLERK)
    device = AuthenticatorFactory(user=clerk)
    password_login(client, clerk, password)
    wrong = wrong_code(device)
    client.post(VERIFY, {"code": wrong})
    response = client.post(VERIFY, {"code": current_code(device)})
    assert response.status_code == 200
    assert "Too many wrong codes. Wait 1 second, then try again." in response.content.decode()
    assert client.get(PAYDAY)["Location"].startswith(VERIFY)


def test_a_code_is_not_accepted_twice(client, make_user, password):
    clerk = make_user(roles.PAYROLL_CLERK)
    device = AuthenticatorFactory(user=clerk)
    code = current_code(device)
    password_login(client, clerk, password)
    assert client.post(VERIFY, {"code": code}).status_code == 302

    other = Client(headers={"accept-language": "en"})
    password_login(other, clerk, password)
    assert other.post(VERIFY, {"code": code}).status_code == 200
    assert other.get(PAYDAY)["Location"].startswith(VERIFY)


def test_a_recovery_code_works_once(client, make_user, password, no_throttle):
    clerk = make_user(roles.PAYROLL_CLERK)
    AuthenticatorFactory(user=clerk)
    codes = services.recovery_codes_regenerate(user=clerk)

    password_login(client, clerk, password)
    typed = f"{codes[0][:4].upper()}-{codes[0][4:].upper()}"  # as people type it
    response = client.post(VERIFY, {"code": typed, "next": "/payroll/"}, follow=True)
    assert response.redirect_chain[0] == ("/payroll/", 302)
    assert "You used a recovery code; 9 are left." in response.content.decode()
    client.post("/accounts/logout/")

    password_login(client, clerk, password)
    response = client.post(VERIFY, {"code": codes[0]})
    assert response.status_code == 200
    assert "That code is not valid." in response.content.decode()
    assert client.get(PAYDAY)["Location"].startswith(VERIFY)
    assert client.post(VERIFY, {"code": codes[1]}).status_code == 302


# --- The admin ------------------------------------------------------------------------------------


def test_the_admin_refuses_an_unverified_accountant(client, make_user):
    accountant = make_user(roles.ACCOUNTANT)
    AuthenticatorFactory(user=accountant)
    client.force_login(accountant, second_factor=False)
    for url in ["/admin/", "/admin/accounting/payment/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(VERIFY)


def test_the_admin_site_itself_requires_the_second_factor(client, make_user, settings):
    """Even without the middleware, the admin site's own permission check refuses."""
    settings.MIDDLEWARE = [
        m
        for m in settings.MIDDLEWARE
        if m != "backoffice.two_factor.middleware.SecondFactorMiddleware"
    ]
    accountant = make_user(roles.ACCOUNTANT)
    client.force_login(accountant, second_factor=False)
    response = client.get("/admin/accounting/payment/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    client.force_login(accountant)
    assert client.get("/admin/accounting/payment/").status_code == 200


@pytest.mark.parametrize("role", [roles.HR_MANAGER, roles.PAYROLL_CLERK, roles.AUDITOR])
def test_device_admin_is_for_superusers_only(client, make_user, role):
    client.force_login(make_user(role))
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 403
    assert client.get("/admin/otp_static/staticdevice/").status_code == 403


def test_superuser_sees_devices_but_not_their_secrets(client, make_user):
    clerk = make_user(roles.PAYROLL_CLERK)
    device = AuthenticatorFactory(user=clerk)
    codes = services.recovery_codes_regenerate(user=clerk)
    client.force_login(make_user(is_superuser=True, is_staff=True))
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 200
    page = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/").content.decode()
    assert device.key not in page
    static = StaticDevice.objects.get(user=clerk)
    page = client.get(f"/admin/otp_static/staticdevice/{static.pk}/change/").content.decode()
    assert codes[0] not in page
    assert client.get(f"/admin/otp_totp/totpdevice/{device.pk}/config/").status_code == 403


def _reset_action(client, *users):
    return client.post(
        "/admin/auth/user/",
        {"action": "reset_second_factor", "_selected_action": [u.pk for u in users]},
        follow=True,
    )


def test_hr_manager_resets_a_clerks_second_factor_in_the_admin(client, make_user, password):
    """The clerk lost their phone: after the reset their open session loses its verification,
    they set up a new authenticator at once, and their inbox says who reset it."""
    clerk = make_user(roles.PAYROLL_CLERK)
    clerk_client = TwoFactorClient(headers={"accept-language": "en"})
    clerk_client.force_login(clerk)
    services.recovery_codes_regenerate(user=clerk)
    assert clerk_client.get(PAYDAY).status_code == 200

    hr = make_user(roles.HR_MANAGER, first_name="Hanna", last_name="Roth")
    client.force_login(hr)
    response = _reset_action(client, clerk)
    assert "The second factor of 1 user was reset." in response.content.decode()
    assert not TOTPDevice.objects.filter(user=clerk).exists()
    assert not StaticDevice.objects.filter(user=clerk).exists()
    assert clerk_client.get(PAYDAY)["Location"].startswith(SETUP)
    note = Notification.objects.get(user=clerk)
    assert note.subject == "Your second factor was reset"
    assert "Hanna Roth" in note.body


def test_hr_manager_may_not_reset_a_superuser_or_themselves(client, make_user):
    boss = make_user(is_superuser=True, is_staff=True)
    AuthenticatorFactory(user=boss)
    hr = make_user(roles.HR_MANAGER)
    client.force_login(hr)
    response = _reset_action(client, boss, hr)
    assert "You may not reset the second factor of:" in response.content.decode()
    assert TOTPDevice.objects.filter(user=boss).exists()
    assert TOTPDevice.objects.filter(user=hr).exists()


def test_roles_without_user_admin_cannot_reset(client, make_user):
    clerk = make_user(roles.PAYROLL_CLERK)
    other = make_user(roles.ACCOUNTANT)
    AuthenticatorFactory(user=other)
    client.force_login(clerk)
    assert _reset_action(client, other).status_code == 403
    assert TOTPDevice.objects.filter(user=other).exists()


def test_superuser_resets_anyones_second_factor(client, make_user):
    hr = make_user(roles.HR_MANAGER)
    AuthenticatorFactory(user=hr)
    client.force_login(make_user(is_superuser=True, is_staff=True))
    _reset_action(client, hr)
    assert not TOTPDevice.objects.filter(user=hr).exists()


# --- The user's Security page ---------------------------------------------------------------------


def test_security_page_shows_the_authenticator_and_makes_new_recovery_codes(client, make_user):
    clerk = make_user(roles.PAYROLL_CLERK)
    client.force_login(clerk)
    old = services.recovery_codes_regenerate(user=clerk)
    page = client.get("/").content.decode()
    assert 'href="/accounts/security/"' in page

    page = client.get("/accounts/security/").content.decode()
    assert "Authenticator app" in page
    assert re.search(r'data-testid="recovery-left">\s*10 left', page)

    response = client.post("/accounts/security/recovery-codes/")
    new = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.content.decode())
    assert len(set(new)) == 10
    assert not set(new) & set(old)
    tokens = set(StaticToken.objects.filter(device__user=clerk).values_list("token", flat=True))
    assert tokens == set(new)
    # Still verified: the recovery device is kept, only its codes change.
    assert client.get(PAYDAY).status_code == 200


def test_recovery_codes_need_an_authenticator(client, make_user):
    staff = make_user(roles.STAFF)
    client.force_login(staff)
    response = client.post("/accounts/security/recovery-codes/", follow=True)
    assert "Set up an authenticator app first." in response.content.decode()
    assert not StaticDevice.objects.filter(user=staff).exists()
    assert client.get("/accounts/security/recovery-codes/").status_code == 405


def test_a_verified_user_moves_to_a_new_phone(client, make_user):
    """From the Security page: a new authenticator replaces the old one once confirmed."""
    clerk = make_user(roles.PAYROLL_CLERK)
    client.force_login(clerk)
    old = TOTPDevice.objects.get(user=clerk)
    assert client.get(SETUP).status_code == 200
    new = TOTPDevice.objects.get(user=clerk, confirmed=False)
    assert client.post(SETUP, {"code": current_code(new)}).status_code == 200
    assert list(TOTPDevice.objects.filter(user=clerk)) == [new]
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()
    assert client.get(PAYDAY).status_code == 200


# --- Without the wrapping transaction -------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_verify_post_commits_outside_a_test_transaction(client, make_user, password):
    """The code check locks the device (select_for_update) in its own transaction."""
    clerk = make_user(roles.PAYROLL_CLERK)
    device = AuthenticatorFactory(user=clerk)
    password_login(client, clerk, password)
    assert client.post(VERIFY, {"code": "abcdefgh"}).status_code == 200
    assert failures(clerk) == 1
    device.refresh_from_db()
    assert device.throttling_failure_count == 0  # a recovery-code guess throttles no app
    device.throttling_failure_timestamp = None
    device.save()
    response = client.post(VERIFY, {"code": current_code(device), "next": PAYDAY})
    assert response["Location"] == PAYDAY
    assert client.get(PAYDAY).status_code == 200
    assert failures(clerk) == 0


@pytest.mark.django_db(transaction=True)
def test_enroll_post_commits_outside_a_test_transaction(client, make_user, password):
    clerk = make_user(roles.PAYROLL_CLERK)
    password_login(client, clerk, password)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=clerk)
    response = client.post(SETUP, {"code": current_code(device)})
    assert response.status_code == 200
    assert StaticToken.objects.filter(device__user=clerk).count() == 10
    assert client.get(PAYDAY).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_regenerate_and_reset_commit_outside_a_test_transaction(client, make_user):
    clerk = make_user(roles.PAYROLL_CLERK)
    client.force_login(clerk)
    assert client.post("/accounts/security/recovery-codes/").status_code == 200
    assert StaticToken.objects.filter(device__user=clerk).count() == 10
    admin = TwoFactorClient(headers={"accept-language": "en"})
    admin.force_login(make_user(is_superuser=True, is_staff=True))
    _reset_action(admin, clerk)
    assert not StaticDevice.objects.filter(user=clerk).exists()


# --- Settings -------------------------------------------------------------------------------------


def _production(**extra):
    env = {k: v for k, v in os.environ.items() if k != "TWO_FACTOR_REQUIRED"}
    env.update(
        DJANGO_SETTINGS_MODULE="backoffice.settings.production",
        DJANGO_SECRET_KEY="x" * 60,
        DJANGO_ALLOWED_HOSTS="example.com",
        SITE_URL="https://example.com",
        DATABASE_URL=os.environ.get("DATABASE_URL") or "postgres://localhost/x",
        **extra,
    )
    return env


def _run(code: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        check=False,
    )


def test_production_settings_refuse_the_second_factor_off():
    result = _run("import django; django.setup()", _production(TWO_FACTOR_REQUIRED="false"))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "TWO_FACTOR_REQUIRED is off" in result.stderr


def test_production_settings_require_the_second_factor_by_default():
    code = "import django; django.setup(); from django.conf import settings as s; "
    code += "print(s.TWO_FACTOR_REQUIRED)"
    result = _run(code, _production())
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_local_settings_let_the_demo_skip_it():
    env = {k: v for k, v in os.environ.items() if k != "TWO_FACTOR_REQUIRED"}
    env["DJANGO_SETTINGS_MODULE"] = "backoffice.settings.local"
    env.setdefault("DATABASE_URL", "postgres://localhost/x")
    code = "from django.conf import settings as s; print(s.TWO_FACTOR_REQUIRED)"
    result = _run(code, env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_deploy_check_fails_when_the_second_factor_is_off(settings):
    assert second_factor_required_check(None) == []
    settings.TWO_FACTOR_REQUIRED = False
    assert [e.id for e in second_factor_required_check(None)] == ["backoffice.E001"]


def test_with_the_setting_off_nobody_is_asked(client, make_user, password, settings):
    """What `make run` does by default: the demo clerk goes straight to payday."""
    settings.TWO_FACTOR_REQUIRED = False
    clerk = make_user(roles.PAYROLL_CLERK)
    password_login(client, clerk, password)
    assert client.get(PAYDAY).status_code == 200
    assert client.get("/admin/").status_code == 200
