"""Demo data for payroll. The deduction preset approximates German social insurance and wage
tax with configurable rules; it is not a certified German payroll."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import DateTimeField, F, OuterRef, Subquery, Sum
from django.db.models.functions import Cast
from django.utils import timezone
from schwifty import IBAN

from accounting.models import Account
from accounting.services import Line, fiscal_year_open, journal_entry_post
from backoffice import roles
from hr.models import Absence, Department, Employee
from payroll.models import (
    BankDetailsChange,
    DeductionRule,
    PayProfile,
    PayrollChunk,
    PayrollRun,
    PaySchedule,
    TimeEntry,
)
from payroll.services.payday import (
    PaydayRefused,
    payday_run_approve,
    payday_run_calculate,
    payday_run_pay,
    payday_run_resume,
    payroll_chunk_calculate,
    payroll_settings,
)
from payroll.services.schedules import default_schedule, hours_window, pay_period_for

# code, name, employee %, employer %, monthly ceiling, liability, employer expense, applies, base
PRESET = [
    ("KV", "Krankenversicherung inkl. Zusatzbeitrag", "8.55", "8.55", "5512.50", "1742", "4130",
     "all", None),
    ("RV", "Rentenversicherung", "9.30", "9.30", "8050.00", "1742", "4130", "all", None),
    ("AV", "Arbeitslosenversicherung", "1.30", "1.30", "8050.00", "1742", "4130", "all", None),
    ("PV", "Pflegeversicherung", "1.80", "1.80", "5512.50", "1742", "4130", "all", None),
    ("LST", "Lohnsteuer (vereinfachte Regel)", "16.00", "0", None, "1741", None, "all", None),
    ("KIST", "Kirchensteuer (9 % der Lohnsteuer)", "9.00", "0", None, "1741", None, "church",
     "LST"),
]  # fmt: skip
# Which year-to-date total on the payslip each preset rule counts towards.
DEMO_CATEGORIES = {"KV": "social", "RV": "social", "AV": "social", "PV": "social",
                   "LST": "tax", "KIST": "tax", "SOLI": "tax"}  # fmt: skip


@transaction.atomic
def seed_payroll_config() -> list[str]:
    """Default monthly schedule, payroll settings and the deduction preset. Idempotent."""
    # Hours are paid with the next month (Vormonatsprinzip): a month's hours are complete
    # when they are paid.
    PaySchedule.objects.get_or_create(
        name="Monatlich",
        defaults={
            "is_default": True,
            "payday_day": 28,
            "hours_timing": PaySchedule.HoursTiming.PREVIOUS,
        },
    )
    # Pays from the bank account accounting's seeder gives its IBAN (payroll_settings() picks 1200).
    settings = payroll_settings()
    if not settings.company_city:
        # The demo company's address, printed on payslips and cheques.
        settings.company_street, settings.company_postal_code, settings.company_city = (
            "Musterstraße 12",
            "10115",
            "Berlin",
        )
        settings.save(
            update_fields=["company_street", "company_postal_code", "company_city", "updated_at"]
        )
    accounts = {a.number: a for a in Account.objects.filter(number__in=["1741", "1742", "4130"])}
    created = 0
    for order, (code, name, ee, er, ceiling, liability, expense, applies, base) in enumerate(
        PRESET, start=1
    ):
        _rule, new = DeductionRule.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": DeductionRule.Kind.PERCENT,
                "employee_rate": Decimal(ee),
                "employer_rate": Decimal(er),
                "monthly_ceiling": Decimal(ceiling) if ceiling else None,
                "liability_account": accounts[liability],
                "employer_expense_account": accounts.get(expense) if expense else None,
                "applies_to": applies,
                "base_rule": DeductionRule.objects.get(code=base) if base else None,
                "order": order * 10,
                "category": DEMO_CATEGORIES.get(code, DeductionRule.Category.OTHER),
            },
        )
        created += new
    return [f"Payroll: {created} deduction rules created (a configurable preset)."]


# --- Profiles, hours and paid months ------------------------------------------------------------

# Real German bank codes; schwifty computes valid check digits and knows each bank's BIC.
BANK_CODES = ["37040044", "10070000", "50010517", "12030000", "20050550", "76050101", "70150000"]
CHEQUE_EVERY = 25


def _user(username: str, role: str):
    users = get_user_model().objects
    return (
        users.filter(username=username).first()
        or users.filter(groups__name=role).order_by("pk").first()
    )


def _iban(employee_pk: int) -> IBAN:
    """A valid German IBAN, the same for the same employee on every run, never shared."""
    return IBAN.generate(
        "DE",
        bank_code=BANK_CODES[employee_pk % len(BANK_CODES)],
        account_code=f"{1_000_000_000 + employee_pk:010d}",
    )


def _seed_profiles(*, schedule: PaySchedule, clerk) -> int:
    """A pay profile for every employee without one: hourly employees 15–28 € an hour,
    salaried 3,000–7,500 € a month, one in 25 paid by cheque. The first bank details are
    recorded as entered on the hire date."""
    employees = list(
        Employee.objects.filter(pay_profile__isnull=True)
        .order_by("pk")
        .only("pk", "personnel_number", "first_name", "last_name", "employment_type")
    )
    if not employees:
        return 0
    profiles = []
    now = timezone.now()
    for employee in employees:
        rnd = random.Random(f"payroll-demo-{employee.personnel_number}")
        hourly = employee.employment_type == Employee.EmploymentType.HOURLY
        rate = Decimal(rnd.randint(1500, 2800)) / 100 if hourly else None
        salary = None if hourly else Decimal(rnd.randint(60, 150) * 50)
        by_cheque = employee.pk % CHEQUE_EVERY == 0
        iban = None if by_cheque else _iban(employee.pk)
        profiles.append(
            PayProfile(
                employee=employee,
                schedule=schedule,
                hourly_rate=rate,
                monthly_salary=salary,
                pay_method=PayProfile.PayMethod.CHEQUE
                if by_cheque
                else PayProfile.PayMethod.DIRECT_DEPOSIT,
                iban=iban.compact if iban else "",
                bic=iban.bic.compact if iban and iban.bic else "",
                account_holder=employee.full_name[:70],
                church_member=rnd.random() < 0.4,
                # Seeded as approved: the demo starts from profiles payroll agreed on.
                approved_at=now,
            )
        )
    PayProfile.objects.bulk_create(profiles, batch_size=2000)
    changes = BankDetailsChange.objects.bulk_create(
        [
            BankDetailsChange(profile=p, new_iban=p.iban, new_bic=p.bic, changed_by=clerk)
            for p in profiles
            if p.iban
        ],
        batch_size=2000,
    )
    BankDetailsChange.objects.filter(pk__in=[c.pk for c in changes]).update(
        changed_at=Cast(
            Subquery(
                Employee.objects.filter(pay_profile=OuterRef("profile")).values("hire_date")[:1]
            ),
            DateTimeField(),
        )
    )
    return len(profiles)


def _workdays(start: datetime.date, end: datetime.date):
    day = start
    while day <= end:
        if day.weekday() < 5:
            yield day
        day += datetime.timedelta(days=1)


def _seed_hours(*, today: datetime.date, clerk, first_day: datetime.date) -> int:
    """Hours on workdays from ``first_day`` (the first day January's run pays: 1 December
    of last year, as the schedule pays hours one month later) up to today for everyone paid
    by the hour, approved by the department's head, so the clerk finds the current month
    ready to run."""
    head_user = dict(Department.objects.values_list("pk", "head__user_id"))
    hourly = list(
        PayProfile.objects.filter(hourly_rate__isnull=False)
        .select_related("employee")
        .only(
            "employee__id",
            "employee__personnel_number",
            "employee__department_id",
            "employee__hire_date",
            "employee__termination_date",
        )
    )
    existing = set(TimeEntry.objects.filter(date__gte=first_day).values_list("employee_id", "date"))
    # Nobody works on a day of approved or requested leave or sickness (hr's demo absences).
    for employee_id, first, last in Absence.objects.filter(
        status__in=Absence.ACTIVE, end_date__gte=first_day, start_date__lte=today
    ).values_list("employee_id", "start_date", "end_date"):
        day = max(first, first_day)
        while day <= last:
            existing.add((employee_id, day))
            day += datetime.timedelta(days=1)
    entries = []
    for profile in hourly:
        employee = profile.employee
        start = max(first_day, employee.hire_date)
        end = min(today, employee.termination_date or today)
        rnd = random.Random(f"payroll-hours-{employee.personnel_number}-{today.year}")
        for day in _workdays(start, end):
            # Drawn for every day so a day's hours are the same whatever exists already.
            absent = rnd.random() < 0.05
            hours = rnd.choice(["8", "8", "8", "8", "7.5", "8.5", "9", "9.5", "10"])
            begin = datetime.time(rnd.choice([6, 7, 7, 8]), rnd.choice([0, 30]))
            if absent or (employee.pk, day) in existing:
                continue
            worked = Decimal(hours)
            finish = datetime.datetime.combine(day, begin) + datetime.timedelta(
                minutes=int(worked * 60) + 30
            )
            entries.append(
                TimeEntry(
                    employee_id=employee.pk,
                    date=day,
                    hours=worked,
                    start_time=begin,
                    end_time=finish.time(),
                    status=TimeEntry.Status.APPROVED,
                    entered_by=clerk,
                    approved_by_id=head_user.get(employee.department_id),
                    approved_at=timezone.now(),
                )
            )
    TimeEntry.objects.bulk_create(entries, batch_size=5000, ignore_conflicts=True)
    return len(entries)


def _pay_month(*, period, clerk, accountant) -> str | None:
    """Calculate, approve and pay one past month through the payday services; returns a
    problem, if any. Skipped when the month is paid already."""
    run = PayrollRun.objects.filter(period=period, kind=PayrollRun.Kind.REGULAR).first()
    if run is not None and run.status == PayrollRun.Status.PAID:
        return None
    # Hours entered in an earlier seeding, now of a past month: the head has approved them.
    TimeEntry.objects.filter(
        date__range=hours_window(period=period), status=TimeEntry.Status.ENTERED
    ).update(status=TimeEntry.Status.APPROVED, approved_at=timezone.now())
    # payday_run_calculate queues one Celery task per chunk with transaction.on_commit. The
    # seeder runs in one transaction, so those tasks would only start after it commits (and
    # only if a worker runs). Instead the seeder calculates each pending chunk here, through
    # the same service the task calls; the tasks queued at commit then find their chunks done
    # and change nothing (they are idempotent). No eager-mode switch needed.
    if run is None or run.status == PayrollRun.Status.DRAFT:
        run = payday_run_calculate(period=period, user=clerk)
    elif run.status in (PayrollRun.Status.CALCULATING, PayrollRun.Status.FAILED):
        run = payday_run_resume(run=run, user=clerk)
    if run.status == PayrollRun.Status.CALCULATING:
        for chunk_id in run.chunks.exclude(status=PayrollChunk.Status.DONE).values_list(
            "pk", flat=True
        ):
            payroll_chunk_calculate(chunk_id=chunk_id)
        run.refresh_from_db()
    if run.status == PayrollRun.Status.CALCULATED:
        run = payday_run_approve(run=run, user=accountant, changes_acknowledged=True)
    if run.status != PayrollRun.Status.APPROVED:
        return f"{period}: {run.get_status_display()} {run.error}".strip()
    payday_run_pay(run=run, user=clerk)
    return None


def _seed_late_iban_change(*, clerk) -> None:
    """One thing for the auditors: an employee who moved their pay to another account a week
    before the last paid payday (a real change, from an old IBAN to the one paid). The audit's
    "IBAN changed shortly before payday" check finds it; first bank details are no change."""
    run = (
        PayrollRun.objects.filter(kind=PayrollRun.Kind.REGULAR, status=PayrollRun.Status.PAID)
        .select_related("period")
        .order_by("-period__start")
        .first()
    )
    profile = (
        PayProfile.objects.filter(
            pay_method=PayProfile.PayMethod.DIRECT_DEPOSIT,
            employee__payslips__run=run,
            employee__payslips__iban=F("iban"),
        )
        .exclude(iban="")
        .order_by("employee__personnel_number")
        .first()
        if run is not None
        else None
    )
    if profile is None:
        return
    old = IBAN.generate(
        "DE", bank_code=BANK_CODES[0], account_code=f"{2_000_000_000 + profile.employee_id:010d}"
    ).compact
    if BankDetailsChange.objects.filter(profile=profile, old_iban=old).exists():
        return
    change = BankDetailsChange.objects.create(
        profile=profile, old_iban=old, new_iban=profile.iban, new_bic=profile.bic, changed_by=clerk
    )
    when = datetime.datetime.combine(
        run.period.payday - datetime.timedelta(days=6), datetime.time(10, 15)
    )
    BankDetailsChange.objects.filter(pk=change.pk).update(changed_at=timezone.make_aware(when))


def _remit_deductions(*, period, today: datetime.date, user) -> None:
    """On the 10th of the next month the withheld taxes and contributions go to the tax office
    and the health insurers: the liabilities the run credited are paid from the bank."""
    run = PayrollRun.objects.filter(period=period, status=PayrollRun.Status.PAID).first()
    day = (period.end + datetime.timedelta(days=10)).replace(day=10)
    if run is None or run.entry_id is None or day > today:
        return
    credited = list(
        run.entry.lines.filter(side="C", account__number__in=["1741", "1742"])
        .values("account_id")
        .annotate(total=Sum("amount"))
        .values_list("account_id", "total")
    )
    if not credited:
        return
    journal_entry_post(
        date=day,
        lines=[Line(account=a, side="D", amount=t) for a, t in credited]
        + [
            Line(
                account=Account.objects.get(number="1200"),
                side="C",
                amount=sum(t for _a, t in credited),
            )
        ],
        source=f"demo:payroll-remittance:{run.pk}",
        memo=f"Abführung Lohnsteuer und Sozialversicherung {period.start:%m/%Y}",
        user=user,
    )


@transaction.atomic
def seed_payroll(*, employees: int = 200, stdout=None) -> list[str]:
    """Pay profiles for every employee, hours for this year, every past month of this year paid
    through the real payday services, the current month approved and ready to run. Idempotent:
    a second run creates nothing and skips paid months. Runs after HR (logins ``payroll`` and
    ``accountant``) and accounting (chart of accounts, fiscal years)."""
    lines = seed_payroll_config()
    today = timezone.localdate()
    fiscal_year_open(year=today.year)
    schedule = default_schedule()
    clerk = _user("payroll", roles.PAYROLL_CLERK)
    accountant = _user("accountant", roles.ACCOUNTANT)
    entry_clerk = _user("dataentry", roles.DATA_ENTRY_CLERK) or clerk
    profiles = _seed_profiles(schedule=schedule, clerk=clerk)
    january = pay_period_for(schedule=schedule, day=today.replace(month=1, day=1))
    hours = _seed_hours(today=today, clerk=entry_clerk, first_day=hours_window(period=january)[0])

    paid, problems = 0, []
    if clerk is None or accountant is None or clerk.pk == accountant.pk:
        problems.append("no payroll clerk and accountant logins; past months not paid")
    else:
        for month in range(1, today.month):
            period = pay_period_for(schedule=schedule, day=datetime.date(today.year, month, 1))
            try:
                problem = _pay_month(period=period, clerk=clerk, accountant=accountant)
            except PaydayRefused as exc:
                problem = f"{period}: {' '.join(exc.messages)}"
            if problem:
                # A later month's year-to-date figures depend on this one: stop here.
                problems.append(problem)
                break
            paid += 1
            _remit_deductions(period=period, today=today, user=clerk)
        _seed_late_iban_change(clerk=clerk)
    current = pay_period_for(schedule=schedule, day=today)
    lines.append(
        f"Payroll: {profiles} pay profiles and {hours} hour entries created; "
        f"{paid} past months paid; {current} ready to run."
    )
    lines += [f"Payroll: not paid: {p}" for p in problems]
    return lines
