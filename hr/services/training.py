"""Writes of training: enrol, record attendance and completion, remind about due trainings."""

from __future__ import annotations

import calendar
import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from backoffice.services import notify
from backoffice.stored_text import StoredText, stored, stored_lines
from hr.models import Employee, Enrolment, TrainingReminder, TrainingSession
from hr.selectors.training import requirements_due

REMINDER_BATCH = 500


def months_added(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later; the month's last day where that day does not exist
    (31 January + 1 month = 28 or 29 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


@transaction.atomic
def enrolment_create(*, session: TrainingSession, employee: Employee, user) -> Enrolment:
    """Enrol an employee; refused when the session is full or they are enrolled already."""
    session = TrainingSession.objects.select_for_update().get(pk=session.pk)
    if employee.status == Employee.Status.TERMINATED:
        raise ValidationError({"employee": _("This employee has left.")})
    if Enrolment.objects.filter(session=session, employee=employee).exists():
        raise ValidationError({"employee": _("This employee is enrolled already.")})
    booked = (
        Enrolment.objects.filter(session=session)
        .exclude(status=Enrolment.Status.NO_SHOW)
        .aggregate(n=Count("pk"))["n"]
    )
    if booked >= session.capacity:
        raise ValidationError({"employee": _("The session is full.")})
    enrolment = Enrolment(employee=employee, session=session, course_id=session.course_id)
    enrolment.full_clean()
    enrolment.save()
    return enrolment


@transaction.atomic
def enrolment_status_set(
    *,
    enrolment_id: int,
    status: str,
    certificate_date: datetime.date | None = None,
    user,
) -> Enrolment:
    """Record attendance or completion. A completion needs a certificate date (not in the
    future); its expiry follows from the course's validity. Any other status has none."""
    enrolment = (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("course")
        .get(pk=enrolment_id)
    )
    if status not in Enrolment.Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    if status == Enrolment.Status.COMPLETED:
        if certificate_date is None:
            raise ValidationError({"certificate_date": _("Give the certificate date.")})
        if certificate_date > timezone.localdate():
            raise ValidationError({"certificate_date": _("The date lies in the future.")})
        validity = enrolment.course.validity_months
        enrolment.certificate_date = certificate_date
        enrolment.expires_on = months_added(certificate_date, validity) if validity else None
    else:
        enrolment.certificate_date = None
        enrolment.expires_on = None
    enrolment.status = status
    enrolment.full_clean()
    enrolment.save(update_fields=["status", "certificate_date", "expires_on", "updated_at"])
    return enrolment


def training_reminders_send(*, today: datetime.date) -> int:
    """Tell each employee with an overdue or expiring required training, and their head, once
    per course and expiry. Returns how many reminders went out.

    Two steps, each idempotent: the due requirements become ``TrainingReminder`` rows (the
    unique constraint drops what was remembered before), then pending rows are notified in
    batches, each batch in one transaction with its inbox rows (locked, skipping rows another
    worker holds), so a second delivery of the task notifies nobody twice."""
    due = requirements_due(today=today).values_list("pk", "req_course_id", "valid_until")
    rows = [
        TrainingReminder(employee_id=pk, course_id=course_id, expires_on=valid_until)
        for pk, course_id, valid_until in due.iterator(chunk_size=2000)
    ]
    TrainingReminder.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    sent = 0
    while True:
        batch = _reminders_notify_batch()
        if not batch:
            return sent
        sent += batch


def _reminder_line(reminder: TrainingReminder) -> StoredText:
    if reminder.expires_on is None:
        return stored(
            gettext_noop("%(course)s: required for the position, not completed yet."),
            course=reminder.course.title,
        )
    return stored(
        gettext_noop("%(course)s: the certificate expires on %(date)s."),
        course=reminder.course.title,
        date=reminder.expires_on,
    )


@transaction.atomic
def _reminders_notify_batch() -> int:
    """One message per employee and one per head for the batch (not one per course), in the
    transaction that marks the reminders notified."""
    pending = list(
        TrainingReminder.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(notified_at__isnull=True)
        .select_related("employee__user", "employee__department__head__user", "course")
        .order_by("created_at", "pk")[:REMINDER_BATCH]
    )
    by_employee: dict[int, list[TrainingReminder]] = {}
    by_head: dict[int, list[TrainingReminder]] = {}
    heads = {}
    for reminder in pending:
        employee = reminder.employee
        if employee.user_id:
            by_employee.setdefault(employee.pk, []).append(reminder)
        head = employee.department.head
        if head is not None and head.user_id and head.user_id != employee.user_id:
            heads[head.user_id] = head.user
            by_head.setdefault(head.user_id, []).append(reminder)
    for reminders in by_employee.values():
        notify(
            users=[reminders[0].employee.user],
            subject=stored(gettext_noop("A required training is due")),
            body=stored_lines([_reminder_line(r) for r in reminders]),
            link=reverse("hr:my_trainings"),
        )
    for user_id, reminders in by_head.items():
        notify(
            users=[heads[user_id]],
            subject=stored(gettext_noop("Required trainings in your department are due")),
            body=stored_lines(
                [
                    StoredText(
                        "%(name)s (%(number)s): %(line)s",
                        {
                            "name": r.employee.full_name,
                            "number": r.employee.personnel_number,
                            "line": _reminder_line(r),
                        },
                    )
                    for r in reminders
                ]
            ),
            link=reverse("hr:training_due"),
        )
    TrainingReminder.objects.filter(pk__in=[r.pk for r in pending]).update(
        notified_at=timezone.now()
    )
    return len(pending)


__all__ = [
    "enrolment_create",
    "enrolment_status_set",
    "months_added",
    "training_reminders_send",
]
