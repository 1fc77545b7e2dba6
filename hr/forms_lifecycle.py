"""Forms of hire, transfer and termination: they parse input; the services check the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from hr.models import Department, Employee, PersonnelFile, Position, Termination


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class _ManagerField(forms.CharField):
    """A manager picked by personnel number: a select of 10,000 people is no help."""

    def __init__(self, **kwargs):
        super().__init__(
            label=_("Manager (personnel number)"),
            max_length=20,
            required=False,
            help_text=_("Left empty: the head of the department."),
            **kwargs,
        )

    def to_employee(self, value: str) -> Employee | None:
        if not value:
            return None
        manager = (
            Employee.objects.exclude(status=Employee.Status.TERMINATED)
            .filter(personnel_number__iexact=value.strip())
            .first()
        )
        if manager is None:
            raise forms.ValidationError(_("No current employee has this personnel number."))
        return manager


class _DepartmentPositionForm(forms.Form):
    def _setup(self, departments) -> None:
        self.fields["department"].queryset = departments
        self.fields["position"].queryset = Position.objects.filter(
            department__in=departments
        ).select_related("department")
        self.fields["position"].label_from_instance = lambda p: f"{p.department.code} · {p.title}"

    def clean_manager(self):
        return self.fields["manager"].to_employee(self.cleaned_data.get("manager", ""))

    def clean(self):
        data = super().clean()
        position, department = data.get("position"), data.get("department")
        if position and department and position.department_id != department.pk:
            self.add_error("position", _("The position belongs to another department."))
        return data


class HireForm(_DepartmentPositionForm):
    first_name = forms.CharField(label=_("first name"), max_length=100)
    last_name = forms.CharField(label=_("last name"), max_length=100)
    work_email = forms.EmailField(
        label=_("work email"),
        help_text=_("The login's address: the mail to set a password goes here."),
    )
    department = forms.ModelChoiceField(label=_("department"), queryset=Department.objects.none())
    position = forms.ModelChoiceField(
        label=_("position"), queryset=Position.objects.none(), required=False
    )
    manager = _ManagerField()
    employment_type = forms.ChoiceField(
        label=_("employment type"), choices=Employee.EmploymentType.choices
    )
    hire_date = forms.DateField(label=_("hire date"), widget=DateInput())
    personnel_number = forms.CharField(
        label=_("personnel number"),
        max_length=20,
        required=False,
        help_text=_("Left empty: the next free number."),
    )
    contract_type = forms.ChoiceField(
        label=_("contract type"), choices=PersonnelFile.ContractType.choices
    )
    weekly_hours = forms.DecimalField(
        label=_("weekly hours"),
        max_digits=4,
        decimal_places=2,
        min_value=0,
        max_value=60,
        required=False,
        localize=True,
    )
    probation_end = forms.DateField(label=_("end of probation"), required=False, widget=DateInput())
    fixed_term_end = forms.DateField(
        label=_("end of fixed term"), required=False, widget=DateInput()
    )

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup(departments)

    def clean_personnel_number(self):
        number = self.cleaned_data["personnel_number"].strip()
        if number and Employee.objects.filter(personnel_number__iexact=number).exists():
            raise forms.ValidationError(_("Another employee has this personnel number."))
        return number


class TransferForm(_DepartmentPositionForm):
    department = forms.ModelChoiceField(label=_("department"), queryset=Department.objects.none())
    position = forms.ModelChoiceField(
        label=_("position"), queryset=Position.objects.none(), required=False
    )
    manager = _ManagerField()
    valid_from = forms.DateField(label=_("effective from"), widget=DateInput())
    note = forms.CharField(label=_("note"), max_length=500, required=False)

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup(departments)


class TerminateForm(forms.Form):
    reason = forms.ChoiceField(label=_("reason"), choices=Termination.Reason.choices)
    notice_given_on = forms.DateField(label=_("notice given on"), widget=DateInput())
    last_day = forms.DateField(label=_("last day"), widget=DateInput())
    note = forms.CharField(label=_("note"), max_length=500, required=False)

    def clean(self):
        data = super().clean()
        notice, last_day = data.get("notice_given_on"), data.get("last_day")
        if notice and last_day and last_day < notice:
            self.add_error("last_day", _("The last day lies before the notice was given."))
        return data


class ChecklistItemForm(forms.Form):
    done = forms.BooleanField(required=False)
    note = forms.CharField(max_length=500, required=False)
