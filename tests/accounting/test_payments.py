"""Payments: four-eyes approval that posts one balanced entry, IBAN validation, the payment
pages and who may use them."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounting.models import JournalEntry, JournalLine, Payment
from accounting.services import payment_approve, payment_cancel, payment_create
from accounting.views.payments import PAGE_SIZE
from backoffice import roles
from tests.accounting.factories import account, open_year
from tests.hr.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db

SUPPLIER_IBAN = "DE02120300000000202051"
CUSTOMER_IBAN = "DE12500105170648489890"


@pytest.fixture
def year():
    return open_year(2026)


@pytest.fixture
def clerk(make_user):
    return make_user(roles.ACCOUNTANT)


@pytest.fixture
def approver(make_user):
    return make_user(roles.ACCOUNTANT)


def make_payment(*, user, direction="out", amount="119.00", **overrides) -> Payment:
    outgoing = direction == Payment.Direction.OUTGOING
    fields = {
        "direction": direction,
        "counterparty": "Bürobedarf Müller GmbH" if outgoing else "Kunde AG",
        "iban": SUPPLIER_IBAN if outgoing else CUSTOMER_IBAN,
        "bic": "",
        "amount": Decimal(amount),
        "due_date": datetime.date(2026, 3, 2),
        "reference": "RE-2026-0042" if outgoing else "2026-17",
        "bank_account": account("1200"),
        "counter_account": account("1600" if outgoing else "1400"),
        "department": None,
        "user": user,
    }
    fields.update(overrides)
    return payment_create(**fields)


def _sides(entry) -> set[tuple[str, str, Decimal, int | None]]:
    return {
        (ln.account.number, ln.side, ln.amount, ln.department_id)
        for ln in entry.lines.select_related("account")
    }


def test_outgoing_payment_approved_by_a_second_person_posts_one_balanced_entry(
    year, clerk, approver
):
    """Approval posts exactly one entry: payables debited, the bank credited, the cost
    center on the payables line; the payment records who approved it and when."""
    department = DepartmentFactory()
    payment = make_payment(user=clerk, department=department)
    assert payment.status == Payment.Status.DRAFT
    assert JournalEntry.objects.count() == 0

    payment = payment_approve(payment=payment, user=approver)

    assert payment.status == Payment.Status.POSTED
    assert payment.approved_by == approver
    assert payment.approved_at is not None
    assert JournalEntry.objects.count() == 1
    entry = payment.entry
    assert entry.source == f"accounting.payment:{payment.pk}"
    assert entry.date == payment.due_date
    assert _sides(entry) == {
        ("1600", "D", Decimal("119.00"), department.pk),
        ("1200", "C", Decimal("119.00"), None),
    }


def test_incoming_payment_debits_the_bank_and_credits_receivables(year, clerk, approver):
    """An incoming payment posts the other way round: bank debited, receivables credited."""
    payment = make_payment(user=clerk, direction="in", amount="953.50")
    payment = payment_approve(payment=payment, user=approver)
    assert _sides(payment.entry) == {
        ("1200", "D", Decimal("953.50"), None),
        ("1400", "C", Decimal("953.50"), None),
    }


def test_creator_cannot_approve_and_nothing_is_posted(year, clerk):
    """Four eyes: whoever created a payment is refused as its approver, with a message that
    says so, and the ledger stays empty."""
    payment = make_payment(user=clerk)
    with pytest.raises(ValidationError) as info:
        payment_approve(payment=payment, user=clerk)
    assert "cannot approve" in str(info.value)
    payment.refresh_from_db()
    assert payment.status == Payment.Status.DRAFT
    assert payment.approved_by is None
    assert JournalEntry.objects.count() == 0
    assert JournalLine.objects.count() == 0


def test_database_refuses_a_self_approved_payment(year, clerk):
    """The four-eyes rule holds in the database too, for writes that bypass the service."""
    payment = make_payment(user=clerk)
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.filter(pk=payment.pk).update(approved_by=clerk)


def test_second_approval_changes_nothing(year, clerk, approver, make_user):
    """Approving a posted payment again (a double click, a second approver) returns it
    unchanged: still one entry, the first approver kept."""
    payment = payment_approve(payment=make_payment(user=clerk), user=approver)
    again = payment_approve(payment=payment, user=make_user(roles.ACCOUNTANT))
    assert again.pk == payment.pk
    assert again.approved_by == approver
    assert again.entry_id == payment.entry_id
    assert JournalEntry.objects.count() == 1


@pytest.mark.parametrize("iban", ["DE89370400440532013001", "XX12", ""])
def test_invalid_iban_is_refused_naming_the_field(year, clerk, iban):
    """A wrong check digit, a wrong structure or no IBAN at all is refused on the IBAN field
    and nothing is written."""
    with pytest.raises(ValidationError) as info:
        make_payment(user=clerk, iban=iban)
    assert "iban" in info.value.message_dict
    assert Payment.objects.count() == 0


def test_iban_is_stored_compact_and_bic_validated(year, clerk):
    """An IBAN typed in groups is stored without spaces; a malformed BIC is refused on its
    field."""
    payment = make_payment(user=clerk, iban="de02 1203 0000 0000 2020 51")
    assert payment.iban == SUPPLIER_IBAN
    with pytest.raises(ValidationError) as info:
        make_payment(user=clerk, bic="COBA-DE")
    assert "bic" in info.value.message_dict


@pytest.mark.parametrize("amount", ["0.00", "-5.00", "1.005"])
def test_amount_must_be_positive_with_two_decimals(year, clerk, amount):
    """Zero, negative and sub-cent amounts are refused on the amount field."""
    with pytest.raises(ValidationError) as info:
        make_payment(user=clerk, amount=amount)
    assert "amount" in info.value.message_dict
    assert Payment.objects.count() == 0


def test_counter_account_cannot_be_a_bank_and_bank_account_must_be_one(year, clerk):
    """A payment goes from a bank account to payables or receivables, not bank to bank."""
    with pytest.raises(ValidationError) as info:
        make_payment(user=clerk, bank_account=account("1600"), counter_account=account("1210"))
    assert {"bank_account", "counter_account"} <= set(info.value.message_dict)


def test_same_source_returns_the_first_payment(year, clerk):
    """Another app asking twice for the payment of the same source gets one payment."""
    first = make_payment(user=clerk, source="payroll.run:7:1")
    again = make_payment(user=clerk, source="payroll.run:7:1")
    assert again.pk == first.pk
    assert Payment.objects.count() == 1


def test_cancel_draft_only(year, clerk, approver):
    """A draft can be cancelled and then cannot be approved; a posted payment cannot be
    cancelled."""
    draft = payment_cancel(payment=make_payment(user=clerk), user=clerk)
    assert draft.status == Payment.Status.CANCELLED
    with pytest.raises(ValidationError):
        payment_approve(payment=draft, user=approver)
    posted = payment_approve(payment=make_payment(user=clerk), user=approver)
    with pytest.raises(ValidationError):
        payment_cancel(payment=posted, user=clerk)
    assert JournalEntry.objects.count() == 1


def test_approval_into_a_closed_period_is_refused_and_stays_draft(year, clerk, approver):
    """A payment due in a closed period cannot be posted; it stays awaiting approval."""
    from accounting.models import Period
    from accounting.services import period_close

    period_close(period=Period.objects.get(fiscal_year=year, month=3), user=approver)
    payment = make_payment(user=clerk)
    with pytest.raises(ValidationError):
        payment_approve(payment=payment, user=approver)
    payment.refresh_from_db()
    assert payment.status == Payment.Status.DRAFT
    assert JournalEntry.objects.count() == 0


# --- Pages -----------------------------------------------------------------------------------


def test_accountant_creates_a_payment_through_the_page(client, year, clerk):
    """The form records a payment awaiting approval and shows it."""
    client.force_login(clerk)
    response = client.post(
        reverse("accounting:payment_create"),
        {
            "direction": "out",
            "counterparty": "Bürobedarf Müller GmbH",
            "iban": "DE02 1203 0000 0000 2020 51",
            "bic": "",
            "amount": "119.00",
            "due_date": "2026-03-02",
            "reference": "RE-2026-0042",
            "bank_account": account("1200").pk,
            "counter_account": account("1600").pk,
            "department": "",
        },
    )
    payment = Payment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("accounting:payment_detail", args=[payment.pk])
    assert payment.amount == Decimal("119.00")
    assert payment.created_by == clerk


def test_payment_form_shows_an_invalid_iban_on_its_field(client, year, clerk):
    """A bad IBAN comes back on the form, on the IBAN field; nothing is written."""
    client.force_login(clerk)
    response = client.post(
        reverse("accounting:payment_create"),
        {
            "direction": "out",
            "counterparty": "X",
            "iban": "DE00123",
            "amount": "10.00",
            "due_date": "2026-03-02",
            "bank_account": account("1200").pk,
            "counter_account": account("1600").pk,
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["iban"]
    assert Payment.objects.count() == 0


def test_creator_approving_through_the_page_is_refused(client, year, clerk):
    """The approve button's POST by the creator shows the four-eyes message and posts
    nothing."""
    payment = make_payment(user=clerk)
    client.force_login(clerk)
    response = client.post(reverse("accounting:payment_approve", args=[payment.pk]), follow=True)
    assert response.status_code == 200
    assert "cannot approve" in response.content.decode()
    payment.refresh_from_db()
    assert payment.status == Payment.Status.DRAFT
    assert JournalEntry.objects.count() == 0


def test_second_accountant_approves_through_the_page(client, year, clerk, approver):
    """Another accountant's POST approves and posts."""
    payment = make_payment(user=clerk)
    client.force_login(approver)
    client.post(reverse("accounting:payment_approve", args=[payment.pk]))
    payment.refresh_from_db()
    assert payment.status == Payment.Status.POSTED
    assert payment.approved_by == approver


def test_list_filters_by_status_and_direction(client, year, clerk, approver):
    """The filters narrow the list to the chosen status and direction."""
    posted = payment_approve(payment=make_payment(user=clerk), user=approver)
    draft_in = make_payment(user=clerk, direction="in")
    client.force_login(approver)
    response = client.get(reverse("accounting:payment_list"), {"status": "posted"})
    assert [p.pk for p in response.context["payments"]] == [posted.pk]
    response = client.get(reverse("accounting:payment_list"), {"direction": "in"})
    assert [p.pk for p in response.context["payments"]] == [draft_in.pk]


def test_bank_balances_show_the_ledger_balance_per_bank_account(client, year, clerk, approver):
    """The balance page shows each bank account's balance from the ledger."""
    incoming = make_payment(user=clerk, direction="in", amount="953.50")
    payment_approve(payment=incoming, user=approver)
    payment_approve(payment=make_payment(user=clerk, amount="119.00"), user=approver)
    client.force_login(approver)
    response = client.get(reverse("accounting:bank_balances"))
    assert response.status_code == 200
    balances = {a.number: a.ledger_balance for a in response.context["accounts"]}
    assert balances["1200"] == Decimal("834.50")
    assert balances["1210"] == Decimal("0.00")


def _all_urls(payment_pk: int) -> list[tuple[str, str]]:
    return [
        ("get", reverse("accounting:payment_list")),
        ("get", reverse("accounting:payment_create")),
        ("post", reverse("accounting:payment_create")),
        ("get", reverse("accounting:payment_detail", args=[payment_pk])),
        ("post", reverse("accounting:payment_approve", args=[payment_pk])),
        ("post", reverse("accounting:payment_cancel", args=[payment_pk])),
        ("get", reverse("accounting:bank_balances")),
    ]


@pytest.mark.parametrize("role", [roles.STAFF, roles.DEPARTMENT_HEAD, roles.DATA_ENTRY_CLERK])
def test_other_roles_get_403_on_every_payment_page(client, year, clerk, make_user, role):
    """Staff, department heads and data-entry clerks reach no payment page and change
    nothing."""
    payment = make_payment(user=clerk)
    client.force_login(make_user(role))
    for method, url in _all_urls(payment.pk):
        response = getattr(client, method)(url)
        assert response.status_code == 403, (method, url)
    payment.refresh_from_db()
    assert payment.status == Payment.Status.DRAFT


def test_auditor_may_look_but_not_create_or_approve(client, year, clerk, make_user):
    """Auditors see payments but neither record, approve nor cancel them."""
    payment = make_payment(user=clerk)
    client.force_login(make_user(roles.AUDITOR))
    assert client.get(reverse("accounting:payment_list")).status_code == 200
    assert client.get(reverse("accounting:payment_detail", args=[payment.pk])).status_code == 200
    assert client.get(reverse("accounting:payment_create")).status_code == 403
    for name in ("payment_approve", "payment_cancel"):
        assert client.post(reverse(f"accounting:{name}", args=[payment.pk])).status_code == 403
    payment.refresh_from_db()
    assert payment.status == Payment.Status.DRAFT


def test_anonymous_is_sent_to_login(client, year, clerk):
    payment = make_payment(user=clerk)
    for _method, url in _all_urls(payment.pk):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_unknown_payment_is_404(client, year, approver):
    client.force_login(approver)
    assert client.get(reverse("accounting:payment_detail", args=[999999])).status_code == 404
    assert client.post(reverse("accounting:payment_approve", args=[999999])).status_code == 404


# --- Query counts ----------------------------------------------------------------------------

SMALL, LARGE = 5, 60


def _measure(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries), response


def _grow_payments(total: int, *, creators, approvers, departments):
    """Payments up to ``total``, by several creators, half of them approved by several
    approvers, with cost centers."""
    bank, payables = account("1200"), account("1600")
    for i in range(Payment.objects.count(), total):
        payment = Payment.objects.create(
            direction="out",
            counterparty=f"Lieferant {i}",
            iban=SUPPLIER_IBAN,
            amount=Decimal("10.00") + i,
            due_date=datetime.date(2026, 3, 1) + datetime.timedelta(days=i % 28),
            reference=f"RE-{i}",
            bank_account=bank,
            counter_account=payables,
            department=departments[i % len(departments)],
            created_by=creators[i % len(creators)],
        )
        if i % 2:
            payment_approve(payment=payment, user=approvers[i % len(approvers)])
    assert Payment.objects.count() == total


def test_payment_list_queries_do_not_grow_with_data(client, year, make_user):
    """The payment list costs as many queries with a full page of 50 payments (several
    creators, approvers and cost centers) as with 5."""
    viewer = make_user(roles.ACCOUNTANT)
    client.force_login(viewer)
    creators = [UserFactory() for _ in range(3)]
    approvers = [UserFactory() for _ in range(3)]
    departments = [DepartmentFactory() for _ in range(4)]

    _grow_payments(SMALL, creators=creators, approvers=approvers, departments=departments)
    small, response = _measure(client, reverse("accounting:payment_list"))
    assert len(response.context["payments"]) == SMALL
    _grow_payments(LARGE, creators=creators, approvers=approvers, departments=departments)
    large, response = _measure(client, reverse("accounting:payment_list"))
    assert len(response.context["payments"]) == PAGE_SIZE
    assert response.context["has_next"]

    assert large == small
