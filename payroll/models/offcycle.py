from django.db import models
from django.utils.translation import gettext_lazy as _

from backoffice.money import money_field


class OffCycleItem(models.Model):
    """What an off-cycle run pays one employee, entered on the off-cycle page: a late hire's
    period (the salary or hours the regular run left out), or a one-off amount (a final
    payout at termination, a bonus) that the chunk calculation adds as an earning line, taxed
    with the payslip's other earnings."""

    class Kind(models.TextChoices):
        LATE_HIRE = "late_hire", _("Late hire: the period's pay")
        FINAL_PAYOUT = "final_payout", _("Final payout at termination")
        BONUS = "bonus", _("Bonus")

    run = models.ForeignKey(
        "payroll.PayrollRun",
        on_delete=models.PROTECT,
        related_name="offcycle_items",
        verbose_name=_("run"),
    )
    employee = models.ForeignKey(
        "hr.Employee", on_delete=models.PROTECT, related_name="+", verbose_name=_("employee")
    )
    kind = models.CharField(_("reason"), max_length=12, choices=Kind.choices)
    amount = money_field(_("amount"))
    text = models.CharField(_("text on the payslip"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("off-cycle item")
        verbose_name_plural = _("off-cycle items")
        ordering = ["run", "employee_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="offcycleitem_amount_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["run", "employee"], name="offcycleitem_run_employee")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.amount}"

    @property
    def pays_period(self) -> bool:
        """A late hire's item pays the period's salary or hours; the others only their
        amount."""
        return self.kind == self.Kind.LATE_HIRE
