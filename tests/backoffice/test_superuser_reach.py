"""Issue 9, item 8: the superuser sees and can do what every role can, as the head of every
department would, on a demo data set with several departments and heads. The rules about
persons stay: nobody approves their own payroll run, payment, leave or hours, nor warns
themselves."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounting.models import BankStatement, Finding, Payment
from backoffice import roles
from backoffice.models import Notification
from backoffice.services import user_roles_set
from hr.models import (
    Absence,
    Checklist,
    Department,
    DisciplinaryRecord,
    Employee,
    TrainingSession,
)
from hr.registry import compliance_checks
from hr.services.absences import absence_request
from hr.services.lifecycle import checklist_create
from payroll.models import PayPeriod, PayrollRun, Payslip, TimeEntry
from payroll.services.payday import payday_run_calculate
from tests.accounting.factories import account, open_year
from tests.backoffice.clients import TwoFactorClient
from tests.hr.factories import DepartmentFactory, EmployeeFactory, UserFactory
from tests.payroll.factories import payroll_setup, period_for, profile

MONDAY = datetime.date(2027, 3, 1)  # a working day ahead: leave may be asked for it
PAST_DAY = datetime.date(2026, 11, 2)  # warnings are about what happened

# The login steps and the language switch redirect a logged-in user; logout ends the session.
NOT_PAGES = {"logout", "set_language", "login", "two_factor_verify"}
# Answering GET with 405 is right for these: they only take POSTs.
POST_ONLY = {
    "notification_read_all",
    "security_recovery_codes",
    "account_language",
    "accounting:audit_run",
    "payroll:run_calculate",
}


def _named_patterns(patterns, prefix=""):
    """(name, pattern) of every named portal URL; the Django admin has its own reach tests
    (tests/backoffice/test_admin_reach.py)."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern).startswith("admin/"):
                continue
            namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            yield from _named_patterns(pattern.url_patterns, namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield prefix + pattern.name, pattern


def _superuser_client(user):
    client = TwoFactorClient(headers={"accept-language": "en"})
    client.force_login(user)
    return client


@pytest.fixture
def demo_superuser(db):
    """The demo (several departments, a head with a login for each) and its superuser, who
    is also an employee (of Vertrieb, heading nothing)."""
    call_command("seed_demo", employees=40)
    admin = get_user_model().objects.get(username="admin")
    employee = (
        Employee.objects.filter(department__code="VERT", user__isnull=True)
        .exclude(pk=Department.objects.get(code="VERT").head_id)
        .order_by("personnel_number")
        .first()
    )
    employee.user = admin
    employee.save(update_fields=["user"])
    # The demo hires nobody new; an onboarding checklist stands for the lifecycle's pages.
    newcomer = Employee.objects.filter(department__code="PROD").order_by("-pk").first()
    checklist_create(employee=newcomer, kind=Checklist.Kind.ONBOARDING)
    return admin


def _detail_urls():
    """A page of each kind of object the demo holds, for the pages that need one."""
    employee = Employee.objects.exclude(user__is_superuser=True).order_by("pk").first()
    urls = {
        "hr:employee_detail": reverse("hr:employee_detail", args=[employee.pk]),
        "hr:personnel_file": reverse("hr:personnel_file", args=[employee.pk]),
        "hr:employee_transfer": reverse("hr:employee_transfer", args=[employee.pk]),
        "hr:employee_terminate": reverse("hr:employee_terminate", args=[employee.pk]),
        "hr:org_department": reverse(
            "hr:org_department", args=[Department.objects.order_by("pk").first().pk]
        ),
        "hr:compliance_check": None,
        # The superuser of the walk is an employee too: their own side of the file.
        "hr:personnel_change_request_new": reverse(
            "hr:personnel_change_request_new", args=["address"]
        ),
    }
    optional = {
        "hr:checklist": Checklist.objects.order_by("pk").first(),
        "hr:discipline_detail": DisciplinaryRecord.objects.order_by("pk").first(),
        "hr:training_session_detail": TrainingSession.objects.order_by("pk").first(),
        "hr:absence_detail": Absence.objects.order_by("pk").first(),
        "accounting:payment_detail": Payment.objects.order_by("pk").first(),
        "accounting:statement_detail": BankStatement.objects.order_by("pk").first(),
        "accounting:finding_detail": Finding.objects.order_by("pk").first(),
        "payroll:run_detail": PayrollRun.objects.order_by("-pk").first(),
        "payroll:run_progress": PayrollRun.objects.order_by("-pk").first(),
    }
    for name, obj in optional.items():
        urls[name] = reverse(name, args=[obj.pk]) if obj is not None else None
    period = PayPeriod.objects.order_by("-start").first()
    # The off-cycle form and its autocomplete take the period as a query parameter.
    urls["payroll:offcycle_new"] = f"{reverse('payroll:offcycle_new')}?period={period.pk}"
    urls["payroll:offcycle_employees"] = (
        f"{reverse('payroll:offcycle_employees')}?period={period.pk}&q=a"
    )
    payslip = Payslip.objects.order_by("pk").first()
    urls["payroll:payslip_detail"] = (
        reverse("payroll:payslip_detail", args=[payslip.run_id, payslip.pk]) if payslip else None
    )
    if payslip:
        urls["payroll:payslip_pdf"] = reverse(
            "payroll:payslip_pdf", args=[payslip.run_id, payslip.pk]
        )
    paid = PayrollRun.objects.filter(status=PayrollRun.Status.PAID).order_by("-pk").first()
    urls["payroll:run_bankfile"] = reverse("payroll:run_bankfile", args=[paid.pk]) if paid else None
    first = next(iter(compliance_checks()), None)
    urls["hr:compliance_check"] = (
        reverse("hr:compliance_check", args=[first.code]) if first else None
    )
    return urls


@pytest.mark.django_db
def test_superuser_gets_every_portal_page(demo_superuser):
    """Every page of the portal answers the superuser with the page itself: the pages without
    arguments found by walking the URL resolver, and a detail page of each kind of object."""
    client = _superuser_client(demo_superuser)
    answers = {}
    details = _detail_urls()
    for name, pattern in _named_patterns(get_resolver().url_patterns):
        if name in NOT_PAGES or name in details:
            continue
        if pattern.pattern.regex.groups:
            continue
        answers[name] = client.get(reverse(name)).status_code
    assert [name for name, url in details.items() if url is None] == []
    for name, url in details.items():
        answers[name] = client.get(url).status_code
    wrong = {
        name: status
        for name, status in answers.items()
        if status != (405 if name in POST_ONLY else 200)
    }
    assert wrong == {}
    assert len(answers) > 60  # the walk found the portal, not an empty resolver


@pytest.mark.django_db
def test_every_card_on_the_home_page_of_a_superuser_without_employee_record_opens(db):
    """The demo's superuser is nobody's employee: each card on its home page still opens a
    page (none of them is "not found" for want of an employee record)."""
    call_command("seed_demo", employees=40)
    admin = get_user_model().objects.get(username="admin")
    assert not Employee.objects.filter(user=admin).exists()
    client = _superuser_client(admin)
    links = client.get("/").context["links"]
    answers = {link.key: client.get(reverse(link.url_name)).status_code for link in links}
    assert {key: status for key, status in answers.items() if status != 200} == {}
    assert "hr.absence_approvals" in answers and "payroll.dashboard" in answers


@pytest.mark.django_db
def test_superuser_home_shows_the_cards_of_every_role(demo_superuser):
    """The superuser's home page offers what each demo login's home page offers."""
    from backoffice.registry import home_links_for

    client = _superuser_client(demo_superuser)
    page = client.get("/")
    assert page.status_code == 200
    mine = {link.key for link in page.context["links"]}
    others = set()
    for user in get_user_model().objects.filter(is_superuser=False, is_active=True):
        others |= {link.key for link in home_links_for(user)}
    assert others - mine == set()


@pytest.fixture
def company(db):
    """Three departments with heads, and a superuser who is an employee of none of them."""
    departments = {}
    for code in ("PROD", "EINK", "VERT"):
        dept = DepartmentFactory(code=code)
        head_user = UserFactory()
        user_roles_set(user=head_user, roles=[roles.DEPARTMENT_HEAD])
        dept.head = EmployeeFactory(department=dept, user=head_user)
        dept.save(update_fields=["head"])
        departments[code] = dept
    return departments


def _worker(department):
    user = UserFactory()
    return EmployeeFactory(department=department, user=user, employment_type="salaried")


@pytest.mark.django_db(transaction=True)
def test_superuser_approves_leave_in_any_department(company, admin_user):
    """A leave request of someone in a department the superuser does not head is theirs to
    decide, as it is the head's."""
    worker = _worker(company["EINK"])
    absence = absence_request(
        user=worker.user, kind=Absence.Kind.VACATION, start_date=MONDAY, end_date=MONDAY
    )
    client = _superuser_client(admin_user)
    waiting = client.get(reverse("hr:absence_approvals")).context["absences"]
    assert absence.pk in {a.pk for a in waiting}
    response = client.post(reverse("hr:absence_decide", args=[absence.pk]), {"decision": "approve"})
    assert response.status_code == 302
    absence.refresh_from_db()
    assert absence.status == Absence.Status.APPROVED
    assert absence.decided_by_id == admin_user.pk


@pytest.mark.django_db(transaction=True)
def test_superuser_records_sick_days_in_any_department(company, admin_user):
    worker = _worker(company["PROD"])
    client = _superuser_client(admin_user)
    response = client.post(
        reverse("hr:absence_sick_record"),
        {
            "personnel_number": worker.personnel_number,
            "start_date": MONDAY.isoformat(),
            "end_date": (MONDAY + datetime.timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    sick = Absence.objects.get(employee=worker, kind=Absence.Kind.SICK)
    assert sick.status == Absence.Status.APPROVED


@pytest.mark.django_db(transaction=True)
def test_superuser_issues_a_warning_in_any_department(company, admin_user):
    worker = _worker(company["VERT"])
    client = _superuser_client(admin_user)
    response = client.post(
        reverse("hr:discipline_create"),
        {
            "personnel_number": worker.personnel_number,
            "kind": DisciplinaryRecord.Kind.VERBAL,
            "date": PAST_DAY.isoformat(),
            "reason": "Late three times",
        },
    )
    assert response.status_code == 302
    record = DisciplinaryRecord.objects.get(employee=worker)
    assert record.issued_by_id == admin_user.pk


@pytest.mark.django_db(transaction=True)
def test_superuser_cannot_decide_their_own_leave(company, admin_user):
    """Deciding one's own leave is a rule about persons: a superuser asks someone else."""
    EmployeeFactory(department=company["PROD"], user=admin_user)
    absence = absence_request(
        user=admin_user, kind=Absence.Kind.VACATION, start_date=MONDAY, end_date=MONDAY
    )
    client = _superuser_client(admin_user)
    response = client.post(reverse("hr:absence_decide", args=[absence.pk]), {"decision": "approve"})
    assert response.status_code == 403
    absence.refresh_from_db()
    assert absence.status == Absence.Status.REQUESTED


@pytest.mark.django_db(transaction=True)
def test_superuser_cannot_approve_a_payroll_run_they_calculated(admin_user):
    """Four eyes: whoever calculated a run does not approve it, a superuser included."""
    schedule = payroll_setup()
    profile(schedule, salary=3000)
    run = payday_run_calculate(period=period_for(schedule), user=admin_user)
    run.refresh_from_db()
    assert run.status == PayrollRun.Status.CALCULATED
    # Nor is the superuser asked to: the notice goes to the others who may approve.
    assert not Notification.objects.filter(user=admin_user).exists()
    client = _superuser_client(admin_user)
    client.post(reverse("payroll:run_approve", args=[run.pk]), {"confirm": "yes"})
    run.refresh_from_db()
    assert run.status == PayrollRun.Status.CALCULATED
    assert run.approved_by_id is None


@pytest.mark.django_db(transaction=True)
def test_superuser_is_asked_to_approve_a_clerks_run_and_approves_it(admin_user, make_user):
    """A run a payroll clerk calculated waits for the superuser too (inbox), who approves it."""
    clerk = make_user(roles.PAYROLL_CLERK)
    schedule = payroll_setup()
    profile(schedule, salary=3000)
    run = payday_run_calculate(period=period_for(schedule), user=clerk)
    notice = Notification.objects.get(user=admin_user)
    assert notice.link == reverse("payroll:run_detail", args=[run.pk])
    client = _superuser_client(admin_user)
    client.post(reverse("payroll:run_approve", args=[run.pk]), {"confirm": "yes"})
    run.refresh_from_db()
    assert run.status == PayrollRun.Status.APPROVED
    assert run.approved_by_id == admin_user.pk


@pytest.mark.django_db(transaction=True)
def test_superuser_cannot_approve_a_payment_they_created(admin_user):
    """Four eyes on payments: the superuser's own payment waits for somebody else."""
    open_year(2026)
    payment = Payment.objects.create(
        direction=Payment.Direction.OUTGOING,
        counterparty="Büroprofi GmbH",
        iban="DE89370400440532013000",
        amount=Decimal("100.00"),
        due_date=datetime.date(2026, 3, 2),
        bank_account=account("1200"),
        counter_account=account("1600"),
        created_by=admin_user,
    )
    client = _superuser_client(admin_user)
    response = client.post(reverse("accounting:payment_approve", args=[payment.pk]))
    assert response.status_code == 302
    payment.refresh_from_db()
    assert payment.status == Payment.Status.DRAFT
    assert payment.approved_by_id is None


@pytest.mark.django_db(transaction=True)
def test_superuser_approves_a_departments_hours_but_not_their_own(company, admin_user):
    """As head of every department the superuser approves the week's hours of a department they
    work in, except their own entries: nobody approves their own hours."""
    own = TimeEntry.objects.create(
        employee=EmployeeFactory(department=company["PROD"], user=admin_user),
        date=MONDAY,
        hours=Decimal(8),
    )
    other = TimeEntry.objects.create(
        employee=_worker(company["PROD"]), date=MONDAY, hours=Decimal(8)
    )
    client = _superuser_client(admin_user)
    week = MONDAY.isocalendar()
    client.post(f"/payroll/hours/approve/?department=PROD&week={week[0]}-W{week[1]:02d}")
    own.refresh_from_db()
    other.refresh_from_db()
    assert other.status == TimeEntry.Status.APPROVED
    assert own.status == TimeEntry.Status.ENTERED


@pytest.mark.django_db(transaction=True)
def test_a_request_nobody_heads_reaches_the_superusers_inbox(admin_user):
    """A department without a head, a company without an HR manager: the leave request is
    still told to someone who may decide it, the superuser, whose inbox links to it."""
    worker = _worker(DepartmentFactory(code="NOHD"))
    absence = absence_request(
        user=worker.user, kind=Absence.Kind.VACATION, start_date=MONDAY, end_date=MONDAY
    )
    notice = Notification.objects.get(user=admin_user)
    assert notice.link == reverse("hr:absence_detail", args=[absence.pk])
    client = _superuser_client(admin_user)
    assert client.get(reverse("inbox")).status_code == 200
    assert client.get(notice.link).context["may_decide"] is True


@pytest.mark.django_db
def test_superuser_reaches_whatever_any_head_of_the_demo_reaches(demo_superuser):
    """Each selector that scopes a head to their department gives the superuser at least the
    union of what the demo's heads get: the superuser acts as head of every department."""
    from django.utils import timezone

    from accounting.reports import budget_scope
    from hr.selectors import department_list_for, departments_led_by, employee_visible_to
    from hr.selectors.absences import (
        absence_visible_to,
        calendar_departments_for,
        employees_decided_by,
        team_calendar,
    )
    from hr.selectors.discipline import discipline_records_visible_to
    from hr.selectors.lifecycle import checklists_open_for, employment_departments_for
    from hr.selectors.training import requirements_due_for

    today = timezone.localdate()
    scopes = {
        "employees": lambda u: employee_visible_to(user=u),
        "decided": lambda u: employees_decided_by(user=u),
        "absences": lambda u: absence_visible_to(user=u),
        "discipline": lambda u: discipline_records_visible_to(user=u),
        "checklists": lambda u: checklists_open_for(user=u),
        "hires_in": lambda u: employment_departments_for(user=u),
        "calendar": lambda u: calendar_departments_for(user=u),
        "hours": lambda u: departments_led_by(user=u),
        "departments": lambda u: department_list_for(user=u),
    }
    heads = get_user_model().objects.filter(employee__headed_departments__isnull=False)
    assert heads.count() >= 5
    for name, scope in scopes.items():
        mine = set(scope(demo_superuser).values_list("pk", flat=True))
        theirs = set()
        for head in heads:
            theirs |= set(scope(head).values_list("pk", flat=True))
        assert theirs, name  # the demo gives the heads something to compare with
        # The superuser's own employee record is the one thing a head may reach and they not.
        own = set(Employee.objects.filter(user=demo_superuser).values_list("pk", flat=True))
        assert theirs - mine - own == set(), name
    due = {
        (r["pk"], r["req_course_id"])
        for r in requirements_due_for(user=demo_superuser, today=today)
    }
    for head in heads:
        assert {
            (r["pk"], r["req_course_id"]) for r in requirements_due_for(user=head, today=today)
        } <= due
    assert budget_scope(user=demo_superuser) is None  # every department's budget
    for department in Department.objects.all():  # the calendar shows everybody, as to a head
        calendar = team_calendar(user=demo_superuser, department=department, month=today)
        assert calendar.whole_department, department.code


@pytest.mark.django_db(transaction=True)
def test_superuser_cannot_issue_a_warning_to_themselves(company, admin_user):
    """Warning oneself is no decision anybody takes: the form says so and nothing is written."""
    own = EmployeeFactory(department=company["VERT"], user=admin_user)
    client = _superuser_client(admin_user)
    response = client.post(
        reverse("hr:discipline_create"),
        {
            "personnel_number": own.personnel_number,
            "kind": DisciplinaryRecord.Kind.VERBAL,
            "date": PAST_DAY.isoformat(),
            "reason": "Late three times",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["personnel_number"] == [
        "You may not issue a record to this employee."
    ]
    assert not DisciplinaryRecord.objects.exists()
