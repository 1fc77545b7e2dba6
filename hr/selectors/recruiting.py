"""Reads of recruiting (issue #10): the careers page's openings, and who sees which opening,
applicant and resume.

Recruiters (``hr.view_application``) see every opening and application. A department head sees
the openings of the departments they head, and those naming them the hiring head, with their
applicants and resumes. Everyone else sees none (the views answer 404).
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from backoffice import roles
from hr.models import Application, Opening

PAGE_SIZE = 50


def careers_openings() -> QuerySet[Opening]:
    return (
        Opening.objects.filter(status=Opening.Status.OPEN)
        .select_related("department")
        .order_by("department__name", "title_de", "id")
    )


def careers_opening(*, pk: int) -> Opening | None:
    return careers_openings().filter(pk=pk).first()


def recruiting_may_list(*, user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.has_perm("hr.view_application"):
        return True
    # Only department heads may head a hiring: everyone else pays no query (every page's
    # navigation asks this).
    if roles.DEPARTMENT_HEAD not in roles.user_roles(user):
        return False
    return Opening.objects.filter(_head_scope(user)).exists()


def _head_scope(user) -> Q:
    return Q(department__head__user=user) | Q(hiring_head__user=user)


def openings_for(*, user) -> QuerySet[Opening]:
    if not getattr(user, "is_authenticated", False):
        return Opening.objects.none()
    openings = Opening.objects.all()
    if not user.has_perm("hr.view_application"):
        openings = openings.filter(_head_scope(user))
    return openings.select_related("department", "recruiter")


def openings_page(*, user, page: int, size: int = PAGE_SIZE) -> tuple[list[Opening], bool]:
    """One page of openings with their applicant counts: the page first, then one aggregate
    over the applications of that page's openings only (an index range per opening), so the
    count never groups every application of every opening."""
    rows = list(
        openings_for(user=user).order_by("status", "department__code", "title_de", "id")[
            (page - 1) * size : page * size + 1
        ]
    )
    rows, has_next = rows[:size], len(rows) > size
    counts = {
        c["opening"]: c
        for c in Application.objects.filter(opening__in=[o.pk for o in rows])
        .values("opening")
        .annotate(total=Count("id"), new=Count("id", filter=Q(stage=Application.Stage.NEW)))
    }
    for opening in rows:
        opening.applicants = counts.get(opening.pk, {}).get("total", 0)
        opening.new_applicants = counts.get(opening.pk, {}).get("new", 0)
    return rows, has_next


def opening_for(*, user, pk: int) -> Opening | None:
    return openings_for(user=user).filter(pk=pk).first()


def applications_page(
    *, opening: Opening, page: int, stage: str = "", size: int = PAGE_SIZE
) -> tuple[list[Application], bool]:
    """One page of an opening's applicants, newest first; one query whatever their number
    (no COUNT: a next page is known by asking for one row more)."""
    applications = opening.applications.all()
    if stage in Application.Stage.values:
        applications = applications.filter(stage=stage)
    rows = list(
        applications.only(
            "id",
            "opening_id",
            "name",
            "email",
            "submitted_at",
            "stage",
            "rating",
            "duplicate_of_id",
            "consent_months",
            "resume_size",
        ).order_by("-submitted_at", "-id")[(page - 1) * size : page * size + 1]
    )
    return rows[:size], len(rows) > size


def application_for(*, user, pk: int) -> Application | None:
    """An application the user may see (with its opening), or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    applications = Application.objects.select_related(
        "opening", "opening__department", "duplicate_of"
    )
    if not user.has_perm("hr.view_application"):
        applications = applications.filter(
            Q(opening__department__head__user=user) | Q(opening__hiring_head__user=user)
        )
    return applications.filter(pk=pk).first()


def application_exists(*, pk: int) -> bool:
    return Application.objects.filter(pk=pk).exists()
