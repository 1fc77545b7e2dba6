"""Recruiters' and hiring heads' pages (issue #10): the openings they may see, an opening's
applicants (paginated, one query for the rows whatever their number), an application and its
resume. What the user may not see is not found (404)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from backoffice.pagination import page_number_from
from hr.models import Application
from hr.selectors import recruiting as selectors


@login_required
@require_GET
def recruiting_openings(request):
    if not selectors.recruiting_may_list(user=request.user):
        raise Http404
    page = page_number_from(request)
    openings, has_next = selectors.openings_page(user=request.user, page=page)
    return render(
        request,
        "hr/recruiting/openings.html",
        {
            "openings": openings,
            "page_number": page,
            "has_next": has_next,
            "may_edit": request.user.has_perm("hr.change_opening"),
        },
    )


@login_required
@require_GET
def recruiting_opening(request, pk: int):
    opening = selectors.opening_for(user=request.user, pk=pk)
    if opening is None:
        raise Http404
    page = page_number_from(request)
    stage = request.GET.get("stage", "")
    applications, has_next = selectors.applications_page(opening=opening, page=page, stage=stage)
    return render(
        request,
        "hr/recruiting/opening.html",
        {
            "opening": opening,
            "applications": applications,
            "page_number": page,
            "has_next": has_next,
            "stage": stage if stage in Application.Stage.values else "",
            "stages": Application.Stage.choices,
        },
    )


@login_required
@require_GET
def recruiting_application(request, pk: int):
    application = selectors.application_for(user=request.user, pk=pk)
    if application is None:
        raise Http404
    return render(request, "hr/recruiting/application.html", {"application": application})


@login_required
@require_GET
def recruiting_resume_download(request, pk: int):
    """The resume as a download, never inline, only to those who may see the application."""
    application = selectors.application_for(user=request.user, pk=pk)
    if application is None or not application.resume:
        raise Http404
    try:
        handle = application.resume.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=application.resume_name,
        content_type=application.resume_content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
