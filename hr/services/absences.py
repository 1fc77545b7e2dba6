"""Absences: ask for leave, decide it, withdraw or cancel it, record sick days, extend carry-over.

Every write locks the employee's row first, so two requests of the same person cannot both pass
the overlap and balance checks. Nobody decides their own absence (``absence_may_decide``);
notifications go out after commit (``backoffice.services.notify``).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from backoffice import roles
from backoffice.money import format_quantity
from backoffice.services import notify
from backoffice.stored_text import stored
from hr import absence_calculation as calc
from hr.models import Absence, CarryOverExtension, Employee
from hr.selectors import absences as selectors
from hr.selectors import employee_for_user


def _locked_employee(pk: int) -> Employee:
    return (
        Employee.objects.select_for_update(of=("self",))
        .select_related("department__head", "department__parent__head", "manager", "user")
        .get(pk=pk)
    )


def _check(absence: Absence, *, today: datetime.date) -> None:
    """Everything an absence must satisfy before it is stored (the employee row is locked)."""
    absence.full_clean(exclude=["employee", "requested_by", "decided_by", "days"])
    employee = absence.employee
    if absence.start_date < employee.hire_date or (
        employee.termination_date and absence.end_date > employee.termination_date
    ):
        raise ValidationError(_("The absence lies outside the employment."))
    absence.days = calc.leave_days(absence.start_date, absence.end_date, half_day=absence.half_day)
    if not absence.days:
        raise ValidationError(
            _("These days are weekends or public holidays only; no leave is needed.")
        )
    overlap = (
        Absence.objects.filter(
            employee=employee,
            status__in=Absence.ACTIVE,
            start_date__lte=absence.end_date,
            end_date__gte=absence.start_date,
        )
        .exclude(pk=absence.pk)
        .first()
    )
    if overlap is not None:
        raise ValidationError(
            _("This overlaps with %(absence)s (%(status)s); change or cancel that first.")
            % {"absence": overlap, "status": overlap.get_status_display().lower()}
        )
    if absence.kind == Absence.Kind.VACATION:
        _check_balance(absence, today=today)


def _check_balance(absence: Absence, *, today: datetime.date) -> None:
    """The vacation fits the year's entitlement and the carried-over days usable in time,
    counting what is approved, what other requests ask for, and this absence."""
    extra = calc.leave_days_by_date(absence.start_date, absence.end_date, half_day=absence.half_day)
    balance = selectors.vacation_balance(
        employee=absence.employee,
        year=absence.start_date.year,
        today=today,
        extra=extra,
        exclude_pk=absence.pk,
        requested_as_approved=True,
    )
    if balance is None:
        raise ValidationError(_("The absence lies outside the employment."))
    if balance.overdrawn:
        raise ValidationError(
            _(
                "Not enough vacation left in %(year)d: %(days)s days asked for, %(left)s free "
                "(open requests count as taken; carried-over days only until %(expiry)s)."
            )
            % {
                "year": balance.year,
                "days": format_quantity(absence.days),
                "left": format_quantity(max(calc.ZERO, absence.days - balance.overdrawn)),
                "expiry": date_format(balance.carry_over_expires),
            }
        )
    # Days this year's leave takes from the carry-over are missing in the next year, where
    # leave may already be planned with them.
    following = selectors.vacation_balance(
        employee=absence.employee,
        year=absence.start_date.year + 1,
        today=today,
        extra=extra,
        exclude_pk=absence.pk,
        requested_as_approved=True,
    )
    if following is not None and following.overdrawn:
        raise ValidationError(
            _(
                "Not enough vacation left: the leave planned in %(year)d counts on days carried "
                "over from this year, and %(short)s of them would be missing."
            )
            % {"year": following.year, "short": format_quantity(following.overdrawn)}
        )


def _deciders(employee: Employee) -> list:
    """Who is told of a new request: the head (or, for a head, their manager and the parent
    department's head); when there is none of them, the HR managers and the superusers, who
    decide every absence (a small company may have no HR manager)."""
    department = employee.department
    users = []
    if department.head_id and department.head_id != employee.pk:
        users.append(department.head.user)
    else:
        if employee.manager_id:
            users.append(employee.manager.user)
        if department.parent_id and department.parent.head_id:
            users.append(department.parent.head.user)
    users = [u for u in users if u is not None and u.pk != employee.user_id and u.is_active]
    if not users:
        deciders = Q(groups__name=roles.HR_MANAGER) | Q(is_superuser=True)
        users = list(
            get_user_model()
            .objects.filter(deciders, is_active=True)
            .exclude(pk=employee.user_id)
            .distinct()
        )
    return users


def _link(absence: Absence) -> str:
    return reverse("hr:absence_detail", args=[absence.pk])


@transaction.atomic
def absence_request(
    *,
    user,
    kind: str,
    start_date: datetime.date,
    end_date: datetime.date,
    half_day: bool = False,
    note: str = "",
    today: datetime.date | None = None,
) -> Absence:
    """The user asks for leave for themselves; their head (see ``_deciders``) decides."""
    today = today or timezone.localdate()
    own = employee_for_user(user=user)
    if own is None:
        raise ValidationError(_("Your login is not linked to an employee record."))
    if kind not in Absence.REQUESTABLE:
        raise ValidationError({"kind": _("Choose vacation, special leave or unpaid leave.")})
    employee = _locked_employee(own.pk)
    absence = Absence(
        employee=employee,
        kind=kind,
        status=Absence.Status.REQUESTED,
        start_date=start_date,
        end_date=end_date,
        half_day=half_day,
        note=note,
        requested_by=user,
    )
    _check(absence, today=today)
    absence.save()
    notify(
        users=_deciders(employee),
        subject=stored(
            gettext_noop("%(name)s asks for %(kind)s"),
            name=employee.full_name,
            kind=absence.as_text(),
        ),
        body=stored(
            gettext_noop("%(days)s working days. Approve or refuse it in the back office."),
            days=Decimal(absence.days),
        ),
        link=_link(absence),
    )
    return absence


@transaction.atomic
def absence_decide(*, user, absence_id: int, approve: bool, note: str = "") -> Absence:
    """Approve or refuse a request. Only its decider (never the requester) may; a request
    already decided or withdrawn stays as it is."""
    absence = Absence.objects.select_related("employee").get(pk=absence_id)
    employee = _locked_employee(absence.employee_id)
    absence = Absence.objects.select_for_update().get(pk=absence_id)
    absence.employee = employee
    if not selectors.absence_may_decide(user=user, absence=absence):
        raise PermissionDenied(_("You cannot decide this request."))
    if absence.status != Absence.Status.REQUESTED:
        raise ValidationError(
            _("This request is already %(status)s.")
            % {"status": absence.get_status_display().lower()}
        )
    if approve and absence.kind == Absence.Kind.VACATION:
        _check_balance(absence, today=timezone.localdate())
    absence.status = Absence.Status.APPROVED if approve else Absence.Status.REFUSED
    absence.decided_by = user
    absence.decided_at = timezone.now()
    absence.decision_note = note[:500]
    absence.full_clean()
    absence.save(
        update_fields=["status", "decided_by", "decided_at", "decision_note", "updated_at"]
    )
    if employee.user_id:
        subject = stored(
            gettext_noop("Your %(absence)s is approved")
            if approve
            else gettext_noop("Your %(absence)s is refused"),
            absence=absence.as_text(),
        )
        notify(users=[employee.user], subject=subject, body=note, link=_link(absence))
    return absence


@transaction.atomic
def absence_cancel(*, user, absence_id: int) -> Absence:
    """The employee withdraws a request, or cancels approved leave that has not begun; HR and
    the decider may cancel any absence that is not already refused or cancelled."""
    absence = Absence.objects.select_related("employee").get(pk=absence_id)
    employee = _locked_employee(absence.employee_id)
    absence = Absence.objects.select_for_update().get(pk=absence_id)
    absence.employee = employee
    if absence.status not in Absence.ACTIVE:
        raise ValidationError(
            _("This absence is already %(status)s.")
            % {"status": absence.get_status_display().lower()}
        )
    own = employee.user_id == user.pk
    if own and not selectors.absence_may_decide(user=user, absence=absence):
        if absence.kind == Absence.Kind.SICK:
            raise PermissionDenied(_("Sick days are corrected by HR or your head."))
        if absence.status == Absence.Status.APPROVED and absence.start_date <= timezone.localdate():
            raise ValidationError(
                _("Leave that has begun is changed by your head or HR, not cancelled here.")
            )
    elif not selectors.absence_may_decide(user=user, absence=absence):
        raise PermissionDenied(_("You cannot cancel this absence."))
    was_approved = absence.status == Absence.Status.APPROVED
    absence.status = Absence.Status.CANCELLED
    absence.save(update_fields=["status", "updated_at"])
    if not own and employee.user_id:
        notify(
            users=[employee.user],
            subject=stored(
                gettext_noop("Your %(absence)s is cancelled"), absence=absence.as_text()
            ),
            link=_link(absence),
        )
    elif own and was_approved:
        notify(
            users=_deciders(employee),
            subject=stored(
                gettext_noop("%(name)s cancelled %(absence)s"),
                name=employee.full_name,
                absence=absence.as_text(),
            ),
            link=_link(absence),
        )
    return absence


@transaction.atomic
def absence_record_sick(
    *,
    user,
    employee_id: int,
    start_date: datetime.date,
    end_date: datetime.date,
    certificate_date: datetime.date | None = None,
    note: str = "",
) -> Absence:
    """HR or the employee's head records sick days (approved at once), with the date of the
    medical certificate when there is one."""
    employee = _locked_employee(employee_id)
    if not selectors.employee_decider_is(user=user, employee=employee):
        raise PermissionDenied(_("You cannot record sick days of this employee."))
    absence = Absence(
        employee=employee,
        kind=Absence.Kind.SICK,
        status=Absence.Status.APPROVED,
        start_date=start_date,
        end_date=end_date,
        certificate_date=certificate_date,
        note=note,
        requested_by=user,
        decided_by=user,
        decided_at=timezone.now(),
    )
    _check(absence, today=timezone.localdate())
    absence.save()
    return absence


@transaction.atomic
def carry_over_extend(
    *, user, employee_id: int, year: int, expires_on: datetime.date, note: str = ""
) -> CarryOverExtension:
    """HR lets the days carried into ``year`` last until ``expires_on`` (one date per employee
    and year; a second call moves it)."""
    if not selectors.absence_may_manage_all(user=user):
        raise PermissionDenied(_("Only HR extends carried-over vacation."))
    employee = _locked_employee(employee_id)
    extension = CarryOverExtension.objects.filter(employee=employee, year=year).first()
    extension = extension or CarryOverExtension(employee=employee, year=year)
    extension.expires_on = expires_on
    extension.note = note
    extension.granted_by = user
    extension.full_clean()
    extension.save()
    return extension


def absence_days_preview(
    *, start_date: datetime.date, end_date: datetime.date, half_day: bool = False
) -> Decimal:
    return calc.leave_days(start_date, end_date, half_day=half_day)
