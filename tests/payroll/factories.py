import datetime
from decimal import Decimal

from django.utils import timezone

from accounting.models import Account
from accounting.services import bank_account_details_set, fiscal_year_open
from backoffice.services import user_language_set
from payroll.models import DeductionRule, PayProfile, PaySchedule, TimeEntry
from payroll.services.payday import payroll_settings
from payroll.services.schedules import pay_period_for
from tests.hr.factories import EmployeeFactory, UserFactory

VALID_IBANS = [
    "DE89370400440532013000",
    "DE02120300000000202051",
    "DE02500105170137075030",
    "DE02100500000054540402",
    "DE88100900001234567892",
]


def acct(number: str) -> Account:
    return Account.objects.get(number=number)


def payroll_setup(year: int = 2026):
    """Fiscal year, the default monthly schedule, settings and a small German-style preset."""
    fiscal_year_open(year=year)
    schedule, _c = PaySchedule.objects.get_or_create(
        name="Monatlich", defaults={"is_default": True, "payday_day": 28}
    )
    settings = payroll_settings()
    # The paying bank account's details live in accounting (payroll reads them from there).
    bank_account_details_set(
        account=settings.bank_account, iban="DE89370400440532013000", bic="COBADEFFXXX"
    )
    rv, _c = DeductionRule.objects.get_or_create(
        code="RV",
        defaults={
            "name": "Rentenversicherung",
            "kind": "percent",
            "employee_rate": Decimal("9.3"),
            "employer_rate": Decimal("9.3"),
            "monthly_ceiling": Decimal("8050.00"),
            "liability_account": acct("1742"),
            "employer_expense_account": acct("4130"),
            "order": 10,
            "category": DeductionRule.Category.SOCIAL,
        },
    )
    lst, _c = DeductionRule.objects.get_or_create(
        code="LST",
        defaults={
            "name": "Lohnsteuer (vereinfachte Regel)",
            "kind": "percent",
            "employee_rate": Decimal("15"),
            "liability_account": acct("1741"),
            "order": 20,
            "category": DeductionRule.Category.TAX,
        },
    )
    DeductionRule.objects.get_or_create(
        code="KIST",
        defaults={
            "name": "Kirchensteuer",
            "kind": "percent",
            "employee_rate": Decimal("9"),
            "base_rule": lst,
            "applies_to": "church",
            "liability_account": acct("1741"),
            "order": 30,
            "category": DeductionRule.Category.TAX,
        },
    )
    return schedule


def period_for(schedule, day=datetime.date(2026, 3, 1)):
    return pay_period_for(schedule=schedule, day=day)


def profile(schedule, *, employee=None, hourly_rate=None, salary=None, iban_index=0, **kw):
    """A pay profile as payroll approved it (background for tests; the four-eyes flow itself
    goes through payroll.services.profiles)."""
    employee = employee or EmployeeFactory(employment_type="hourly" if hourly_rate else "salaried")
    kw.setdefault("approved_at", timezone.now())
    return PayProfile.objects.create(
        employee=employee,
        schedule=schedule,
        hourly_rate=Decimal(hourly_rate) if hourly_rate else None,
        monthly_salary=Decimal(salary) if salary else None,
        iban=kw.pop("iban", VALID_IBANS[iban_index % len(VALID_IBANS)]),
        **kw,
    )


def approved_hours(employee, day: datetime.date, hours: str):
    return TimeEntry.objects.create(
        employee=employee, date=day, hours=Decimal(hours), status=TimeEntry.Status.APPROVED
    )


def speaks(employee, language: str):
    """Give ``employee`` a login that chose ``language`` with the language switch."""
    user = UserFactory()
    employee.user = user
    employee.save(update_fields=["user"])
    user_language_set(user=user, language=language)
    return user
