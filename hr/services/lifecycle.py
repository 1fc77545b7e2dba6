"""Hire, transfer and terminate, with the onboarding and offboarding checklists.

Who may do it is decided in ``hr.selectors.lifecycle`` (HR managers everywhere, department
heads in the departments they head); the services here check the rules of the records.
"""

from __future__ import annotations

import logging
import unicodedata
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from backoffice import roles
from backoffice.mail import mail_link
from backoffice.selectors import user_language
from backoffice.services import user_roles_set
from hr import registry
from hr.models import (
    Checklist,
    ChecklistItem,
    Department,
    Employee,
    EmploymentChange,
    PersonnelFile,
    Position,
    Termination,
)
from hr.selectors.lifecycle import employment_departments_for
from hr.services.employees import employee_hire, employee_terminate

# Hires and transfers are planned at most this far ahead (a typo such as 2062 is refused).
PLANNING_HORIZON = timedelta(days=366)

logger = logging.getLogger(__name__)

USERNAME_MAX = 30
# pg_advisory_xact_lock key of hiring ("HIRE" in ASCII, as an integer): one hire at a time, so a
# double click or two HR managers at once cannot both pass the e-mail check, nor take the same
# username or personnel number (which answered 500).
HIRE_LOCK = 0x48495245


# --- Checklists ---------------------------------------------------------------------------------


@transaction.atomic
def checklist_create(*, employee: Employee, kind: str) -> Checklist:
    """The employee's checklist of this kind, with the items registered for it now (those whose
    ``applies`` leaves the employee out are left out). Idempotent: a second call returns the
    checklist made by the first."""
    checklist, created = Checklist.objects.get_or_create(employee=employee, kind=kind)
    if not created:
        return checklist
    with translation.override("en"):
        items = [
            ChecklistItem(
                checklist=checklist,
                key=spec.key,
                title=str(spec.title)[:200],
                owner=spec.owner,
                order=spec.order,
            )
            for spec in registry.checklist_items(kind)
            if spec.applies is None or spec.applies(employee)
        ]
    ChecklistItem.objects.bulk_create(items)
    return checklist


def _completion_update(checklist: Checklist) -> None:
    open_items = checklist.items.filter(done_at__isnull=True).exists()
    completed_at = None if open_items else (checklist.completed_at or timezone.now())
    if completed_at != checklist.completed_at:
        checklist.completed_at = completed_at
        checklist.save(update_fields=["completed_at", "updated_at"])


@transaction.atomic
def checklist_item_tick(*, item: ChecklistItem, user, done: bool = True, note: str = "") -> None:
    """Tick (or untick) one item, noting who and when. Ticking a ticked item keeps the first
    tick; the checklist is complete when its last item is ticked."""
    item = ChecklistItem.objects.select_for_update().select_related("checklist").get(pk=item.pk)
    note = note.strip()[:500]
    if done and item.done_at is None:
        item.done_at, item.done_by = timezone.now(), user
    elif not done and item.done_at is not None:
        item.done_at, item.done_by = None, None
    if note:
        item.note = note
    item.save(update_fields=["done_at", "done_by", "note"])
    _completion_update(item.checklist)


@transaction.atomic
def checklist_autocomplete(*, checklist: Checklist) -> int:
    """Tick the open items whose registered ``done(employee)`` reports the work done (a pay
    profile exists, say). Returns how many were ticked."""
    specs = {spec.key: spec for spec in registry.checklist_items(checklist.kind) if spec.done}
    if not specs:
        return 0
    open_items = list(
        ChecklistItem.objects.select_for_update()
        .filter(checklist=checklist, done_at__isnull=True, key__in=list(specs))
        .order_by("pk")
    )
    employee = checklist.employee
    ticked = [item for item in open_items if specs[item.key].done(employee)]
    if not ticked:
        return 0
    now = timezone.now()
    for item in ticked:
        # No ``done_by``: the page says it was ticked automatically.
        item.done_at = now
    ChecklistItem.objects.bulk_update(ticked, ["done_at"])
    _completion_update(checklist)
    return len(ticked)


# --- Hire ---------------------------------------------------------------------------------------


def _ascii(text: str) -> str:
    text = text.replace("ß", "ss").replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
    text = text.replace("Ä", "Ae").replace("Ö", "Oe").replace("Ü", "Ue")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in text.lower() if c.isalnum())


def username_for(*, first_name: str, last_name: str) -> str:
    """``first.last`` in plain letters (umlauts spelt out), numbered when taken."""
    base = ".".join(p for p in (_ascii(first_name), _ascii(last_name)) if p) or "employee"
    base = base[:USERNAME_MAX]
    user_model = get_user_model()
    taken = set(
        user_model.objects.filter(username__istartswith=base).values_list("username", flat=True)
    )
    taken = {name.lower() for name in taken}
    if base not in taken:
        return base
    n = 2
    while f"{base}{n}" in taken:
        n += 1
    return f"{base}{n}"


def _personnel_number_next() -> str:
    """``H`` and six digits, one more than the highest such number so far."""
    last = (
        Employee.objects.filter(personnel_number__regex=r"^H[0-9]{6}$")
        .order_by("-personnel_number")
        .values_list("personnel_number", flat=True)
        .first()
    )
    return f"H{(int(last[1:]) + 1 if last else 1):06d}"


def welcome_mail_send(*, user_id: int) -> None:
    """The new employee's mail with the link to set their password (Django's password-reset
    token: it stops working once the password is set). Written in the new employee's language
    (the one their login chose, else the site's), not in that of the clerk who hired them."""
    user = (
        get_user_model()
        .objects.filter(pk=user_id, is_active=True)
        .select_related("preference")
        .first()
    )
    if user is None or not user.email:
        return
    with translation.override(user_language(user=user)):
        _welcome_mail_send(user)


def _welcome_mail_send(user) -> None:
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    subject = _("Welcome: set the password of your login")
    body = _(
        "Hello %(name)s,\n\nyour login to %(site)s is ready. Your username is: %(username)s\n\n"
        "Set your password with this link:\n%(link)s\n\nThe link works once."
    ) % {
        "name": user.get_full_name() or user.get_username(),
        "site": settings.BACKOFFICE_SITE_NAME,
        "username": user.get_username(),
        "link": mail_link(path),
    }
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])


@transaction.atomic
def employment_hire(
    *,
    first_name: str,
    last_name: str,
    department: Department,
    employment_type: str,
    hire_date: date,
    work_email: str,
    position: Position | None = None,
    manager: Employee | None = None,
    personnel_number: str = "",
    contract_type: str = PersonnelFile.ContractType.PERMANENT,
    weekly_hours: Decimal | None = None,
    probation_end: date | None = None,
    fixed_term_end: date | None = None,
    by=None,
) -> Employee:
    """Hire: the employee, their personnel file with the contract's basics, a login without a
    password (the welcome mail, sent after commit, carries the link to set one) and the
    onboarding checklist. All or nothing."""
    if not work_email:
        raise ValidationError({"work_email": _("A work email is needed for the login.")})
    if probation_end and probation_end < hire_date:
        raise ValidationError(
            {"probation_end": _("The probation cannot end before the hire date.")}
        )
    if hire_date > timezone.localdate() + PLANNING_HORIZON:
        raise ValidationError({"hire_date": _("A hire is recorded at most a year ahead.")})
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [HIRE_LOCK])
    user_model = get_user_model()
    if user_model.objects.filter(email__iexact=work_email).exists():
        raise ValidationError({"work_email": _("A login with this email exists already.")})
    user = user_model(
        username=username_for(first_name=first_name, last_name=last_name),
        email=work_email,
        first_name=first_name[:150],
        last_name=last_name[:150],
    )
    user.set_unusable_password()
    user.save()
    user_roles_set(user=user, roles=[roles.STAFF])
    employee = employee_hire(
        personnel_number=personnel_number or _personnel_number_next(),
        first_name=first_name,
        last_name=last_name,
        department=department,
        position=position,
        manager=manager if manager is not None else department.head,
        employment_type=employment_type,
        hire_date=hire_date,
        work_email=work_email,
        user=user,
    )
    personnel_file = PersonnelFile(
        employee=employee,
        contract_type=contract_type,
        weekly_hours=weekly_hours,
        contract_start=hire_date,
        probation_end=probation_end,
        fixed_term_end=fixed_term_end,
    )
    personnel_file.full_clean()
    personnel_file.save()
    checklist_create(employee=employee, kind=Checklist.Kind.ONBOARDING)
    transaction.on_commit(lambda: welcome_mail_send(user_id=user.pk))
    logger.info("Hired %s by %s", employee.personnel_number, getattr(by, "pk", None))
    return employee


# --- Transfer -----------------------------------------------------------------------------------


def _change_apply(change: EmploymentChange) -> None:
    employee = Employee.objects.select_for_update().get(pk=change.employee_id)
    employee.department_id = change.new_department_id
    employee.position_id = change.new_position_id
    employee.manager_id = change.new_manager_id
    employee.full_clean()
    employee.save(update_fields=["department", "position", "manager", "updated_at"])
    change.applied_at = timezone.now()
    change.save(update_fields=["applied_at"])


@transaction.atomic
def employment_transfer(
    *,
    employee: Employee,
    department: Department,
    position: Position | None,
    manager: Employee | None,
    valid_from: date,
    by=None,
    note: str = "",
    today: date | None = None,
) -> EmploymentChange:
    """Move the employee to another department, position or manager from ``valid_from`` on
    (no manager given: the department's head). Kept as history; applied now when the day has
    come, else by the daily task."""
    today = today or timezone.localdate()
    employee = Employee.objects.select_for_update().get(pk=employee.pk)
    if manager is None and department.head_id and department.head_id != employee.pk:
        manager = department.head
    errors = {}
    if by is not None and not employment_departments_for(user=by).filter(pk=department.pk).exists():
        # A head moves people within the departments they head; HR moves them anywhere.
        errors["department"] = _("You may transfer only into a department you head.")
    if valid_from > today + PLANNING_HORIZON:
        errors["valid_from"] = _("A transfer is planned at most a year ahead.")
    if employee.termination_date and valid_from > employee.termination_date:
        errors["valid_from"] = _("The employee has left by then.")
    if valid_from < employee.hire_date:
        errors["valid_from"] = _("The transfer cannot take effect before the hire date.")
    if position is not None and position.department_id != department.pk:
        errors["position"] = _("The position belongs to another department.")
    if manager is not None and manager.pk == employee.pk:
        errors["manager"] = _("An employee cannot be their own manager.")
    if (
        department.pk == employee.department_id
        and getattr(position, "pk", None) == employee.position_id
        and getattr(manager, "pk", None) == employee.manager_id
    ):
        errors["__all__"] = _("Nothing changes: department, position and manager are the same.")
    if errors:
        raise ValidationError(errors)
    change = EmploymentChange(
        employee=employee,
        valid_from=valid_from,
        old_department_id=employee.department_id,
        old_position_id=employee.position_id,
        old_manager_id=employee.manager_id,
        new_department=department,
        new_position=position,
        new_manager=manager,
        note=note.strip()[:500],
        created_by=by,
    )
    change.full_clean()
    change.save()
    if valid_from <= today:
        _change_apply(change)
    return change


@transaction.atomic
def employment_changes_apply_due(*, today: date) -> int:
    """Apply the transfers whose day has come, oldest first. Idempotent: an applied change is
    marked, and locked rows are left to the run that holds them."""
    due = list(
        EmploymentChange.objects.select_for_update(skip_locked=True)
        .filter(applied_at__isnull=True, valid_from__lte=today)
        .order_by("valid_from", "pk")
    )
    for change in due:
        _change_apply(change)
    if due:
        logger.info("Applied %d due transfers", len(due))
    return len(due)


# --- Termination --------------------------------------------------------------------------------


@transaction.atomic
def employment_terminate(
    *,
    employee: Employee,
    reason: str,
    notice_given_on: date,
    last_day: date,
    by=None,
    note: str = "",
) -> Termination:
    """Record the termination (reason, notice, last day) and open the offboarding checklist.
    The login closes after the last day (``logins_of_terminated_deactivate``). The employee's
    row is locked first: a double click waits and is refused in words, not by the unique key."""
    employee = Employee.objects.select_for_update().get(pk=employee.pk)
    if Termination.objects.filter(employee=employee).exists():
        raise ValidationError(_("This employee's termination is recorded already."))
    if last_day < employee.hire_date:
        raise ValidationError({"last_day": _("The last day lies before the hire date.")})
    termination = Termination(
        employee=employee,
        reason=reason,
        notice_given_on=notice_given_on,
        last_day=last_day,
        note=note.strip()[:500],
        created_by=by,
    )
    termination.full_clean()
    termination.save()
    employee_terminate(employee=employee, termination_date=last_day)
    # Transfers planned after the last day never take effect.
    EmploymentChange.objects.filter(
        employee=employee, applied_at__isnull=True, valid_from__gt=last_day
    ).delete()
    checklist_create(employee=employee, kind=Checklist.Kind.OFFBOARDING)
    return termination
