import pytest

from backoffice import roles

pytestmark = pytest.mark.django_db

HUGE = "9" * 30


@pytest.mark.parametrize(
    ("role", "url"),
    [
        (roles.HR_MANAGER, "/hr/employees/"),
        (roles.ACCOUNTANT, "/accounting/payments/"),
        (roles.ACCOUNTANT, "/accounting/statements/"),
        (roles.AUDITOR, "/accounting/audit/"),
        (roles.STAFF, "/payroll/my/payslips/"),
    ],
)
def test_an_absurd_page_number_is_an_empty_page_not_an_error(client, make_user, role, url):
    """A page number beyond what the database can offset is capped, never a 500."""
    client.force_login(make_user(role))
    for page in (HUGE, "-5", "abc"):
        assert client.get(f"{url}?page={page}").status_code == 200
