"""Budgets: thresholds notified once, the block and warn policies, commitments, and the
dashboard (what each role sees, the flags, the chart, and its query count)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounting.models import Budget, BudgetAlert, JournalEntry, JournalLine, LedgerBalance
from accounting.services import (
    PostingRefused,
    budget_guard,
    budget_statuses,
    budgets_check,
    commitment_close,
    commitment_open,
)
from backoffice import roles
from backoffice.models import Notification
from tests.accounting.factories import account, open_year, post_expense
from tests.hr.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 30)
URL = "/accounting/budgets/"


@pytest.fixture
def year():
    return open_year(2026)


@pytest.fixture
def department():
    return DepartmentFactory(code="VERT", name="Vertrieb")


@pytest.fixture
def head(make_user, department):
    """A department head who heads ``department``."""
    user = make_user(roles.DEPARTMENT_HEAD, department=department)
    department.head = user.employee
    department.save(update_fields=["head"])
    return user


@pytest.fixture
def accountant(make_user):
    return make_user(roles.ACCOUNTANT)


def _budget(department, year, *, amount="1000.00", number="4930", group="", policy="warn"):
    return Budget.objects.create(
        department=department,
        fiscal_year=year,
        account=None if group else account(number),
        account_group=group,
        amount=Decimal(amount),
        policy=policy,
    )


def _subjects(user):
    return sorted(Notification.objects.filter(user=user).values_list("subject", flat=True))


# --- Thresholds --------------------------------------------------------------------------------


def test_each_threshold_is_notified_once_to_the_head_and_the_accountants(
    year, department, head, accountant, make_user
):
    """Crossing 80 % and then 100 % notifies the department head and every accountant once per
    threshold; running the check again (nightly, after every posting) adds nothing."""
    other_accountant = make_user(roles.ACCOUNTANT)
    staff = make_user(roles.STAFF, department=department)
    budget = _budget(department, year, amount="1000.00")

    post_expense(amount="790.00", department=department)
    assert budgets_check(today=TODAY) == 0
    assert Notification.objects.count() == 0

    post_expense(amount="10.00", department=department)  # 800.00: exactly 80 %
    assert budgets_check(today=TODAY) == 1
    assert budgets_check(today=TODAY) == 0
    for user in (head, accountant, other_accountant):
        subjects = _subjects(user)
        assert len(subjects) == 1
        assert "80" in subjects[0] and "VERT" in subjects[0]
    assert _subjects(staff) == []

    post_expense(amount="250.00", department=department)  # 1,050.00: over 100 %
    assert budgets_check(today=TODAY) == 1
    assert budgets_check(today=TODAY) == 0
    for user in (head, accountant, other_accountant):
        subjects = _subjects(user)
        assert len(subjects) == 2
        assert any("100" in s for s in subjects)
    assert set(BudgetAlert.objects.filter(budget=budget).values_list("threshold", flat=True)) == {
        80,
        100,
    }
    link = Notification.objects.filter(user=head).values_list("link", flat=True).first()
    assert link == reverse("accounting:budget_dashboard")


def test_jumping_past_both_thresholds_sends_both_once(year, department, head, accountant):
    """One posting from 0 to 120 % crosses both thresholds: two alerts, each once."""
    _budget(department, year, amount="100.00")
    post_expense(amount="120.00", department=department)
    assert budgets_check(today=TODAY) == 2
    assert budgets_check(today=TODAY) == 0
    assert len(_subjects(head)) == 2
    assert len(_subjects(accountant)) == 2


# --- Policies ----------------------------------------------------------------------------------


def test_block_policy_refuses_a_posting_over_budget_naming_it_and_writes_nothing(year, department):
    """A posting that would take a blocking budget over its amount is refused with a message
    naming the budget; no entry, line or balance is written."""
    _budget(department, year, amount="100.00", policy=Budget.Policy.BLOCK)
    post_expense(amount="90.00", department=department)
    before = (JournalEntry.objects.count(), JournalLine.objects.count())
    balances = list(LedgerBalance.objects.values_list("debit", "credit").order_by("pk"))

    with pytest.raises(PostingRefused) as info:
        post_expense(amount="10.01", department=department)

    assert "VERT 2026 4930" in str(info.value)
    assert (JournalEntry.objects.count(), JournalLine.objects.count()) == before
    assert list(LedgerBalance.objects.values_list("debit", "credit").order_by("pk")) == balances
    year.refresh_from_db()
    assert year.last_number == 1
    # Up to the budget exactly is allowed.
    post_expense(amount="10.00", department=department)


def test_block_policy_on_an_account_group_covers_its_accounts(year, department):
    """A group budget (49*) blocks spend on any account of the group."""
    _budget(department, year, amount="50.00", group="49", policy=Budget.Policy.BLOCK)
    post_expense(amount="30.00", department=department, expense="4930")
    with pytest.raises(PostingRefused) as info:
        post_expense(amount="30.00", department=department, expense="4920")
    assert "VERT 2026 49*" in str(info.value)


def test_warn_policy_posts_and_warns(year, department, head):
    """Over a warning budget the posting goes through; the guard returns a warning naming the
    budget, and the check records the 100 % alert."""
    _budget(department, year, amount="100.00", policy=Budget.Policy.WARN)
    post_expense(amount="90.00", department=department)

    warnings = budget_guard(
        department=department,
        account=account("4930"),
        amount=Decimal("20.00"),
        date=datetime.date(2026, 3, 20),
    )
    assert len(warnings) == 1
    assert "VERT 2026 4930" in warnings[0]

    entry = post_expense(amount="20.00", department=department)
    assert entry.pk is not None
    (status,) = budget_statuses(fiscal_year=year)
    assert status.actual == Decimal("110.00")
    assert status.percent == 110
    budgets_check(today=TODAY)
    assert BudgetAlert.objects.filter(threshold=100).exists()


# --- Commitments -------------------------------------------------------------------------------


def test_commitments_count_toward_committed_until_closed(year, department):
    """Ordered-but-not-posted spend counts as committed (and toward the thresholds and the
    block policy) until its commitment is closed."""
    budget = _budget(department, year, amount="1000.00", policy=Budget.Policy.BLOCK)
    post_expense(amount="300.00", department=department)
    commitment_open(
        source="inventory.order:1",
        department=department,
        account=account("4930"),
        amount=Decimal("550.00"),
        date=datetime.date(2026, 4, 1),
    )
    (status,) = budget_statuses(fiscal_year=year)
    assert (status.actual, status.committed, status.remaining) == (
        Decimal("300.00"),
        Decimal("550.00"),
        Decimal("150.00"),
    )
    assert status.percent == 85
    assert budgets_check(today=TODAY) == 1  # 80 % reached through the commitment

    with pytest.raises(PostingRefused):
        post_expense(amount="200.00", department=department)
    with pytest.raises(PostingRefused):
        commitment_open(
            source="inventory.order:2",
            department=department,
            account=account("4930"),
            amount=Decimal("200.00"),
            date=datetime.date(2026, 4, 2),
        )

    commitment_close(source="inventory.order:1")
    (status,) = budget_statuses(fiscal_year=year)
    assert status.committed == Decimal("0.00")
    assert budget.pk == status.budget.pk


# --- Dashboard ---------------------------------------------------------------------------------


def test_department_head_sees_only_the_departments_they_head(client, year, department, head):
    """A department head's dashboard holds their own department's budgets, not another's."""
    other = DepartmentFactory(code="PROD", name="Produktion")
    _budget(department, year, amount="1000.00")
    _budget(other, year, amount="5000.00")
    post_expense(amount="100.00", department=other)
    client.force_login(head)

    response = client.get(URL, {"year": 2026})

    assert response.status_code == 200
    shown = {row["status"].budget.department.code for row in response.context["rows"]}
    assert shown == {"VERT"}
    assert [d["totals"].code for d in response.context["departments"]] == ["VERT"]
    assert "PROD" not in response.content.decode()


def test_department_head_without_a_department_sees_no_budgets(client, make_user, year):
    """The role alone shows nothing: budgets are scoped to departments actually headed."""
    _budget(DepartmentFactory(), year)
    client.force_login(make_user(roles.DEPARTMENT_HEAD))
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["heads_none"] is True
    assert response.context["rows"] == []


@pytest.mark.parametrize("role", [roles.ACCOUNTANT, roles.AUDITOR])
def test_accountants_and_auditors_see_every_department(client, make_user, year, role):
    """Accountants and auditors see the budgets of all departments."""
    for code in ("AAA", "BBB", "CCC"):
        _budget(DepartmentFactory(code=code), year)
    client.force_login(make_user(role))
    response = client.get(URL)
    assert response.status_code == 200
    assert [d["totals"].code for d in response.context["departments"]] == ["AAA", "BBB", "CCC"]


def test_dashboard_flags_rows_from_80_and_from_100_percent_and_draws_the_chart(
    client, accountant, year
):
    """Rows at 80 % and more are flagged, at 100 % and more flagged stronger; the chart is an
    inline SVG without style attributes (the CSP forbids them) carrying each department."""
    low, warn, over = (DepartmentFactory(code=c) for c in ("LOW", "WARN", "OVER"))
    for dept, spend in ((low, "79.99"), (warn, "80.00"), (over, "100.00")):
        _budget(dept, year, amount="100.00")
        post_expense(amount=spend, department=dept)
    client.force_login(accountant)

    response = client.get(URL, {"year": 2026})

    levels = {
        row["status"].budget.department.code: row["level"] for row in response.context["rows"]
    }
    assert levels == {"LOW": "", "WARN": "warn", "OVER": "over"}
    html = response.content.decode()
    assert 'class="budget-row budget-over"' in html
    assert 'class="budget-row budget-warn"' in html
    chart = str(response.context["chart"])
    assert chart.startswith("<svg") and chart.endswith("</svg>")
    assert "style=" not in chart and "<script" not in chart
    for code in ("LOW", "WARN", "OVER"):
        assert code in chart


def test_dashboard_chart_escapes_department_names(client, accountant, year):
    """A department name is text in the SVG, never markup."""
    _budget(DepartmentFactory(code="X", name='<script>alert("x")</script>'), year)
    client.force_login(accountant)
    chart = str(client.get(URL).context["chart"])
    assert "<script>" not in chart
    assert "&lt;script&gt;" in chart


@pytest.mark.parametrize(
    "role", [roles.STAFF, roles.DATA_ENTRY_CLERK, roles.PAYROLL_CLERK, roles.HR_MANAGER]
)
def test_roles_without_budget_permission_get_403(client, make_user, year, role):
    """Staff and other roles without accounting.view_budget are refused."""
    client.force_login(make_user(role))
    assert client.get(URL).status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_bad_year_is_a_message_not_an_error(client, accountant, year):
    """An unknown or malformed year is answered with the form's message (400), never a 500."""
    client.force_login(accountant)
    for value in ("1999", "abc"):
        response = client.get(URL, {"year": value})
        assert response.status_code == 400
        assert response.context["form"].errors


def test_dashboard_without_any_fiscal_year_says_so(client, accountant):
    client.force_login(accountant)
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["form"].no_fiscal_year


def _measure(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("who", ["accountant", "head"])
def test_dashboard_query_count_does_not_grow_with_budgets_or_lines(
    client, year, department, head, accountant, who
):
    """The dashboard costs as many queries with 3 budgets and 6 lines as with 12 budgets in
    more departments and 60 lines: sums come from the running balances."""
    client.force_login(head if who == "head" else accountant)
    _budget(department, year, amount="1000.00")
    for _i in range(3):
        post_expense(amount="10.00", department=department)
    _budget(DepartmentFactory(), year)
    _budget(DepartmentFactory(), year)
    small = _measure(client, URL)

    for number in ("4920", "4940", "4945", "4964"):
        _budget(department, year, amount="1000.00", number=number)
    for dept in DepartmentFactory.create_batch(5):
        _budget(dept, year)
        for _i in range(5):
            post_expense(amount="1.00", department=dept)
    for _i in range(2):
        post_expense(amount="10.00", department=department, expense="4920")
    large = _measure(client, URL)

    assert large == small


def test_chart_scales_bars_to_a_round_maximum():
    """Bars are proportional: on a scale ending at 100, a budget of 100 fills the plot
    width and 50 actual half of it; gridlines fall on round values."""
    from accounting.charts import WIDTH, ChartRow, Series, nice_step, stacked_bar_chart

    assert nice_step(Decimal("4227188")) == Decimal("5000000")
    assert nice_step(Decimal("25")) == Decimal("25")
    assert nice_step(Decimal("0.3")) == Decimal("0.5")
    svg = stacked_bar_chart(
        rows=[
            ChartRow(
                label="VERT",
                title="Vertrieb",
                reference=Decimal("100.00"),
                parts=(Decimal("50.00"), Decimal("0.00")),
                value_text="50 %",
            )
        ],
        reference=Series("Budget", "#999"),
        parts=(Series("Actual", "#00f"), Series("Committed", "#f90")),
        title="Test",
        format_value=str,
    )
    plot_width = WIDTH - 170 - 150
    assert f'width="{plot_width}.0" height="10"' in svg
    assert f'width="{plot_width // 2}.0" height="18"' in svg
    assert ">75.0<" in svg  # the gridlines: 0, 25, 50, 75, 100
