"""Departments, positions and employees."""

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models.functions import Lower, Upper
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from backoffice.models import TimeStampedModel


class Department(TimeStampedModel):
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    head = models.ForeignKey(
        "hr.Employee",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="headed_departments",
        verbose_name=_("head"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent department"),
    )
    cost_center = models.CharField(_("cost center"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["code"]
        permissions = [
            ("export_department", _("Can export departments from the admin")),
            ("import_department", _("Can import departments into the admin")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("pk")), name="department_not_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"


class Position(TimeStampedModel):
    title = models.CharField(_("title"), max_length=200)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="positions", verbose_name=_("department")
    )

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["department__code", "title"]
        constraints = [
            models.UniqueConstraint(fields=["department", "title"], name="position_unique_title"),
        ]

    def __str__(self) -> str:
        return self.title


# The columns the admin searches (hr.admin.EmployeeAdmin.search_fields), trigram-indexed.
SEARCHED_FIELDS = ("personnel_number", "last_name", "first_name", "work_email")


class Employee(TimeStampedModel):
    class EmploymentType(models.TextChoices):
        HOURLY = "hourly", _("Hourly")
        SALARIED = "salaried", _("Salaried")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        ON_LEAVE = "on_leave", _("On leave")
        TERMINATED = "terminated", _("Terminated")

    personnel_number = models.CharField(_("personnel number"), max_length=20, unique=True)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    work_email = models.EmailField(_("work email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="employees", verbose_name=_("department")
    )
    position = models.ForeignKey(
        Position,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="employees",
        verbose_name=_("position"),
    )
    manager = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("manager"),
    )
    employment_type = models.CharField(
        _("employment type"), max_length=10, choices=EmploymentType.choices
    )
    hire_date = models.DateField(_("hire date"))
    termination_date = models.DateField(_("termination date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="employee",
        verbose_name=_("login"),
    )
    # Change history of every field (django-simple-history), shown on the personnel file.
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        ordering = ["last_name", "first_name", "personnel_number"]
        permissions = [
            ("view_all_employees", _("Can see every employee, not only their own department")),
            (
                "view_employee_directory",
                _("Can look up current employees' names, department and work contact"),
            ),
            ("export_employee", _("Can export employees from the admin")),
            ("import_employee", _("Can import employees into the admin")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(termination_date__isnull=True)
                | models.Q(termination_date__gte=models.F("hire_date")),
                name="employee_terminated_after_hire",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="terminated") | models.Q(termination_date__isnull=False),
                name="employee_terminated_has_date",
            ),
            models.UniqueConstraint(
                Lower("work_email"),
                condition=~models.Q(work_email=""),
                name="employee_unique_work_email",
                violation_error_message=_("Another employee already has this work email."),
            ),
        ]
        indexes = [
            models.Index(fields=["department", "last_name"], name="employee_department_idx"),
            models.Index(fields=["last_name", "first_name"], name="employee_name_idx"),
            # Hires and terminations of a pay period (payday readiness) and the admin's
            # date hierarchy (its first and last hire date).
            models.Index(fields=["hire_date"], name="employee_hire_date_idx"),
            models.Index(fields=["termination_date"], name="employee_termination_idx"),
            # The admin's search (icontains: UPPER(column) LIKE '%...%') on each of its
            # columns, through trigrams instead of reading every employee.
            *(
                GinIndex(OpClass(Upper(field), name="gin_trgm_ops"), name=f"employee_{field}_trgm")
                for field in SEARCHED_FIELDS
            ),
        ]

    def __str__(self) -> str:
        return f"{self.last_name}, {self.first_name} ({self.personnel_number})"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors = {}
        if (
            self.position_id
            and self.department_id
            and self.position.department_id != self.department_id
        ):
            errors["position"] = _("The position belongs to another department.")
        if self.manager_id and self.pk and self.manager_id == self.pk:
            errors["manager"] = _("An employee cannot be their own manager.")
        if errors:
            raise ValidationError(errors)
