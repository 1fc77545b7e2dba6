from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from backoffice.models import TimeStampedModel
from backoffice.money import money_field
from payroll.models.profiles import PayProfile


class PayrollRun(TimeStampedModel):
    """One payday: draft -> calculating -> calculated -> approved -> paid (failed on the way
    shows its error and Calculate again resumes). An off-cycle run started by mistake is
    cancelled at any step before paid: its payslips go, the run stays as a record."""

    class Kind(models.TextChoices):
        REGULAR = "regular", _("Regular")
        OFF_CYCLE = "offcycle", _("Off-cycle")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        CALCULATING = "calculating", _("Calculating")
        CALCULATED = "calculated", _("Calculated")
        FAILED = "failed", _("Failed")
        APPROVED = "approved", _("Approved")
        PAID = "paid", _("Paid")
        CANCELLED = "cancelled", pgettext_lazy("payroll run status", "Cancelled")

    period = models.ForeignKey(
        "payroll.PayPeriod",
        on_delete=models.PROTECT,
        related_name="runs",
        verbose_name=_("pay period"),
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.REGULAR)
    status = models.CharField(
        _("status"), max_length=11, choices=Status.choices, default=Status.DRAFT
    )
    expected_count = models.PositiveIntegerField(_("employees expected"), default=0)
    error = models.TextField(_("error"), blank=True)
    calculated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("calculated by"),
    )
    calculation_started_at = models.DateTimeField(null=True, blank=True)
    # Off-cycle runs pay only the employees they name; a regular run pays its schedule.
    employee_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    # The off-cycle page's form key: a second post of the same form (a double click, a
    # reload) opens the run the first one created instead of paying twice.
    creation_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    # When the watchdog last resumed the run because nothing moved (once per stall).
    watchdog_resumed_at = models.DateTimeField(null=True, blank=True)
    calculated_at = models.DateTimeField(_("calculated at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("paid by"),
    )
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cancelled by"),
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    entry = models.OneToOneField(
        "accounting.JournalEntry",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payroll_run",
        verbose_name=_("journal entry"),
    )
    cheques_pdf = models.FileField(_("cheque run"), upload_to="cheques/%Y/%m/", blank=True)

    class Meta:
        verbose_name = _("payroll run")
        verbose_name_plural = _("payroll runs")
        ordering = ["-period__start", "kind"]
        permissions = [
            ("run_payday", _("Can calculate and pay payroll runs")),
            ("approve_payrollrun", _("Can approve payroll runs")),
            ("export_payroll_reports", _("Can see and export payroll reports")),
        ]
        constraints = [
            # One regular run per period; off-cycle runs as many as corrections need (each
            # pays only what it names, and no period twice: Payslip.period).
            models.UniqueConstraint(
                fields=["period", "kind"],
                condition=models.Q(kind="regular"),
                name="payrollrun_one_regular_per_period",
            ),
        ]

    @classmethod
    def kind_in_sentence(cls, kind: str) -> str:
        """The kind inside a sentence ("a regular run", "einen Lauf (Sonderlauf, …)"): lower
        case in English, while the German noun keeps its capital."""
        if kind == cls.Kind.OFF_CYCLE:
            return pgettext("run kind inside a sentence", "off-cycle")
        return pgettext("run kind inside a sentence", "regular")

    def number_text(self) -> str:
        """The run as messages name it: "Off-cycle no. 12" ("Sonderlauf Nr. 12")."""
        return gettext("%(kind)s no. %(run)d") % {"kind": self.get_kind_display(), "run": self.pk}

    def __str__(self) -> str:
        if self.kind == self.Kind.OFF_CYCLE:
            return f"{self.period} ({self.get_kind_display()} {self.pk})"
        return f"{self.period} ({self.get_kind_display()})"


class PayrollChunk(models.Model):
    """About 1,000 employees of a run, calculated by one Celery task."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    run = models.ForeignKey(PayrollRun, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField()
    employee_ids = ArrayField(models.BigIntegerField())
    status = models.CharField(max_length=7, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    # When the chunk's payslips were committed: the run's progress, read by the watchdog.
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "index"], name="payrollchunk_unique_index"),
        ]

    def __str__(self) -> str:
        return f"{self.run_id}#{self.index}"


class Payslip(models.Model):
    run = models.ForeignKey(
        PayrollRun, on_delete=models.PROTECT, related_name="payslips", verbose_name=_("run")
    )
    chunk = models.ForeignKey(PayrollChunk, on_delete=models.PROTECT, related_name="payslips")
    # The run's period, kept on the payslip so the database can refuse a second payslip that
    # pays the same employee's period (a regular and an off-cycle run, or two of anything).
    period = models.ForeignKey(
        "payroll.PayPeriod",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("pay period"),
    )
    pays_period = models.BooleanField(
        _("pays the period"),
        default=True,
        help_text=_("The period's salary or hours; false for a one-off payment only."),
    )
    employee = models.ForeignKey(
        "hr.Employee",
        on_delete=models.PROTECT,
        related_name="payslips",
        verbose_name=_("employee"),
    )
    department = models.ForeignKey(
        "hr.Department",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("department"),
    )
    pay_method = models.CharField(
        _("pay method"), max_length=7, choices=PayProfile.PayMethod.choices
    )
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    account_holder = models.CharField(_("account holder"), max_length=70, blank=True)
    hours = models.DecimalField(_("hours"), max_digits=7, decimal_places=2, default=0)
    overtime_hours = models.DecimalField(
        _("overtime hours"), max_digits=7, decimal_places=2, default=0
    )
    gross = money_field(_("gross pay"))
    deductions = money_field(_("deductions"))
    net = money_field(_("net pay"))
    employer_contributions = money_field(_("employer contributions"))
    # The employee's net in the schedule's previous paid regular run, written with the payslip
    # (null: no payslip there), so that the review compares two columns of one row.
    previous_net = money_field(_("previous net pay"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    pdf = models.FileField(_("PDF"), upload_to="payslips/%Y/%m/", blank=True)

    class Meta:
        verbose_name = _("payslip")
        verbose_name_plural = _("payslips")
        ordering = ["run", "employee_id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "employee"], name="payslip_one_per_employee"),
            models.UniqueConstraint(
                fields=["period", "employee"],
                condition=models.Q(pays_period=True),
                name="payslip_period_paid_once",
                violation_error_message=_("This employee's period is already in another run."),
            ),
            models.CheckConstraint(
                condition=models.Q(net=models.F("gross") - models.F("deductions")),
                name="payslip_net_is_gross_less_deductions",
            ),
        ]
        indexes = [
            models.Index(fields=["employee", "run"], name="payslip_employee_idx"),
            # The admin's pay method filter counts its own rows, not the table.
            models.Index(fields=["pay_method"], name="payslip_pay_method_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.run} · {self.employee_id}"


class PayslipLine(models.Model):
    class Kind(models.TextChoices):
        EARNING = "earning", _("Earning")
        DEDUCTION = "deduction", _("Deduction")
        EMPLOYER = "employer", _("Employer contribution")

    payslip = models.ForeignKey(Payslip, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(_("kind"), max_length=9, choices=Kind.choices)
    code = models.CharField(_("code"), max_length=30)
    # Long enough for a late-hours line that lists its days.
    label = models.CharField(_("label"), max_length=255)
    quantity = models.DecimalField(_("quantity"), max_digits=9, decimal_places=2, null=True)
    rate = models.DecimalField(_("rate"), max_digits=14, decimal_places=4, null=True)
    amount = money_field(_("amount"))
    account_id_snapshot = models.BigIntegerField(null=True)

    class Meta:
        verbose_name = _("payslip line")
        verbose_name_plural = _("payslip lines")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.code}: {self.amount}"


class PayrollChunkLineTotal(models.Model):
    """The lines of a chunk's payslips summed per kind and code, written with them (and
    replaced with them): the payroll register adds up a few rows per chunk instead of every
    line of every payslip."""

    chunk = models.ForeignKey(PayrollChunk, on_delete=models.CASCADE, related_name="line_totals")
    kind = models.CharField(_("kind"), max_length=9, choices=PayslipLine.Kind.choices)
    code = models.CharField(_("code"), max_length=30)
    label = models.CharField(_("label"), max_length=100)
    # Where the code first appears among the chunk's lines: the register's column order.
    position = models.PositiveIntegerField()
    amount = money_field(_("amount"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["chunk", "kind", "code"], name="chunk_line_total_once"),
        ]

    def __str__(self) -> str:
        return f"{self.chunk} {self.code}: {self.amount}"


class PayslipError(models.Model):
    """Why an employee could not be calculated in a run (shown on the dashboard)."""

    run = models.ForeignKey(PayrollRun, on_delete=models.CASCADE, related_name="errors")
    chunk = models.ForeignKey(PayrollChunk, on_delete=models.CASCADE, related_name="errors")
    employee = models.ForeignKey("hr.Employee", on_delete=models.CASCADE, related_name="+")
    message = models.CharField(max_length=300)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "employee"], name="payslip_error_once"),
        ]

    def __str__(self) -> str:
        return self.message


class ChequeSequence(models.Model):
    """The last cheque number issued: cheque numbers are unique and gapless."""

    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.last_number)


class Cheque(models.Model):
    run = models.ForeignKey(PayrollRun, on_delete=models.PROTECT, related_name="cheques")
    payslip = models.OneToOneField(Payslip, on_delete=models.PROTECT, related_name="cheque")
    number = models.PositiveIntegerField(_("cheque number"), unique=True)
    payee = models.CharField(_("payee"), max_length=200)
    amount = money_field(_("amount"))
    issued_on = models.DateField(_("issued on"))

    class Meta:
        verbose_name = _("cheque")
        verbose_name_plural = _("cheques")
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number}: {self.amount}"


class BankFile(models.Model):
    """The SEPA credit transfer (pain.001.001.09) for a run's direct deposits."""

    run = models.OneToOneField(PayrollRun, on_delete=models.PROTECT, related_name="bank_file")
    message_id = models.CharField(max_length=35, unique=True)
    xml = models.TextField()
    transactions = models.PositiveIntegerField()
    control_sum = money_field()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("bank file")
        verbose_name_plural = _("bank files")

    def __str__(self) -> str:
        return self.message_id
