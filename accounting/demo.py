"""Demo data for accounting: a plausible year of bookings up to the current month, budgets for
every department (one close to its limit, one that blocks), payments awaiting approval, a bank
statement to reconcile, and what the budget and audit checks make of it.

Idempotent: every entry has a deterministic source (``demo:<year>:<month>:<n>``) and every
payment one too, so a second run posts nothing twice; budgets and the statement are created
once. Runs after the HR seeder (departments and the ``accountant`` login exist by then).
"""

from __future__ import annotations

import calendar
import csv
import datetime
import io
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from accounting.audit import audit_run
from accounting.models import (
    Account,
    BankStatement,
    BankStatementLine,
    Budget,
    BudgetMonth,
    Finding,
    FiscalYear,
    JournalEntry,
    LedgerBalance,
    Payment,
)
from accounting.selectors import ledger_bank_balance
from accounting.services.bank import bank_account_details_set
from accounting.services.budgets import budgets_check
from accounting.services.ledger import EntrySpec, Line, fiscal_year_open, journal_entries_post
from backoffice import roles
from backoffice.money import ZERO, round_money
from hr.models import Department

VAT = Decimal("0.19")
HUNDRED = Decimal("100")

CUSTOMERS = [
    "Müller Maschinenbau GmbH",
    "Stadtwerke Kassel",
    "Bäckerei Schulz KG",
    "Hansa Logistik AG",
    "Rheinland Medizintechnik GmbH",
    "Autohaus Becker",
]
SUPPLIERS = [
    # name, IBAN (valid check digits, real German bank codes)
    ("Büroprofi Schreiber GmbH", "DE89370400440532013000"),
    ("Stahlhandel Nord GmbH", "DE16100700000001234567"),
    ("Softwarehaus Krause AG", "DE22500105175410312345"),
    ("Druckerei Lehmann", "DE59701500000087654321"),
    ("Reisebüro Sonnenschein", "DE19200505500001234500"),
    ("Elektro Wagner OHG", "DE15760501010000004711"),
]
CUSTOMER_IBAN = "DE89370400440532013000"
# The demo company's house bank (account 1200): the IBAN its statements name, the debtor of
# payroll's SEPA files and what the bank accounts page shows.
HOUSE_BANK_IBAN, HOUSE_BANK_BIC = "DE73500105170482173659", "INGDDEFFXXX"


def _cents(rnd: random.Random, low: int, high: int) -> Decimal:
    """A random amount between ``low`` and ``high`` euros, in whole cents, never a float."""
    return Decimal(rnd.randint(low * 100, high * 100)) / HUNDRED


def _vat(net: Decimal) -> Decimal:
    return round_money(net * VAT)


class _Month:
    """The bookings of one month. Every entry draws its random numbers and takes its number
    whether or not it is posted yet, so a source always names the same booking."""

    def __init__(
        self, *, year: int, month: int, until: datetime.date, accounts, departments, employees
    ):
        self.year, self.month, self.until = year, month, until
        # Revenue and the opening bank balance grow with the company: payroll (seeded after
        # accounting) costs about 6,000 EUR per employee and month.
        self.scale = Decimal(max(employees, 20)) / Decimal(200)
        self.rnd = random.Random(f"accounting-demo-{year}-{month}")
        self.acc, self.dept = accounts, departments
        self.last_day = calendar.monthrange(year, month)[1]
        self.specs: list[EntrySpec] = []
        self.n = 0

    def add(self, day: int, memo: str, lines: list[Line]) -> None:
        self.n += 1
        date = datetime.date(self.year, self.month, min(day, self.last_day))
        if date > self.until:
            return
        self.specs.append(
            EntrySpec(
                date=date, lines=lines, memo=memo, source=f"demo:{self.year}:{self.month}:{self.n}"
            )
        )

    def line(self, number: str, side: str, amount: Decimal, dept: str | None = None, memo=""):
        department = self.dept.get(dept) if dept else None
        return Line(
            account=self.acc[number], side=side, amount=amount, department=department, memo=memo
        )

    def spread(self, expense: str, memo: str, day: int, low: int, high: int) -> None:
        """One bank-paid bill split over every department as cost centers."""
        lines = [self.line(expense, "D", _cents(self.rnd, low, high), code) for code in self.dept]
        total = sum((ln.amount for ln in lines), ZERO)
        self.add(day, memo, [*lines, self.line("1200", "C", total)])

    def purchase(self, expense: str, dept: str, memo: str, net: Decimal, day: int) -> None:
        """A supplier invoice on account (with input VAT), paid ten days later if that day has
        come within the month."""
        vat = _vat(net)
        self.add(
            day,
            memo,
            [
                self.line(expense, "D", net, dept),
                self.line("1576", "D", vat),
                self.line("1600", "C", net + vat),
            ],
        )
        if day + 10 <= self.last_day:
            self.add(
                day + 10,
                f"Zahlung: {memo}",
                [self.line("1600", "D", net + vat), self.line("1200", "C", net + vat)],
            )
        else:
            self.n += 1  # keep the numbering stable

    def bookings(self) -> list[EntrySpec]:
        rnd, dept = self.rnd, self.dept
        if self.month == 1:
            self.add(
                1,
                "Eröffnungsbilanz Bank",
                [
                    self.line("1200", "D", round_money(Decimal("2183412.57") * self.scale)),
                    self.line("0860", "C", round_money(Decimal("2183412.57") * self.scale)),
                ],
            )
        else:
            self.n += 1
        self.spread("4210", "Miete Bürogebäude", 1, 900, 2400)
        self.spread("4240", "Strom, Gas, Wasser (Abschlag)", 5, 120, 650)
        self.spread("4920", "Telefon und Internet", 8, 40, 240)
        for i in range(3):
            code = rnd.choice(list(dept))
            self.purchase(
                "4930", code, f"Bürobedarf {i + 1}", _cents(rnd, 40, 900), rnd.randint(2, 26)
            )
        self.purchase("4964", "IT", "Softwarelizenzen", _cents(rnd, 900, 2400), 12)
        self.purchase("4600", "VERT", "Anzeigen und Messematerial", _cents(rnd, 800, 4000), 14)
        for i in range(2):
            code = "EINK" if i == 0 else "PROD"
            self.purchase(
                "3400", code, f"Wareneinkauf {i + 1}", _cents(rnd, 3000, 18000), rnd.randint(3, 18)
            )
        for i in range(rnd.randint(2, 4)):
            code = rnd.choice([c for c in ("VERT", "GF", "EINK") if c in dept] or list(dept))
            amount = _cents(rnd, 150, 1800)
            self.add(
                rnd.randint(3, 27),
                f"Reisekostenerstattung {i + 1}",
                [self.line("4660", "D", amount, code), self.line("1200", "C", amount)],
            )
        for _i in range(rnd.randint(3, 5)):
            net = round_money(_cents(rnd, 260000, 420000) * self.scale)
            customer = rnd.choice(CUSTOMERS)
            day = rnd.randint(2, 20)
            gross = net + _vat(net)
            self.add(
                day,
                f"Ausgangsrechnung {customer}",
                [
                    self.line("1400", "D", gross),
                    self.line("8400", "C", net, "VERT"),
                    self.line("1776", "C", gross - net),
                ],
            )
            self.add(
                day + 8,
                f"Zahlungseingang {customer}",
                [self.line("1200", "D", gross), self.line("1400", "C", gross)],
            )
        charges = _cents(rnd, 18, 45)
        self.add(
            28,
            "Kontoführungsgebühren",
            [self.line("4970", "D", charges, "FIBU"), self.line("1200", "C", charges)],
        )
        if self.month == 2:
            # An irregularity for the auditors: a round consulting fee without an invoice.
            fee = Decimal("20000.00")
            self.add(
                15,
                "Beratungshonorar (pauschal)",
                [self.line("4900", "D", fee, "GF"), self.line("1200", "C", fee)],
            )
        return self.specs


# Budgets: account groups every department plans for, and the groups only some spend on.
BUDGET_GROUPS = ("42", "49")
OPTIONAL_GROUPS = ("46", "34")
NEAR_LIMIT = ("VERT", "46")  # about 90 % used
BLOCKING = ("IT", "49")  # policy: block, with room to spare


@transaction.atomic
def seed_accounting(*, employees: int = 200, stdout=None) -> list[str]:
    """Create what is missing; a second run changes nothing."""
    today = timezone.localdate()
    year = today.year
    fiscal_year_open(year=year - 1)
    fy = fiscal_year_open(year=year)
    accounts = dict(Account.objects.values_list("number", "pk"))
    departments = {d.code: d.pk for d in Department.objects.order_by("code")}
    if not departments:
        return ["Accounting: no departments, nothing seeded (run the HR seeder first)."]
    house_bank = Account.objects.get(pk=accounts["1200"])
    if not house_bank.iban:
        bank_account_details_set(account=house_bank, iban=HOUSE_BANK_IBAN, bic=HOUSE_BANK_BIC)

    specs: list[EntrySpec] = []
    for month in range(1, today.month + 1):
        specs += _Month(
            year=year,
            month=month,
            until=today,
            accounts=accounts,
            departments=departments,
            employees=employees,
        ).bookings()
    journal_entries_post(entries=specs)
    _remit_vat(fy=fy, today=today, accounts=accounts)

    budgets = _seed_budgets(fy=fy, departments=departments, today=today)
    users = get_user_model().objects
    accountant = (
        users.filter(username="accountant").first()
        or users.filter(groups__name=roles.ACCOUNTANT).order_by("pk").first()
    )
    approver = users.filter(is_superuser=True).exclude(pk=getattr(accountant, "pk", None))
    approver = approver.order_by("pk").first()
    drafts = 0
    if accountant is not None:
        _seed_payments(accountant=accountant, approver=approver, today=today, accounts=accounts)
        drafts = Payment.objects.filter(status=Payment.Status.DRAFT).count()

    budgets_check(today=today)
    return [
        f"Accounting: {JournalEntry.objects.count()} entries, {budgets} budgets, "
        f"{drafts} payments awaiting approval."
    ]


@transaction.atomic
def seed_statement_and_audit(*, employees: int = 200, stdout=None) -> list[str]:
    """The bank statement and the audit run, seeded last (after payroll): the statement's
    balances are the ledger's bank balance once every seeder has posted (payroll's net pay and
    remittances included), so it reconciles once its lines are matched or booked; the audit
    sees everything the demo made."""
    today = timezone.localdate()
    accounts = dict(Account.objects.values_list("number", "pk"))
    users = get_user_model().objects
    accountant = (
        users.filter(username="accountant").first()
        or users.filter(groups__name=roles.ACCOUNTANT).order_by("pk").first()
    )
    statement_lines = 0
    if accountant is not None and "1200" in accounts:
        posted = list(
            Payment.objects.filter(
                source__startswith=f"demo:payment:{today.year}:",
                status=Payment.Status.POSTED,
                bank_account_id=accounts["1200"],
                due_date__lte=today,
            ).order_by("due_date", "pk")
        )
        statement_lines = _seed_statement(
            user=accountant, posted=posted, today=today, accounts=accounts
        )
    audit_run()
    return [
        f"Accounting: {statement_lines} bank statement lines, "
        f"{Finding.objects.filter(status=Finding.Status.OPEN).count()} open audit findings."
    ]


def _remit_vat(*, fy: FiscalYear, today: datetime.date, accounts: dict[str, int]) -> None:
    """The monthly VAT return: on the 10th of the next month output VAT (1776) less input VAT
    (1576) is paid to the tax office from the bank."""
    sums = {
        (month, account): (debit, credit)
        for month, account, debit, credit in LedgerBalance.objects.filter(
            fiscal_year=fy, account_id__in=[accounts["1776"], accounts["1576"]]
        )
        .values("month", "account_id")
        .annotate(d=Sum("debit"), c=Sum("credit"))
        .values_list("month", "account_id", "d", "c")
    }
    specs = []
    for month in range(1, 12):
        day = datetime.date(fy.year, month + 1, 10)
        output = sums.get((month, accounts["1776"]), (ZERO, ZERO))[1]
        vat_in = sums.get((month, accounts["1576"]), (ZERO, ZERO))[0]
        if day > today or not (output or vat_in):
            continue
        lines = []
        if output:
            lines.append(Line(account=accounts["1776"], side="D", amount=output))
        if vat_in:
            lines.append(Line(account=accounts["1576"], side="C", amount=vat_in))
        due = output - vat_in
        if due:
            lines.append(
                Line(account=accounts["1200"], side="C" if due > 0 else "D", amount=abs(due))
            )
        specs.append(
            EntrySpec(
                date=day,
                lines=lines,
                memo=f"Umsatzsteuer-Voranmeldung {month:02d}/{fy.year}",
                source=f"demo:vat:{fy.year}:{month}",
            )
        )
    journal_entries_post(entries=specs)


def _seed_budgets(*, fy: FiscalYear, departments: dict[str, int], today) -> int:
    """A budget per department and account group, sized on the spend so far projected to the
    year; one close to its limit, one with the block policy."""
    actual = {
        (dept, group): debit - credit
        for dept, group, debit, credit in LedgerBalance.objects.filter(
            fiscal_year=fy, department__isnull=False, account__type=Account.Type.EXPENSE
        )
        .values("department_id", "account__group")
        .annotate(d=Sum("debit"), c=Sum("credit"))
        .values_list("department_id", "account__group", "d", "c")
    }
    elapsed = Decimal(today.month)
    for code, dept_id in departments.items():
        groups = [*BUDGET_GROUPS, *(g for g in OPTIONAL_GROUPS if actual.get((dept_id, g)))]
        for group in groups:
            spent = actual.get((dept_id, group), ZERO)
            policy = Budget.Policy.WARN
            if (code, group) == NEAR_LIMIT and spent > 0:
                amount = spent * 10 / 9  # 90 % used
            elif (code, group) == BLOCKING:
                amount, policy = spent * 12 / elapsed * 2 + 5000, Budget.Policy.BLOCK
            else:
                amount = spent * 12 / elapsed * Decimal("1.25") + 1000
            amount = (amount / HUNDRED).to_integral_value() * HUNDRED + HUNDRED
            budget, created = Budget.objects.get_or_create(
                department_id=dept_id,
                fiscal_year=fy,
                account=None,
                account_group=group,
                defaults={"amount": round_money(amount), "policy": policy},
            )
            if created and (code, group) == ("GF", "42"):
                monthly = round_money(budget.amount / 12)
                BudgetMonth.objects.bulk_create(
                    BudgetMonth(
                        budget=budget,
                        month=m,
                        amount=monthly if m < 12 else budget.amount - monthly * 11,
                    )
                    for m in range(1, 13)
                )
    return Budget.objects.filter(fiscal_year=fy).count()


def _seed_payments(*, accountant, approver, today, accounts) -> list[Payment]:
    """Supplier payments: some awaiting approval (two of them look like a duplicate), some
    approved and posted by a second person. Returns the posted ones."""
    try:
        from accounting.services.payments import payment_approve, payment_create
    except ImportError:  # the payment service is not there yet: plain rows, drafts only
        payment_approve = payment_create = None
    bank = Account.objects.get(pk=accounts["1200"])
    payables = Account.objects.get(pk=accounts["1600"])
    receivables = Account.objects.get(pk=accounts["1400"])
    rnd = random.Random(f"accounting-demo-payments-{today.year}")
    year_end = datetime.date(today.year, 12, 31)

    def due(days: int) -> datetime.date:
        # Within the fiscal year that is open, so approving posts into it.
        return min(today + datetime.timedelta(days=days), year_end)

    plan = []
    for n, (name, iban) in enumerate(SUPPLIERS, start=1):
        plan.append(
            (
                n,
                Payment.Direction.OUTGOING,
                name,
                iban,
                _cents(rnd, 120, 6500),
                due(rnd.randint(2, 20)),
                False,
            )
        )
    # The same invoice entered twice, a week apart: the duplicate check finds it.
    dup_amount = Decimal("1487.50")
    plan.append(
        (
            7,
            Payment.Direction.OUTGOING,
            SUPPLIERS[0][0],
            SUPPLIERS[0][1],
            dup_amount,
            due(3),
            False,
        )
    )
    plan.append(
        (
            8,
            Payment.Direction.OUTGOING,
            SUPPLIERS[0][0],
            SUPPLIERS[0][1],
            dup_amount,
            due(10),
            False,
        )
    )
    plan.append(
        (
            9,
            Payment.Direction.INCOMING,
            CUSTOMERS[0],
            CUSTOMER_IBAN,
            _cents(rnd, 2000, 9000),
            due(5),
            False,
        )
    )
    # Paid already (earlier this month or at its start): these appear on the bank statement.
    start = today.replace(day=1)
    for n in range(10, 14):
        name, iban = SUPPLIERS[n % len(SUPPLIERS)]
        due = start + datetime.timedelta(days=min(n - 10, (today - start).days))
        plan.append((n, Payment.Direction.OUTGOING, name, iban, _cents(rnd, 300, 4800), due, True))

    posted = []
    for n, direction, name, iban, amount, due, pay in plan:
        fields = {
            "direction": direction,
            "counterparty": name,
            "iban": iban,
            "amount": amount,
            "due_date": due,
            "reference": f"RE-{today.year}-{n:04d}",
            "bank_account": bank,
            "counter_account": payables if direction == Payment.Direction.OUTGOING else receivables,
        }
        source = f"demo:payment:{today.year}:{n}"
        if payment_create is not None:
            payment = payment_create(**fields, user=accountant, source=source)
        else:
            payment, _c = Payment.objects.get_or_create(
                source=source, defaults={**fields, "created_by": accountant}
            )
        if pay and payment_approve is not None and approver is not None:
            payment = payment_approve(payment=payment, user=approver)
            posted.append(payment)
    return posted


def _seed_statement(*, user, posted: list[Payment], today, accounts) -> int:
    """This month's statement of the main bank account: lines for the posted payments (to be
    matched) and a few the ledger does not know yet (to be booked by hand)."""
    bank_id = accounts["1200"]
    reference = f"DEMO-{today.year}"
    if BankStatement.objects.filter(bank_account_id=bank_id, reference=reference).exists():
        return BankStatementLine.objects.filter(
            statement__bank_account_id=bank_id, statement__reference=reference
        ).count()
    lines = [
        BankStatementLine(
            booking_date=p.due_date,
            amount=-p.amount if p.direction == Payment.Direction.OUTGOING else p.amount,
            counterparty=p.counterparty,
            iban=p.iban,
            reference=p.reference,
        )
        for p in posted
    ]
    lines += [
        BankStatementLine(
            booking_date=today,
            amount=Decimal("-14.90"),
            counterparty="Hausbank",
            reference="Kontoführung",
        ),
        BankStatementLine(
            booking_date=today,
            amount=Decimal("1190.00"),
            counterparty=CUSTOMERS[2],
            iban=CUSTOMER_IBAN,
            reference="Rechnung 2417 Teilzahlung",
        ),
    ]
    # The ledger up to the statement date, as reconciling compares it: the posted payments
    # are in it already, the other lines are not (they wait to be booked).
    ledger = ledger_bank_balance(account_id=bank_id, date=today)
    in_ledger = sum((ln.amount for ln in lines[: len(posted)]), ZERO)
    opening = ledger - in_ledger
    closing = opening + sum((ln.amount for ln in lines), ZERO)
    try:
        from accounting.services.bank import statement_import
    except ImportError:  # the bank service is not there yet: plain rows
        statement_import = None
    if statement_import is not None:
        # As the bank delivers it: the import matches the lines it can to the payments.
        statement_import(
            bank_account=Account.objects.get(pk=bank_id),
            file=_statement_csv(
                reference=reference,
                iban=Account.objects.get(pk=bank_id).iban,
                date=today,
                opening=opening,
                closing=closing,
                lines=lines,
            ),
            filename=f"{reference}.csv",
            user=user,
        )
        return len(lines)
    statement = BankStatement.objects.create(
        bank_account_id=bank_id,
        reference=reference,
        date=today,
        opening_balance=opening,
        closing_balance=closing,
        file_format="csv",
        imported_by=user,
    )
    for line in lines:
        line.statement = statement
    BankStatementLine.objects.bulk_create(lines)
    return len(lines)


def _statement_csv(*, reference, iban="", date, opening, closing, lines) -> bytes:
    """A statement in the CSV layout German banks export (semicolons, decimal comma)."""

    def german(amount: Decimal) -> str:
        return f"{amount:.2f}".replace(".", ",")

    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerows(
        [
            ["Auszug", reference],
            *([["Konto", iban]] if iban else []),
            ["Datum", date.strftime("%d.%m.%Y")],
            ["Anfangssaldo", german(opening)],
            ["Endsaldo", german(closing)],
            [],
            ["Buchungstag", "Betrag", "Name", "IBAN", "Verwendungszweck"],
        ]
    )
    writer.writerows(
        [
            ln.booking_date.strftime("%d.%m.%Y"),
            german(ln.amount),
            ln.counterparty,
            ln.iban,
            ln.reference,
        ]
        for ln in lines
    )
    return out.getvalue().encode()
