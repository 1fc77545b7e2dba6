"""Reads of the personnel file: who may see which part, the page's data, the access log, the
change history and the change requests; and the personal fields a payslip prints.

Who sees what (issue #8, item 1):

- HR managers (``hr.view_personnelfile``) see every file, all parts, and its history.
- A department head sees the people of the departments they head: personal data, contract and
  emergency contact, never tax, social insurance, documents or history (nor bank details,
  which no HR page shows at all).
- Everyone sees their own file, without its history.
- Anyone else: not found (404), never forbidden, so a file's existence does not leak.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from hr.models import (
    Department,
    Employee,
    PersonnelChangeRequest,
    PersonnelDocument,
    PersonnelFile,
    PersonnelFileAccess,
    Position,
)

Part = PersonnelFileAccess.Part
ALL_PARTS = tuple(Part.values)
HR_PARTS = frozenset(ALL_PARTS)
OWN_PARTS = frozenset({Part.PERSONAL, Part.TAX, Part.CONTRACT, Part.EMERGENCY, Part.DOCUMENTS})
HEAD_PARTS = frozenset({Part.PERSONAL, Part.CONTRACT, Part.EMERGENCY})

HISTORY_LIMIT = 100


def personnel_file_is_hr(*, user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_perm("hr.view_personnelfile")


def personnel_file_parts_for(*, user, employee: Employee) -> frozenset[str]:
    """The parts of ``employee``'s file that ``user`` may see; empty: not at all (404).
    ``employee.department`` should be loaded (its head is compared, no query)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    parts: set[str] = set()
    if personnel_file_is_hr(user=user):
        parts |= HR_PARTS
    if employee.user_id is not None and employee.user_id == user.pk:
        parts |= OWN_PARTS
    head = employee.department.head if employee.department_id else None
    if head is not None and head.user_id is not None and head.user_id == user.pk:
        parts |= HEAD_PARTS
    return frozenset(parts)


@dataclass
class PersonnelFilePage:
    employee: Employee
    file: PersonnelFile | None
    parts: frozenset[str]
    documents: list[PersonnelDocument] = field(default_factory=list)
    history: list[HistoryRow] = field(default_factory=list)
    pending_requests: list[PersonnelChangeRequest] = field(default_factory=list)

    def shows(self, part: str) -> bool:
        return part in self.parts

    @property
    def ordered_parts(self) -> list[str]:
        return [p for p in ALL_PARTS if p in self.parts]


def _employee_for_file(pk: int) -> Employee | None:
    return (
        Employee.objects.select_related("department__head", "position", "manager")
        .filter(pk=pk)
        .first()
    )


def personnel_file_page(*, user, employee_pk: int) -> PersonnelFilePage | None:
    """The file page of one employee as ``user`` may see it, or None (not found). A bounded
    number of queries whatever the size of the file's history."""
    employee = _employee_for_file(employee_pk)
    if employee is None:
        return None
    parts = personnel_file_parts_for(user=user, employee=employee)
    if not parts:
        return None
    file = PersonnelFile.objects.filter(employee=employee).first()
    page = PersonnelFilePage(employee=employee, file=file, parts=parts)
    if Part.DOCUMENTS in parts:
        page.documents = list(
            PersonnelDocument.objects.filter(employee=employee).select_related("uploaded_by")
        )
    if Part.HISTORY in parts:
        page.history = personnel_file_history(employee=employee)
    page.pending_requests = list(
        PersonnelChangeRequest.objects.filter(
            employee=employee, status=PersonnelChangeRequest.Status.PENDING
        ).select_related("requested_by")
    )
    return page


def personnel_document_for_download(
    *, user, employee_pk: int, document_pk: int
) -> PersonnelDocument | None:
    """The document if ``user`` may see the documents of its employee's file, else None."""
    document = (
        PersonnelDocument.objects.select_related("employee__department__head")
        .filter(pk=document_pk, employee_id=employee_pk)
        .first()
    )
    if document is None:
        return None
    if Part.DOCUMENTS not in personnel_file_parts_for(user=user, employee=document.employee):
        return None
    return document


# --- History -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryRow:
    at: datetime
    who: str
    record: str
    field: str
    old: str
    new: str


def _tracked_fields(model) -> list:
    excluded = {"id", "created_at", "updated_at", "employee"}
    return [f for f in model._meta.concrete_fields if f.name not in excluded]


def _history_versions(history_manager, **filters) -> list:
    """The newest HISTORY_LIMIT versions and the one before them, oldest first."""
    rows = list(
        history_manager.filter(**filters)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[: HISTORY_LIMIT + 1]
    )
    rows.reverse()
    return rows


def personnel_file_history(*, employee: Employee) -> list[HistoryRow]:
    """Who changed which field of the employee and of their personnel file, when, old → new;
    newest first. Foreign keys are shown by name (one query per related model)."""
    changes: list[tuple] = []
    sources = (
        (Employee, _history_versions(Employee.history, id=employee.pk)),
        (PersonnelFile, _history_versions(PersonnelFile.history, employee_id=employee.pk)),
    )
    for model, versions in sources:
        fields = _tracked_fields(model)
        label = str(model._meta.verbose_name)
        for i, version in enumerate(versions):
            previous = versions[i - 1] if i > 0 else None
            if previous is None and len(versions) > HISTORY_LIMIT:
                continue  # only the baseline for the next one
            for f in fields:
                new = getattr(version, f.attname)
                old = getattr(previous, f.attname) if previous is not None else None
                if previous is None and new in (None, "", False):
                    continue
                if previous is not None and old == new:
                    continue
                changes.append((version, label, f, old, new))
    names = _related_names(changes)
    rows = [
        HistoryRow(
            at=version.history_date,
            who=version.history_user.get_username() if version.history_user else "",
            record=label,
            field=str(f.verbose_name),
            old=_display(f, old, names),
            new=_display(f, new, names),
        )
        for version, label, f, old, new in changes
    ]
    rows.sort(key=lambda r: r.at, reverse=True)
    return rows


def _related_names(changes) -> dict:
    wanted: dict = {}
    for _version, _label, f, old, new in changes:
        if f.is_relation:
            wanted.setdefault(f.related_model, set()).update(v for v in (old, new) if v)
    names: dict = {}
    for model, ids in wanted.items():
        if model is Department:
            qs = Department.objects.filter(pk__in=ids).values_list("pk", "code")
        elif model is Position:
            qs = Position.objects.filter(pk__in=ids).values_list("pk", "title")
        elif model is Employee:
            qs = (
                (e.pk, e.full_name)
                for e in Employee.objects.filter(pk__in=ids).only("first_name", "last_name")
            )
        else:
            user_model = get_user_model()
            qs = user_model.objects.filter(pk__in=ids).values_list("pk", user_model.USERNAME_FIELD)
        names[model] = dict(qs)
    return names


def _display(f, value, names) -> str:
    if value is None or value == "":
        return "–"
    if f.is_relation:
        return str(names.get(f.related_model, {}).get(value, value))
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    return str(value)


# --- Access log ----------------------------------------------------------------------------------


def personnel_file_access_log(*, employee: str = "", viewer: str = "") -> QuerySet:
    """The access log, newest first, filtered by the employee's personnel number and the
    viewer's user name (exact)."""
    qs = PersonnelFileAccess.objects.select_related("viewer", "employee", "document")
    if employee:
        qs = qs.filter(employee__personnel_number__iexact=employee)
    if viewer:
        user_model = get_user_model()
        qs = qs.filter(**{f"viewer__{user_model.USERNAME_FIELD}__iexact": viewer})
    return qs.order_by("-at", "-id")


# --- Change requests -----------------------------------------------------------------------------


def personnel_change_requests_pending() -> QuerySet[PersonnelChangeRequest]:
    return (
        PersonnelChangeRequest.objects.filter(status=PersonnelChangeRequest.Status.PENDING)
        .select_related("employee", "requested_by")
        .order_by("requested_at", "id")
    )


def personnel_change_requests_of(*, employee: Employee) -> QuerySet[PersonnelChangeRequest]:
    return PersonnelChangeRequest.objects.filter(employee=employee).select_related("decided_by")


# --- For the payslip -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PayslipPersonalData:
    """The personnel file's part of a payslip. The tax ID and the social-insurance number are
    printed in full: § 1 (1) Nr. 3 and 7 EBV (Entgeltbescheinigungsverordnung) require both on
    the payslip, and the authorities the employee shows it to (pension and health insurance,
    Finanzamt, Elterngeld) need them whole. The document goes only to the employee and to
    payroll, who both see the file anyway; the bank account stays masked (payroll.pdf)."""

    address_lines: tuple[str, ...]
    birth_date: date | None
    tax_class: str
    tax_id: str
    social_insurance_number: str
    church_tax: bool


def _payslip_personal_data(file: PersonnelFile) -> PayslipPersonalData:
    city_line = " ".join(p for p in (file.postal_code, file.city) if p)
    return PayslipPersonalData(
        address_lines=tuple(line for line in (file.street, city_line) if line),
        birth_date=file.birth_date,
        tax_class=file.get_tax_class_display() if file.tax_class else "",
        tax_id=file.tax_id,
        social_insurance_number=file.social_insurance_number,
        church_tax=file.church_tax,
    )


_PAYSLIP_FIELDS = (
    "employee_id",
    "street",
    "postal_code",
    "city",
    "birth_date",
    "tax_class",
    "tax_id",
    "social_insurance_number",
    "church_tax",
)


def payslip_personal_data_for(*, employee_ids: Iterable[int]) -> dict[int, PayslipPersonalData]:
    """What the payslips of these employees print from their files, by employee id, in one
    query; an employee without a file is missing from the result."""
    files = PersonnelFile.objects.filter(employee_id__in=set(employee_ids)).only(*_PAYSLIP_FIELDS)
    return {f.employee_id: _payslip_personal_data(f) for f in files}


def payslip_personal_data(*, employee_id: int) -> PayslipPersonalData | None:
    """What a payslip prints from the personnel file (one query); None without a file."""
    return payslip_personal_data_for(employee_ids=[employee_id]).get(employee_id)
