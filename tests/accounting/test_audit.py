"""Internal audit: each check finds its case and stays quiet on clean data, findings are raised
once however often the checks run, move open -> acknowledged -> resolved (with a comment) and
are never deleted, and only auditors act on them."""

import datetime
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounting import audit
from accounting.audit import AuditFinding, audit_run, register_check
from accounting.models import Finding, Payment
from accounting.services import journal_entry_reverse
from accounting.services.audit import finding_acknowledge, finding_resolve
from accounting.tasks import audit_run as audit_run_task
from accounting.views.audit import PAGE_SIZE
from backoffice import roles
from tests.accounting.factories import account, open_year, post_expense

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def year():
    return open_year(2026)


@pytest.fixture
def auditor(make_user):
    return make_user(roles.AUDITOR)


def keys(code: str) -> set[str]:
    return set(Finding.objects.filter(check_code=code).values_list("key", flat=True))


def make_payment(*, user, counterparty="Büroprofi GmbH", amount="100.00", due=(2026, 3, 1), **kw):
    """A payment row as background data (the four-eyes rules live in the payment service)."""
    return Payment.objects.create(
        direction=kw.pop("direction", Payment.Direction.OUTGOING),
        counterparty=counterparty,
        iban="DE89370400440532013000",
        amount=Decimal(amount),
        due_date=datetime.date(*due),
        bank_account=account("1200"),
        counter_account=account("1600"),
        created_by=user,
        **kw,
    )


def make_finding(**kw) -> Finding:
    fields = {
        "check_code": "round_amounts",
        "key": f"entry:{Finding.objects.count() + 1}",
        "title": "Runder Betrag",
        "severity": Finding.Severity.LOW,
        "evidence_url": "/admin/accounting/journalentry/1/change/",
    }
    return Finding.objects.create(**{**fields, **kw})


def tamper(entry, amount="2000.00"):
    """Change a posted line behind the trigger's back (inside the test's transaction)."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE accounting_journalline DISABLE TRIGGER journalline_immutable")
        cursor.execute(
            "UPDATE accounting_journalline SET amount = %s WHERE entry_id = %s",
            [Decimal(amount), entry.pk],
        )
        cursor.execute("ALTER TABLE accounting_journalline ENABLE TRIGGER journalline_immutable")


# --- The checks -------------------------------------------------------------------------------


def test_ledger_chain_quiet_when_intact_and_names_the_first_tampered_entry(year):
    """A clean ledger raises nothing; a changed line raises one high finding on that entry,
    linked to it in the admin."""
    post_expense(amount="10.00")
    tampered = post_expense(amount="20.00")
    post_expense(amount="30.00")
    assert audit_run(codes=["ledger_chain"]).new == 0
    tamper(tampered)
    assert audit_run(codes=["ledger_chain"]).new == 1
    finding = Finding.objects.get(check_code="ledger_chain")
    assert finding.key == f"entry:{tampered.pk}"
    assert finding.severity == Finding.Severity.HIGH
    assert f"2026/{tampered.number}" in finding.title
    assert finding.evidence_url == reverse(
        "admin:accounting_journalentry_change", args=[tampered.pk]
    )


def test_duplicate_payments_same_counterparty_and_amount_within_14_days(make_user, year):
    """Same counterparty (case and spaces aside) and amount at most 14 days apart is a
    duplicate; another amount, another counterparty, a later date or a cancelled payment is
    not."""
    user = make_user(roles.ACCOUNTANT)
    first = make_payment(user=user, due=(2026, 3, 1))
    second = make_payment(user=user, counterparty=" BÜROPROFI GmbH", due=(2026, 3, 15))
    make_payment(user=user, due=(2026, 4, 30))  # 46 days after the second
    make_payment(user=user, amount="100.01", due=(2026, 3, 2))
    make_payment(user=user, counterparty="Druckerei Lehmann", due=(2026, 3, 2))
    make_payment(user=user, due=(2026, 3, 3), status=Payment.Status.CANCELLED)
    make_payment(user=user, due=(2026, 3, 3), direction=Payment.Direction.INCOMING)

    assert audit_run(codes=["duplicate_payments"]).new == 1
    assert keys("duplicate_payments") == {f"payment:{second.pk}"}
    finding = Finding.objects.get(check_code="duplicate_payments")
    assert str(first.pk) in finding.title
    assert finding.evidence_url == reverse("admin:accounting_payment_change", args=[second.pk])


def test_duplicate_payments_quiet_on_clean_data(make_user, year):
    user = make_user(roles.ACCOUNTANT)
    make_payment(user=user, due=(2026, 3, 1))
    make_payment(user=user, due=(2026, 3, 16))  # 15 days later
    make_payment(user=user, amount="250.00", due=(2026, 3, 2))
    assert audit_run(codes=["duplicate_payments"]).new == 0


def test_self_approved_payment_found_when_the_constraint_was_bypassed(make_user, year):
    """The database refuses a creator approving their own payment; a row that came in with the
    constraint disabled (a legacy import) is still found."""
    creator, other = make_user(roles.ACCOUNTANT), make_user(roles.ACCOUNTANT)
    make_payment(user=creator, approved_by=other, status=Payment.Status.POSTED)
    assert audit_run(codes=["self_approved_payment"]).new == 0

    with pytest.raises(IntegrityError), transaction.atomic():
        make_payment(user=creator, approved_by=creator)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE accounting_payment DROP CONSTRAINT payment_four_eyes")
    legacy = make_payment(user=creator, approved_by=creator, status=Payment.Status.POSTED)

    assert audit_run(codes=["self_approved_payment"]).new == 1
    finding = Finding.objects.get(check_code="self_approved_payment")
    assert finding.key == f"payment:{legacy.pk}"
    assert finding.severity == Finding.Severity.HIGH
    assert creator.username in finding.title


def test_round_amounts_at_or_above_the_threshold(year, make_user, settings):
    """Multiples of 1,000.00 from 10,000.00 up are found, once per entry; smaller or uneven
    amounts and reversals are not; the threshold is a setting."""
    flagged = post_expense(amount="10000.00")
    larger = post_expense(amount="11000.00")
    post_expense(amount="9000.00")
    post_expense(amount="12345.00")
    post_expense(amount="10000.50")
    journal_entry_reverse(entry=flagged, date=datetime.date(2026, 4, 1), user=make_user())

    assert audit_run(codes=["round_amounts"]).new == 2
    assert keys("round_amounts") == {f"entry:{flagged.pk}", f"entry:{larger.pk}"}

    settings.AUDIT_ROUND_AMOUNT_THRESHOLD = Decimal("50000.00")
    post_expense(amount="20000.00")
    assert audit_run(codes=["round_amounts"]).new == 0


def post_at(local: datetime.datetime, amount: str, **kw):
    """Post an entry with the clock at ``local`` Berlin time."""
    when = local.replace(tzinfo=BERLIN).astimezone(datetime.UTC)
    with mock.patch("django.utils.timezone.now", return_value=when):
        return post_expense(amount=amount, **kw)


def test_after_hours_postings_above_the_threshold(year):
    """Weekends and outside 07:00-20:00 Berlin time (summer and winter time) above 5,000.00
    are found; business hours, or amounts at the threshold, are not."""
    saturday = post_at(datetime.datetime(2026, 3, 14, 11, 0), "6000.00")
    early = post_at(datetime.datetime(2026, 7, 15, 6, 59), "5000.01")
    late = post_at(datetime.datetime(2026, 3, 16, 20, 0), "7500.00")
    post_at(datetime.datetime(2026, 7, 15, 7, 0), "9000.00")
    post_at(datetime.datetime(2026, 3, 16, 19, 59), "9000.00")
    post_at(datetime.datetime(2026, 3, 14, 11, 0), "5000.00")

    assert audit_run(codes=["after_hours"]).new == 3
    assert keys("after_hours") == {f"entry:{e.pk}" for e in (saturday, early, late)}
    assert "06:59" in Finding.objects.get(key=f"entry:{early.pk}").title


def test_after_hours_quiet_on_business_hours(year):
    post_at(datetime.datetime(2026, 3, 16, 10, 0), "50000.00")
    assert audit_run(codes=["after_hours"]).new == 0


def test_system_postings_at_3_am_are_not_after_hours(year, make_user):
    """The demo seeder and a payroll run post when the software runs: at 3 a.m. that is no
    finding. A person's posting at the same hour is."""
    clerk = make_user(roles.PAYROLL_CLERK)
    night = datetime.datetime(2026, 3, 17, 3, 0)
    post_at(night, "80000.00", source="payroll.run:41", user=clerk)
    post_at(night, "90000.00", source="demo:2026:3:7")
    person = post_at(night, "6000.00", source="accounting.payment:12", user=clerk)

    assert audit_run(codes=["after_hours"]).new == 1
    assert keys("after_hours") == {f"entry:{person.pk}"}


def test_a_payroll_runs_computed_sums_are_not_round_amounts(year, make_user):
    """A payroll run's entry sums salaries, round when the salaries are: no finding. The
    demo's round consulting fee (posted by the seeder, an amount a person chose) still is."""
    post_expense(amount="77000.00", source="payroll.run:7", user=make_user())
    chosen = post_expense(amount="20000.00", source="demo:2026:2:32")

    assert audit_run(codes=["round_amounts"]).new == 1
    assert keys("round_amounts") == {f"entry:{chosen.pk}"}


def test_a_second_run_updates_the_finding_it_found_before(year):
    """Running the checks again finds the same entry: the finding stays one, keeps its
    title, status and creation, and records when it was last seen."""
    entry = post_at(datetime.datetime(2026, 3, 14, 11, 0), "6000.00")
    first_run = datetime.datetime(2026, 3, 20, 9, 0, tzinfo=BERLIN)
    with mock.patch("django.utils.timezone.now", return_value=first_run):
        assert audit_run().new == 1
    finding = Finding.objects.get(check_code="after_hours")
    assert finding.key == f"entry:{entry.pk}" and finding.last_seen_at == first_run
    count = Finding.objects.count()

    second_run = first_run + datetime.timedelta(days=1)
    with mock.patch("django.utils.timezone.now", return_value=second_run):
        assert audit_run().new == 0
    assert Finding.objects.count() == count
    again = Finding.objects.get(pk=finding.pk)
    assert again.last_seen_at == second_run
    assert (again.title, again.status, again.created_at) == (
        finding.title,
        finding.status,
        finding.created_at,
    )


def test_running_the_checks_twice_adds_no_duplicates(make_user, year):
    """The nightly task may run twice (a second delivery): each finding is raised once."""
    user = make_user(roles.ACCOUNTANT)
    make_payment(user=user, due=(2026, 3, 1))
    make_payment(user=user, due=(2026, 3, 5))
    post_expense(amount="10000.00")
    first = audit_run_task.delay().get()
    assert first >= 2
    count = Finding.objects.count()
    assert audit_run_task.delay().get() == 0
    assert audit_run().new == 0
    assert Finding.objects.count() == count


def test_another_app_registers_its_own_check_and_a_failing_check_is_skipped(monkeypatch, year):
    """Checks come from a registry (payroll adds its own later without accounting importing
    it); one check that fails does not stop the others."""
    monkeypatch.setattr(audit, "_checks", dict(audit._checks))

    def payroll_check():
        yield AuditFinding(key="run:7", title="Lohnlauf doppelt", severity="medium")
        yield AuditFinding(key="run:7", title="Lohnlauf doppelt", severity="medium")

    def broken():
        raise RuntimeError("boom")

    register_check("payroll_double_run", "Double payroll run", payroll_check)
    register_check("aaa_broken", "Broken", broken)
    result = audit_run()
    assert result.failed == ["aaa_broken"]
    assert keys("payroll_double_run") == {"run:7"}
    assert result.new == 1


# --- Transitions ------------------------------------------------------------------------------


def test_finding_moves_open_acknowledged_resolved(auditor):
    finding = make_finding()
    finding = finding_acknowledge(finding=finding, user=auditor)
    assert finding.status == Finding.Status.ACKNOWLEDGED
    assert finding.acknowledged_by == auditor
    with pytest.raises(ValidationError):
        finding_acknowledge(finding=finding, user=auditor)
    finding = finding_resolve(finding=finding, user=auditor, comment="Beleg nachgereicht.")
    finding.refresh_from_db()
    assert finding.status == Finding.Status.RESOLVED
    assert finding.comment == "Beleg nachgereicht."
    assert finding.resolved_by == auditor and finding.resolved_at is not None
    with pytest.raises(ValidationError):
        finding_resolve(finding=finding, user=auditor, comment="noch einmal")
    with pytest.raises(ValidationError):
        finding_acknowledge(finding=finding, user=auditor)


def test_open_finding_may_be_resolved_directly_but_never_without_a_comment(auditor):
    finding = make_finding()
    with pytest.raises(ValidationError) as info:
        finding_resolve(finding=finding, user=auditor, comment="   ")
    assert "comment" in info.value.message_dict
    finding.refresh_from_db()
    assert finding.status == Finding.Status.OPEN
    finding_resolve(finding=finding, user=auditor, comment="Kein Befund.")
    finding.refresh_from_db()
    assert finding.status == Finding.Status.RESOLVED


def test_findings_are_never_deleted_the_database_refuses(auditor):
    """The trigger refuses DELETE, from the ORM and from raw SQL alike."""
    finding = make_finding()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM accounting_finding WHERE id = %s", [finding.pk])
    with pytest.raises(IntegrityError), transaction.atomic():
        Finding.objects.filter(pk=finding.pk).delete()
    assert Finding.objects.filter(pk=finding.pk).exists()


# --- Views ------------------------------------------------------------------------------------


def _urls(pk: int) -> list[tuple[str, str]]:
    return [
        ("get", reverse("accounting:finding_list")),
        ("get", reverse("accounting:finding_detail", args=[pk])),
        ("post", reverse("accounting:finding_acknowledge", args=[pk])),
        ("post", reverse("accounting:finding_resolve", args=[pk])),
        ("post", reverse("accounting:audit_run")),
        ("get", reverse("accounting:ledger_verify")),
    ]


@pytest.mark.parametrize("role", [roles.STAFF, roles.DEPARTMENT_HEAD, roles.HR_MANAGER])
def test_other_roles_get_403_on_every_audit_page(client, make_user, role):
    finding = make_finding()
    client.force_login(make_user(role))
    for method, url in _urls(finding.pk):
        response = getattr(client, method)(url, {"comment": "x"} if method == "post" else None)
        assert response.status_code == 403, url
    finding.refresh_from_db()
    assert finding.status == Finding.Status.OPEN


def test_anonymous_is_sent_to_login(client):
    finding = make_finding()
    for method, url in _urls(finding.pk):
        response = getattr(client, method)(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_accountant_may_view_findings_but_not_act_on_them(client, make_user):
    finding = make_finding()
    client.force_login(make_user(roles.ACCOUNTANT))
    assert client.get(reverse("accounting:finding_list")).status_code == 200
    page = client.get(reverse("accounting:finding_detail", args=[finding.pk]))
    assert page.status_code == 200
    assert reverse("accounting:finding_resolve", args=[finding.pk]) not in page.content.decode()
    for method, url in _urls(finding.pk)[2:]:
        assert getattr(client, method)(url, {"comment": "ok"}).status_code == 403, url
    finding.refresh_from_db()
    assert finding.status == Finding.Status.OPEN


def test_auditor_acknowledges_and_resolves_on_the_page(client, auditor):
    finding = make_finding()
    client.force_login(auditor)
    page = client.get(reverse("accounting:finding_detail", args=[finding.pk])).content.decode()
    assert 'data-testid="evidence-link"' in page and finding.evidence_url in page

    client.post(reverse("accounting:finding_acknowledge", args=[finding.pk]))
    finding.refresh_from_db()
    assert finding.status == Finding.Status.ACKNOWLEDGED

    response = client.post(
        reverse("accounting:finding_resolve", args=[finding.pk]), {"comment": ""}
    )
    assert response.status_code == 200
    assert response.context["resolve_form"].errors["comment"]
    finding.refresh_from_db()
    assert finding.status == Finding.Status.ACKNOWLEDGED

    response = client.post(
        reverse("accounting:finding_resolve", args=[finding.pk]), {"comment": "Geklärt."}
    )
    assert response.status_code == 302
    finding.refresh_from_db()
    assert (finding.status, finding.comment, finding.resolved_by) == (
        Finding.Status.RESOLVED,
        "Geklärt.",
        auditor,
    )


def test_auditor_runs_the_checks_and_is_told_how_many_are_new(client, auditor, year):
    post_at(datetime.datetime(2026, 3, 16, 10, 0), "30000.00")  # round, in business hours
    client.force_login(auditor)
    response = client.post(reverse("accounting:audit_run"), follow=True)
    assert response.status_code == 200
    assert ": 1 " in str(list(response.context["messages"])[0])
    assert Finding.objects.get().check_code == "round_amounts"
    response = client.post(reverse("accounting:audit_run"), follow=True)
    assert ": 0 " in str(list(response.context["messages"])[0])
    assert Finding.objects.count() == 1


def test_ledger_verify_page_shows_intact_then_the_first_broken_entry(client, auditor, year):
    post_expense(amount="10.00")
    tampered = post_expense(amount="20.00")
    client.force_login(auditor)
    page = client.get(reverse("accounting:ledger_verify")).content.decode()
    assert 'data-testid="ledger-intact"' in page
    tamper(tampered)
    page = client.get(reverse("accounting:ledger_verify")).content.decode()
    assert 'data-testid="ledger-broken"' in page
    assert f"2026/{tampered.number}" in page


def test_finding_list_filters_by_status_and_check(client, auditor):
    open_round = make_finding(title="Rund offen")
    make_finding(title="Rund erledigt", status=Finding.Status.RESOLVED, comment="ok")
    make_finding(check_code="after_hours", title="Nachts")
    client.force_login(auditor)
    url = reverse("accounting:finding_list")
    response = client.get(url, {"status": "open", "check": "round_amounts"})
    assert [f.pk for f in response.context["findings"]] == [open_round.pk]
    response = client.get(url, {"status": "bogus", "check": "bogus"})
    assert len(response.context["findings"]) == 3


def test_finding_list_queries_do_not_grow_with_data(client, auditor):
    """The list costs as many queries with a full page (and more beyond) as with 3 rows."""
    client.force_login(auditor)
    url = reverse("accounting:finding_list")

    def measure():
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return len(captured.captured_queries), response

    for _ in range(3):
        make_finding()
    small, response = measure()
    assert len(response.context["findings"]) == 3
    Finding.objects.bulk_create(
        Finding(
            check_code="after_hours" if i % 2 else "round_amounts",
            key=f"entry:bulk{i}",
            title=f"Befund {i}",
            severity=Finding.Severity.MEDIUM,
            acknowledged_by=auditor if i % 3 == 0 else None,
        )
        for i in range(PAGE_SIZE + 20)
    )
    large, response = measure()
    assert len(response.context["findings"]) == PAGE_SIZE
    assert response.context["has_next"]
    assert large == small
