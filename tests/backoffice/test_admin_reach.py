"""Admin reach: each role gets in the admin what ADMIN_REACH (backoffice/roles.py) says and no
more. Helpdesk agents and office managers see the employee directory (current employees'
name, department and work contact), never HR fields, and export or import nothing; exports and
imports need permissions of their own; the admin is no back door around the portal's rules."""

import datetime
import json

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from backoffice import roles
from backoffice.roles import ADMIN_REACH, ROLES
from hr.admin import DIRECTORY_FIELDS
from hr.models import Employee
from tests.hr.factories import DepartmentFactory, EmployeeFactory

pytestmark = pytest.mark.django_db

ADMIN_ROLES = [name for name, role in ROLES.items() if role.admin]
NON_ADMIN_ROLES = [name for name, role in ROLES.items() if not role.admin]
DIRECTORY_ROLES = [roles.HELPDESK_AGENT, roles.OFFICE_MANAGER]
# Every field of an employee that the directory does not show.
HR_FIELDS = [
    "personnel_number",
    "position",
    "manager",
    "employment_type",
    "hire_date",
    "termination_date",
    "status",
    "user",
]
IMPORT_EXPORT_MODELS = ["hr.department", "hr.employee", "accounting.account", "accounting.budget"]
EMPLOYEES = "/admin/hr/employee/"


def label(model) -> str:
    return model._meta.label_lower


def reach(role: str, model_label: str) -> set[str]:
    return set(ADMIN_REACH[model_label].get(role, "").split())


def admin_user(make_user, role):
    if role == "superuser":
        return make_user(is_superuser=True, is_staff=True)
    return make_user(role)


def capabilities(model_admin, user, model_label) -> set[str]:
    """What the admin actually grants a user on a model, in the matrix's words."""
    request = RequestFactory().get("/admin/")
    request.user = user
    caps = set()
    if model_admin.has_view_permission(request):
        full = model_label != "hr.employee" or user.has_perm("hr.view_all_employees")
        caps.add("view" if full else "directory")
    if model_admin.has_add_permission(request):
        caps.add("add")
    if model_admin.has_change_permission(request):
        caps.add("change")
    if model_admin.has_delete_permission(request):
        caps.add("delete")
    if getattr(model_admin, "has_export_permission", None) and model_admin.has_export_permission(
        request
    ):
        caps.add("export")
    if getattr(model_admin, "has_import_permission", None) and model_admin.has_import_permission(
        request
    ):
        caps.add("import")
    if caps:
        caps |= {f"+{name}" for name in model_admin.get_actions(request)}
    return caps


def detail_fields(response) -> list[str]:
    """The fields a change page shows, editable or read-only."""
    return [
        name
        for _title, options in response.context["adminform"].fieldsets
        for name in options["fields"]
    ]


HIRE_DATE_TEXTS = (
    "2003-04-05",
    "April 5, 2003",
    "05.04.2003",
    "Apr. 5, 2003",
    "5 Apr 2003",
    "05/04/2003",
)


def index_models(client) -> set[str]:
    response = client.get("/admin/")
    assert response.status_code == 200
    return {
        f"{app['app_label']}.{model['object_name'].lower()}"
        for app in response.context["app_list"]
        for model in app["models"]
    }


# --- The matrix is complete and the code matches it ---------------------------------------------


def test_every_registered_admin_model_has_a_row_in_the_matrix():
    """A new admin class must be given a row in ADMIN_REACH (a decision per role), and a row
    for a model no longer in the admin is stale."""
    registered = {label(model) for model in admin.site._registry}
    assert registered - set(ADMIN_REACH) == set(), "admin models missing in ADMIN_REACH"
    assert set(ADMIN_REACH) - registered == set(), "ADMIN_REACH rows without an admin"
    for model_label, row in ADMIN_REACH.items():
        for role in row:
            assert role in ROLES and ROLES[role].admin, (model_label, role)


@pytest.mark.parametrize("role", ADMIN_ROLES)
def test_admin_grants_each_role_exactly_its_row_of_the_matrix(make_user, role):
    """View, directory, add, change, delete, export, import and every action, per model."""
    user = make_user(role)
    for model, model_admin in admin.site._registry.items():
        model_label = label(model)
        assert capabilities(model_admin, user, model_label) == reach(role, model_label), model_label


@pytest.mark.parametrize("role", ADMIN_ROLES)
def test_admin_index_lists_exactly_the_models_of_the_role(client, make_user, role):
    client.force_login(make_user(role))
    expected = {m for m, row in ADMIN_REACH.items() if role in row}
    assert index_models(client) == expected


def test_superuser_reaches_every_admin_model(client, make_user):
    client.force_login(admin_user(make_user, "superuser"))
    assert index_models(client) == {label(model) for model in admin.site._registry}


@pytest.mark.parametrize("role", DIRECTORY_ROLES)
def test_helpdesk_and_office_see_no_pay_ledger_or_payments(client, make_user, role):
    client.force_login(make_user(role))
    listed = index_models(client)
    assert listed == {"hr.department", "hr.employee"}
    for url in (
        "/admin/payroll/payprofile/",
        "/admin/payroll/payslip/",
        "/admin/payroll/bankdetailschange/",
        "/admin/accounting/journalentry/",
        "/admin/accounting/payment/",
        "/admin/accounting/account/",
        "/admin/auth/user/",
    ):
        assert client.get(url).status_code == 403, url


def test_recruiter_sees_departments_and_positions_but_no_employee(client, make_user):
    employee = EmployeeFactory()
    client.force_login(make_user(roles.RECRUITER))
    assert index_models(client) == {"hr.department", "hr.position", "hr.opening"}
    assert client.get("/admin/hr/department/").status_code == 200
    assert client.get("/admin/hr/position/").status_code == 200
    assert client.get(EMPLOYEES).status_code == 403
    assert client.get(f"{EMPLOYEES}{employee.pk}/change/").status_code == 403
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "hr", "model_name": "department", "field_name": "head", "term": ""},
    )
    assert response.status_code == 403


@pytest.mark.parametrize("role", NON_ADMIN_ROLES)
def test_roles_without_admin_get_no_employee_list_export_or_import(client, make_user, role):
    client.force_login(make_user(role, is_staff=True))
    for url in (EMPLOYEES, f"{EMPLOYEES}export/", f"{EMPLOYEES}import/", "/admin/autocomplete/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/admin/login/" in response["Location"]


# --- The employee directory (helpdesk agent, office manager) ------------------------------------


@pytest.fixture
def staff():
    dept = DepartmentFactory(code="IT", name="Informationstechnik")
    current = EmployeeFactory(
        first_name="Berta",
        last_name="Quellmann",
        department=dept,
        work_email="berta.quellmann@example.com",
        phone="+49 30 555-0142",
        hire_date=datetime.date(2003, 4, 5),
        employment_type=Employee.EmploymentType.HOURLY,
    )
    gone = EmployeeFactory(
        first_name="Gustav",
        last_name="Vergangen",
        department=dept,
        status=Employee.Status.TERMINATED,
        termination_date=datetime.date(2024, 6, 30),
    )
    return current, gone


@pytest.mark.parametrize("role", DIRECTORY_ROLES)
def test_directory_list_shows_name_department_and_work_contact_only(client, make_user, role, staff):
    current, gone = staff
    client.force_login(make_user(role))
    response = client.get(EMPLOYEES)
    assert response.status_code == 200
    changelist = response.context["cl"]
    assert [f for f in changelist.list_display if f != "action_checkbox"] == DIRECTORY_FIELDS
    assert changelist.date_hierarchy is None
    page = response.content.decode()
    for shown in ("Quellmann", "Berta", "Informationstechnik", current.work_email, current.phone):
        assert shown in page
    for field in HR_FIELDS:
        assert f"column-{field}" not in page, field
        assert f"{field}__" not in page, field  # no filter or date hierarchy on it
    assert current.personnel_number not in page
    assert not any(text in page for text in HIRE_DATE_TEXTS)
    assert "Vergangen" not in page  # former employees are not in the directory
    assert "/export/" not in page and "/import/" not in page
    assert 'name="action"' not in page  # no actions, not even delete


@pytest.mark.parametrize("role", DIRECTORY_ROLES)
def test_directory_detail_is_read_only_and_narrow(client, make_user, role, staff):
    current, gone = staff
    client.force_login(make_user(role))
    url = f"{EMPLOYEES}{current.pk}/change/"
    response = client.get(url)
    assert response.status_code == 200
    assert detail_fields(response) == DIRECTORY_FIELDS
    page = response.content.decode()
    assert current.phone in page and current.work_email in page
    assert not any(text in page for text in HIRE_DATE_TEXTS)
    assert "Hourly" not in page
    assert 'name="_save"' not in page
    # A former employee's record is not found; its history is refused.
    gone_page = client.get(f"{EMPLOYEES}{gone.pk}/change/")
    assert gone_page.status_code == 302
    assert client.get(f"{url}history/").status_code == 403
    assert client.get(f"{EMPLOYEES}add/").status_code == 403
    assert client.get(f"{EMPLOYEES}{current.pk}/delete/").status_code == 403


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", DIRECTORY_ROLES)
def test_directory_user_cannot_change_or_delete_an_employee(client, make_user, role):
    """Outside the test's transaction: a refused POST writes nothing."""
    employee = EmployeeFactory(last_name="Unverändert")
    client.force_login(make_user(role))
    change = client.post(
        f"{EMPLOYEES}{employee.pk}/change/",
        {"last_name": "Geändert", "first_name": employee.first_name},
    )
    assert change.status_code == 403
    delete = client.post(f"{EMPLOYEES}{employee.pk}/delete/", {"post": "yes"})
    assert delete.status_code == 403
    bulk = client.post(
        EMPLOYEES, {"action": "delete_selected", ACTION_CHECKBOX_NAME: [str(employee.pk)]}
    )
    assert bulk.status_code in (200, 302)
    employee.refresh_from_db()
    assert employee.last_name == "Unverändert"


@pytest.mark.parametrize(
    "query",
    [
        "hire_date__year=2003",
        "hire_date__gte=2003-01-01",
        "status__exact=terminated",
        "employment_type=hourly",
        "personnel_number__startswith=T",
        "manager__isnull=True",
        "department__head__user__username=x",
        "department__cost_center=1000",
    ],
)
def test_directory_refuses_filters_on_fields_it_does_not_show(client, make_user, staff, query):
    """Counting results for ?hire_date__gte=... would tell a helpdesk agent the hire date the
    directory hides: such lookups answer 400 (the HR manager's are allowed)."""
    client.force_login(make_user(roles.HELPDESK_AGENT))
    assert client.get(f"{EMPLOYEES}?{query}").status_code == 400


def test_hr_manager_may_filter_on_hr_fields(client, make_user, staff):
    client.force_login(make_user(roles.HR_MANAGER))
    response = client.get(f"{EMPLOYEES}?status__exact=terminated")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Vergangen" in page and "Quellmann" not in page


def test_directory_filters_by_department_and_searches_by_name_only(client, make_user, staff):
    current, gone = staff
    EmployeeFactory(last_name="Anderswo")
    client.force_login(make_user(roles.HELPDESK_AGENT))
    by_dept = client.get(f"{EMPLOYEES}?department__id__exact={current.department_id}")
    assert by_dept.status_code == 200
    assert "Quellmann" in by_dept.content.decode()
    assert "Anderswo" not in by_dept.content.decode()
    assert list(client.get(f"{EMPLOYEES}?q=quellm").context["cl"].result_list) == [current]
    assert list(client.get(f"{EMPLOYEES}?q=Berta").context["cl"].result_list) == [current]
    for term in (current.personnel_number, "berta.quellmann@example.com"):
        assert list(client.get(EMPLOYEES, {"q": term}).context["cl"].result_list) == [], term


@pytest.mark.parametrize("role", DIRECTORY_ROLES)
def test_directory_serves_employee_autocomplete(client, make_user, role, staff):
    """Devices and keys will be assigned through an autocomplete on employees: it needs view
    permission on the employee admin. It finds current employees by name, and only names."""
    current, gone = staff
    client.force_login(make_user(role))

    def search(term):
        response = client.get(
            "/admin/autocomplete/",
            {"app_label": "hr", "model_name": "department", "field_name": "head", "term": term},
        )
        assert response.status_code == 200
        return json.loads(response.content)["results"]

    assert search("Quellmann") == [{"id": str(current.pk), "text": str(current)}]
    assert search("Vergangen") == []
    assert search(current.work_email) == []


def test_directory_list_query_count_does_not_grow_with_employees(client, make_user):
    dept = DepartmentFactory()
    EmployeeFactory.create_batch(3, department=dept)
    client.force_login(make_user(roles.HELPDESK_AGENT))
    client.get(EMPLOYEES)  # sessions and caches settle
    with CaptureQueriesContext(connection) as few:
        assert client.get(EMPLOYEES).status_code == 200
    EmployeeFactory.create_batch(30)
    with CaptureQueriesContext(connection) as many:
        assert client.get(EMPLOYEES).status_code == 200
    assert len(many) == len(few)


# --- The portal's refusal and the admin agree ---------------------------------------------------


@pytest.mark.parametrize(
    "role",
    [
        name
        for name, role in ROLES.items()
        if role.admin and "hr.view_all_employees" not in role.permissions
    ],
)
def test_without_view_all_employees_the_admin_shows_at_most_the_directory(
    client, make_user, role, staff
):
    """Every admin role the portal refuses the employee list sees no more employee fields in the
    admin than the directory, and exports and imports no employee."""
    current, gone = staff
    user = make_user(role)
    client.force_login(user)
    assert client.get("/hr/employees/").status_code == 403  # the portal's refusal
    assert client.get(f"{EMPLOYEES}export/").status_code == 403
    assert client.get(f"{EMPLOYEES}import/").status_code == 403
    response = client.get(EMPLOYEES)
    if response.status_code == 403:
        return
    shown = [f for f in response.context["cl"].list_display if f != "action_checkbox"]
    assert set(shown) <= set(DIRECTORY_FIELDS)
    detail = client.get(f"{EMPLOYEES}{current.pk}/change/")
    assert set(detail_fields(detail)) <= set(DIRECTORY_FIELDS)


def test_admin_view_permission_alone_keeps_the_portal_scope(client, make_user):
    """A manager given hr.view_employee by hand but not hr.view_all_employees sees in the admin
    what the portal shows them (their own record and departments they head), as narrow as the
    directory, never the whole staff."""
    user = make_user(roles.RECRUITER)
    user.user_permissions.add(Permission.objects.get(codename="view_employee"))
    other = EmployeeFactory(last_name="Fremdling")
    client.force_login(user)
    response = client.get(EMPLOYEES)
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [user.employee]
    assert [f for f in response.context["cl"].list_display if f != "action_checkbox"] == (
        DIRECTORY_FIELDS
    )
    assert client.get(f"{EMPLOYEES}{other.pk}/change/").status_code == 302
    assert client.get(f"{EMPLOYEES}export/").status_code == 403


@pytest.mark.parametrize("role", [roles.HR_MANAGER, roles.PAYROLL_CLERK, roles.AUDITOR])
def test_roles_that_see_every_employee_see_the_full_record(client, make_user, role, staff):
    current, gone = staff
    client.force_login(make_user(role))
    response = client.get(EMPLOYEES)
    assert "hire_date" in response.context["cl"].list_display
    assert "Vergangen" in response.content.decode()
    detail = client.get(f"{EMPLOYEES}{current.pk}/change/")
    assert detail.status_code == 200
    assert {"hire_date", "status", "employment_type"} <= set(detail_fields(detail))


# --- Export and import need their own permissions ------------------------------------------------


def _url(model_label: str, view: str) -> str:
    app_label, model = model_label.split(".")
    return f"/admin/{app_label}/{model}/{view}/"


@pytest.mark.parametrize("role", [*ADMIN_ROLES, "superuser"])
@pytest.mark.parametrize("model_label", IMPORT_EXPORT_MODELS)
def test_export_and_import_pages_follow_the_matrix(client, make_user, role, model_label):
    """200 where ADMIN_REACH grants export/import, 403 everywhere else (helpdesk, office
    manager, recruiter, payroll clerk ... on employees; the accountant on employees; the HR
    manager on accounts)."""
    client.force_login(admin_user(make_user, role))
    for view in ("export", "import"):
        allowed = role == "superuser" or view in reach(role, model_label)
        assert client.get(_url(model_label, view)).status_code == (200 if allowed else 403), view


def test_employee_export_answers_200_for_hr_and_403_for_helpdesk_office_recruiter(
    client, make_user
):
    expected = {
        roles.HR_MANAGER: 200,
        roles.AUDITOR: 200,
        roles.HELPDESK_AGENT: 403,
        roles.OFFICE_MANAGER: 403,
        roles.RECRUITER: 403,
        roles.PAYROLL_CLERK: 403,
        roles.ACCOUNTANT: 403,
    }
    for role, status in expected.items():
        client.force_login(make_user(role))
        assert client.get(f"{EMPLOYEES}export/").status_code == status, role
        import_status = 200 if role == roles.HR_MANAGER else 403
        assert client.get(f"{EMPLOYEES}import/").status_code == import_status, role


@pytest.mark.parametrize("role", DIRECTORY_ROLES)
def test_directory_user_posting_an_export_gets_no_file(client, make_user, role, staff):
    client.force_login(make_user(role))
    response = client.post(
        f"{EMPLOYEES}export/",
        {"format": "0", "resource": "0", "employeeresource_last_name": "on"},
    )
    assert response.status_code == 403
    assert "Quellmann" not in response.content.decode()


def test_import_goes_only_with_add_and_change_and_export_only_with_view():
    """An import adds and overwrites rows; an export takes away what one may read."""
    for name, role in ROLES.items():
        for perm in role.permissions:
            app_label, codename = perm.split(".")
            action, _sep, model = codename.partition("_")
            if action == "import":
                assert f"{app_label}.add_{model}" in role.permissions, (name, perm)
                assert f"{app_label}.change_{model}" in role.permissions, (name, perm)
            if action == "export" and f"{app_label}.{model}" in IMPORT_EXPORT_MODELS:
                assert f"{app_label}.view_{model}" in role.permissions, (name, perm)


def test_hours_export_action_needs_the_payroll_reports_permission(client, make_user):
    """Seeing hours in the admin is not leave to export them."""
    user = make_user(roles.RECRUITER)
    user.user_permissions.add(
        Permission.objects.get(codename="view_timeentry", content_type__app_label="payroll")
    )
    export = {"action": "export_csv", ACTION_CHECKBOX_NAME: ["1"]}
    client.force_login(user)
    response = client.get("/admin/payroll/timeentry/")
    assert response.status_code == 200
    action_form = response.context["action_form"]  # None: no action is left
    assert action_form is None or "export_csv" not in dict(action_form.fields["action"].choices)
    refused = client.post("/admin/payroll/timeentry/", export)
    assert refused.status_code in (200, 302)
    assert "text/csv" not in refused["Content-Type"]
    client.force_login(make_user(roles.PAYROLL_CLERK))
    allowed = client.post("/admin/payroll/timeentry/", export)
    assert allowed.status_code == 200
    assert allowed["Content-Type"].startswith("text/csv")
