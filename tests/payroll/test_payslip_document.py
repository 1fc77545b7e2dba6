"""A payslip a German employee accepts (issue 9, item 4): the employer's name and address, the
employee's address, birth date, tax ID, social-insurance number and tax class from the
personnel file, year-to-date totals over the calendar year, the employee's own language; and
the cheque's amount in words and figures in its payee's language."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.formats import date_format
from weasyprint import HTML

from backoffice import roles
from backoffice.models import UserPreference
from payroll import pdf
from payroll.models import (
    Cheque,
    DeductionRule,
    PayrollChunk,
    PayrollRun,
    Payslip,
    PayslipLine,
)
from payroll.selectors import payslip_year_to_date
from payroll.services import publish
from payroll.services.payday import (
    payday_run_approve,
    payday_run_calculate,
    payday_run_pay,
    payroll_settings,
)
from tests.hr.personnel_file_helpers import personnel_file
from tests.payroll.factories import payroll_setup, period_for, profile, speaks

pytestmark = pytest.mark.django_db

JANUARY = datetime.date(2026, 1, 1)
FEBRUARY = datetime.date(2026, 2, 1)
MARCH = datetime.date(2026, 3, 1)


@pytest.fixture
def pay_month(make_user, django_capture_on_commit_callbacks):
    """Calculate (and unless ``pay=False``, approve and pay) one month through the services."""
    calculator, approver = make_user(roles.PAYROLL_CLERK), make_user(roles.ACCOUNTANT)

    def pay(schedule, day, *, pay=True):
        with django_capture_on_commit_callbacks(execute=True):
            run = payday_run_calculate(period=period_for(schedule, day=day), user=calculator)
        run.refresh_from_db()
        assert run.status == PayrollRun.Status.CALCULATED, run.error
        if pay:
            payday_run_approve(run=run, user=approver)
            with django_capture_on_commit_callbacks(execute=True):
                payday_run_pay(run=run, user=approver)
        return run

    return pay


def company_address(**fields):
    company = payroll_settings()
    values = {
        "company_street": "Musterstraße 12",
        "company_postal_code": "10115",
        "company_city": "Berlin",
        **fields,
    }
    for name, value in values.items():
        setattr(company, name, value)
    company.save(update_fields=list(values))
    return company


def one_off_payment(slip: Payslip, *, gross: str, tax: str, social: str, paid_at) -> Payslip:
    """A paid off-cycle payment (a bonus or a correction) in the period of ``slip``, written
    directly as the background of a year-to-date test."""
    run = PayrollRun.objects.create(
        period=slip.period, kind=PayrollRun.Kind.OFF_CYCLE, status="paid", paid_at=paid_at
    )
    chunk = PayrollChunk.objects.create(run=run, index=0, employee_ids=[slip.employee_id])
    deductions = Decimal(tax) + Decimal(social)
    extra = Payslip.objects.create(
        run=run,
        chunk=chunk,
        period=slip.period,
        pays_period=False,
        employee=slip.employee,
        department=slip.department,
        pay_method=slip.pay_method,
        gross=Decimal(gross),
        deductions=deductions,
        net=Decimal(gross) - deductions,
        employer_contributions=Decimal("0.00"),
        published_at=paid_at,
    )
    PayslipLine.objects.bulk_create(
        [
            PayslipLine(payslip=extra, kind="earning", code="BONUS", label="Bonus", amount=gross),
            PayslipLine(payslip=extra, kind="deduction", code="LST", label="LSt", amount=tax),
            PayslipLine(payslip=extra, kind="deduction", code="RV", label="RV", amount=social),
        ]
    )
    return extra


# --- Employer and employee -----------------------------------------------------------------


def test_payslip_names_employer_and_the_employees_personal_data_in_full(pay_month):
    """The employer's name and address, the employee's address, birth date, hire date, tax
    class, church tax, tax ID and social-insurance number, as § 1 EBV asks: the two numbers in
    full (the document goes only to the employee and payroll); the IBAN stays masked."""
    schedule = payroll_setup()
    company_address()
    employee = profile(schedule, salary="3000.00").employee
    file = personnel_file(employee, church_tax=True)
    speaks(employee, "en")
    run = pay_month(schedule, MARCH)
    slip = Payslip.objects.get(run=run)

    html = pdf.payslip_html(slip)

    assert "Backoffice GmbH" in html
    assert '<div class="company-address">Musterstraße 12, 10115 Berlin</div>' in html
    assert '<dd class="employee-address">Lindenstraße 5, 10115 Berlin</dd>' in html
    with translation.override("en"):
        born = date_format(file.birth_date, "SHORT_DATE_FORMAT")
        hired = date_format(employee.hire_date, "SHORT_DATE_FORMAT")
    assert f'<dd class="birth-date">{born}</dd>' in html
    assert f'<dd class="hire-date">{hired}</dd>' in html
    assert '<dd class="tax-class">I · church tax</dd>' in html
    assert f'<dd class="tax-id">{file.tax_id}</dd>' in html
    assert f'<dd class="social-insurance-number">{file.social_insurance_number}</dd>' in html
    assert "DE89 **** **** **** **30 00" in html
    assert "DE89370400440532013000" not in html
    document = HTML(
        string=html, base_url=pdf.STATIC_BASE_URL, url_fetcher=pdf.StaticOnlyFetcher()
    ).render()
    assert len(document.pages) == 1  # still one A4 page with everything on it


def test_payslip_without_a_personnel_file_still_renders(pay_month):
    """Missing personal data is left out, not a failed document."""
    schedule = payroll_setup()
    profile(schedule, salary="3000.00")
    run = pay_month(schedule, MARCH)
    html = pdf.payslip_html(Payslip.objects.get(run=run))
    assert 'class="tax-id"' not in html
    assert 'class="hire-date"' in html
    assert pdf.render_payslip_pdf(Payslip.objects.get(run=run)).startswith(b"%PDF")


# --- Year to date --------------------------------------------------------------------------


def test_year_to_date_over_two_paid_months_a_one_off_payment_and_a_preview(pay_month):
    """January shows January; February adds February; a one-off payment paid after
    February's run counts on its own payslip, not on February's earlier one; March, still a
    preview before Pay, counts everything paid this year plus itself. Tax is wage and church
    tax, social insurance the employee's shares (RV here), from the rules' categories."""
    schedule = payroll_setup()
    employee = profile(schedule, salary="3000.00").employee
    january = Payslip.objects.get(run=pay_month(schedule, JANUARY))
    february = Payslip.objects.get(run=pay_month(schedule, FEBRUARY))
    bonus = one_off_payment(
        february, gross="500.00", tax="75.00", social="46.50", paid_at=timezone.now()
    )
    march = Payslip.objects.get(run=pay_month(schedule, MARCH, pay=False))
    # 3,000.00 a month: RV 9.3 % = 279.00, wage tax 15 % = 450.00, net 2,271.00.
    assert (january.gross, january.net) == (Decimal("3000.00"), Decimal("2271.00"))

    totals = payslip_year_to_date(payslip_ids=[january.pk, february.pk, bonus.pk, march.pk])

    assert totals[january.pk].year == 2026
    assert (totals[january.pk].gross, totals[january.pk].tax) == (
        Decimal("3000.00"),
        Decimal("450.00"),
    )
    assert totals[january.pk].social_insurance == Decimal("279.00")
    assert totals[january.pk].net == Decimal("2271.00")
    assert totals[february.pk].gross == Decimal("6000.00")
    assert totals[february.pk].net == Decimal("4542.00")
    assert totals[bonus.pk].gross == Decimal("6500.00")
    assert totals[bonus.pk].tax == Decimal("975.00")
    assert totals[bonus.pk].social_insurance == Decimal("604.50")
    assert totals[bonus.pk].net == Decimal("4920.50")
    assert totals[march.pk].gross == Decimal("9500.00")
    assert totals[march.pk].tax == Decimal("1425.00")
    assert totals[march.pk].social_insurance == Decimal("883.50")
    assert totals[march.pk].net == Decimal("7191.50")
    assert employee.pk == march.employee_id


def test_year_to_date_starts_again_in_january_and_ignores_unpaid_runs(pay_month):
    """December of the year before does not count; nor does a run calculated but not paid
    (it may still be calculated again), except on its own payslip."""
    schedule = payroll_setup(year=2025)
    payroll_setup(year=2026)
    profile(schedule, salary="3000.00")
    december = Payslip.objects.get(run=pay_month(schedule, datetime.date(2025, 12, 1)))
    january = Payslip.objects.get(run=pay_month(schedule, JANUARY, pay=False))
    february = Payslip.objects.get(run=pay_month(schedule, FEBRUARY, pay=False))

    totals = payslip_year_to_date(payslip_ids=[december.pk, january.pk, february.pk])

    assert (totals[december.pk].year, totals[december.pk].gross) == (2025, Decimal("3000.00"))
    assert (totals[january.pk].year, totals[january.pk].gross) == (2026, Decimal("3000.00"))
    assert totals[february.pk].gross == Decimal("3000.00")


def test_year_to_date_on_the_payslip(pay_month):
    schedule = payroll_setup()
    employee = profile(schedule, salary="3000.00").employee
    speaks(employee, "en")
    pay_month(schedule, JANUARY)
    february = Payslip.objects.get(run=pay_month(schedule, FEBRUARY))

    html = pdf.payslip_html(february)

    assert "Year to date 2026" in html
    assert '<td class="num ytd-gross">€6,000.00</td>' in html
    assert '<td class="num ytd-tax">€900.00</td>' in html
    assert '<td class="num ytd-social">€558.00</td>' in html
    assert '<td class="num ytd-net">€4,542.00</td>' in html


def test_a_batch_of_payslips_costs_the_same_queries_as_one(pay_month):
    """Personal data, year to date and language are read per batch: five queries for one
    payslip and for six."""
    schedule = payroll_setup()
    for i in range(6):
        employee = profile(schedule, salary="3000.00", iban_index=i).employee
        personnel_file(employee)
    pay_month(schedule, JANUARY)
    run = pay_month(schedule, FEBRUARY)
    slips = list(Payslip.objects.filter(run=run).order_by("pk"))
    assert len(slips) == 6

    with CaptureQueriesContext(connection) as one:
        pdf.payslip_contexts(slips[:1])
    with CaptureQueriesContext(connection) as six:
        contexts = pdf.payslip_contexts(slips)
        for slip in slips:
            with translation.override(contexts[slip.pk]["language"]):
                pdf.payslip_html(slip, context=contexts[slip.pk])

    assert len(one) == len(six) == 5
    assert all(c["year_to_date"].gross == Decimal("6000.00") for c in contexts.values())


def test_background_rendering_reads_once_per_batch(pay_month, monkeypatch):
    """The task that stores a run's PDFs asks for the payslips' data once per batch."""
    schedule = payroll_setup()
    for i in range(3):
        profile(schedule, salary="3000.00", iban_index=i)
    run = pay_month(schedule, MARCH)
    Payslip.objects.filter(run=run).update(pdf="")
    batches = []
    real = publish.payslip_contexts

    def spy(payslips):
        batches.append(len(payslips))
        return real(payslips)

    monkeypatch.setattr(publish, "payslip_contexts", spy)
    monkeypatch.setattr(pdf, "html_to_pdf", lambda html, **kw: b"%PDF-1.7 " + html.encode())

    assert publish.payslip_pdfs_render(run_id=run.pk) == (3, None)
    assert batches == [3]
    for slip in Payslip.objects.filter(run=run):
        with slip.pdf.open("rb") as handle:
            assert b"Jahressummen 2026" in handle.read()


# --- Language ------------------------------------------------------------------------------


def test_payslip_is_written_in_the_employees_language(pay_month):
    """Whatever language the clerk or the task speaks: an employee who chose English gets an
    English payslip, one who chose German a German one, one without a login the payroll
    settings' language."""
    schedule = payroll_setup()
    english, german, no_login = (
        profile(schedule, salary="3000.00", iban_index=i).employee for i in range(3)
    )
    speaks(english, "en")
    speaks(german, "de")
    run = pay_month(schedule, MARCH)
    slips = {s.employee_id: s for s in Payslip.objects.filter(run=run)}

    with translation.override("de"):
        english_html = pdf.payslip_html(slips[english.pk])
    with translation.override("en"):
        german_html = pdf.payslip_html(slips[german.pk])
        default_html = pdf.payslip_html(slips[no_login.pk])

    assert '<html lang="en">' in english_html
    assert "Payslip" in english_html and "Net pay" in english_html
    assert "€2,271.00" in english_html
    assert "Entgeltabrechnung" not in english_html
    assert '<html lang="de">' in german_html
    assert "Nettoentgelt" in german_html
    assert "2.271,00\u00a0€" in german_html
    assert "Net pay" not in german_html
    assert '<html lang="de">' in default_html

    company = payroll_settings()
    company.document_language = "en"
    company.save(update_fields=["document_language"])
    with translation.override("de"):
        assert '<html lang="en">' in pdf.payslip_html(slips[no_login.pk])
        assert '<html lang="de">' in pdf.payslip_html(slips[german.pk])


def test_an_unknown_stored_language_falls_back_to_the_default(pay_month):
    schedule = payroll_setup()
    employee = profile(schedule, salary="3000.00").employee
    user = speaks(employee, "en")
    UserPreference.objects.filter(user=user).update(language="xx")
    run = pay_month(schedule, MARCH)
    with translation.override("en"):
        assert '<html lang="de">' in pdf.payslip_html(Payslip.objects.get(run=run))


# --- Cheques -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "language", "words"),
    [
        ("1234.56", "de", "eintausendzweihundertvierunddreißig Euro und 56 Cent"),
        ("1234.56", "en", "one thousand, two hundred and thirty-four euros and 56 cents"),
        ("1.01", "de", "ein Euro und 1 Cent"),
        ("1.01", "en", "one euro and 1 cent"),
        ("101.00", "de", "einhundertein Euro und 0 Cent"),
        ("2000.00", "en", "two thousand euros and 0 cents"),
        ("0.99", "de", "null Euro und 99 Cent"),
    ],
)
def test_amount_in_words(amount, language, words):
    assert pdf.amount_in_words(Decimal(amount), language=language) == words


def test_cheque_states_the_amount_in_words_in_the_payees_language(pay_month):
    """Each cheque in its payee's language: words and figures, the employer's address."""
    schedule = payroll_setup()
    company_address()
    english = profile(schedule, salary="1500.00", pay_method="cheque", iban="").employee
    german = profile(schedule, salary="1600.00", pay_method="cheque", iban="").employee
    speaks(english, "en")
    speaks(german, "de")
    run = pay_month(schedule, MARCH)
    to_english = Cheque.objects.get(payslip__employee=english)
    to_german = Cheque.objects.get(payslip__employee=german)
    # 1,500.00 less 9.3 % and 15 %: 1,135.50; 1,600.00: 1,211.20.
    assert (to_english.amount, to_german.amount) == (Decimal("1135.50"), Decimal("1211.20"))

    html = pdf.cheques_html(run)

    english_part, german_part = (
        html.split(f"Cheque no. {to_english.number}")[1].split("</section>")[0],
        html.split(f"Scheck Nr. {to_german.number}")[1].split("</section>")[0],
    )
    assert "one thousand, one hundred and thirty-five euros and 50 cents" in english_part
    assert "€1,135.50" in english_part
    assert "In words" in english_part
    assert "eintausendzweihundertelf Euro und 20 Cent" in german_part
    assert "1.211,20\u00a0€" in german_part
    assert "In Worten" in german_part
    assert "Musterstraße 12, 10115 Berlin" in english_part
    assert pdf.render_cheques_pdf(run).startswith(b"%PDF")


def test_demo_company_has_an_address():
    """The demo seeds the employer's address printed on payslips and cheques."""
    from payroll.demo import seed_payroll_config

    payroll_setup()
    seed_payroll_config()
    company = payroll_settings()
    assert pdf.company_address_lines(company) == ["Musterstraße 12", "10115 Berlin"]
    # KV, AV and PV come from the demo preset (the test setup has RV, LST and KIST only).
    assert set(
        DeductionRule.objects.filter(code__in=["KV", "AV", "PV"]).values_list("category", flat=True)
    ) == {"social"}


# --- The employer's data in the admin ------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_payroll_sets_the_employers_address_and_document_language_in_the_admin(client, make_user):
    """The address and the document language save at once (they are not the paying account:
    no second person needed); an unknown language is refused with nothing saved."""
    from payroll.models import CompanyAccountChange, PayrollSettings

    payroll_setup()
    client.force_login(make_user(roles.PAYROLL_CLERK))
    company = PayrollSettings.objects.get()
    url = f"/admin/payroll/payrollsettings/{company.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {k: form[k].value() for k in form.fields if form[k].value() is not None}

    refused = client.post(url, {**data, "company_city": "Köln", "document_language": "xx"})
    assert refused.status_code == 200
    assert "document_language" in refused.context["adminform"].form.errors
    assert PayrollSettings.objects.get().company_city == ""

    data.update(
        company_street="Domkloster 4",
        company_postal_code="50667",
        company_city="Köln",
        document_language="en",
    )
    saved = client.post(url, data)
    assert saved.status_code == 302, saved.context["adminform"].form.errors
    company.refresh_from_db()
    assert pdf.company_address_lines(company) == ["Domkloster 4", "50667 Köln"]
    assert company.document_language == "en"
    assert not CompanyAccountChange.objects.exists()
