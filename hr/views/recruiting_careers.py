"""The public careers page (issue #10, item 2): no login. Open positions, a page each with the
application form, the thank-you page, and the applicant's own deletion link.

The form is abuse-protected: before its body is read, a request longer than a resume and the
form's text may be is answered 413, and while it is read a file past the resume limit is not
kept (``@upload_limit``, backoffice.uploads). Then posts per client address and hour are
counted in the cache (whatever their outcome), CSRF, a honeypot field, the applications-per-
hour limit in the database, and the resume's content checks (hr.recruiting_resumes). Every
refusal is a page with a message, never a 500.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from backoffice.uploads import upload_limit
from hr.models import Opening
from hr.selectors import recruiting as selectors
from hr.services import recruiting as services


class ApplicationForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    email = forms.EmailField(label=gettext_lazy("E-mail"), max_length=254)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=40, required=False)
    cover_letter = forms.CharField(
        label=gettext_lazy("Cover letter"),
        max_length=10_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    resume = forms.FileField(
        label=gettext_lazy("Resume"),
        required=False,
        help_text=gettext_lazy("PDF or DOCX, at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx"}),
    )
    consent = forms.BooleanField(
        label=format_lazy(
            gettext_lazy(
                "You may keep my data for {months} months, also after a rejection, to consider "
                "me for other openings."
            ),
            months=settings.RECRUITING_CONSENT_MONTHS,
        ),
        required=False,
        initial=False,
    )
    # The honeypot: hidden from people (CSS, tab order, autofill), filled in by bots.
    website = forms.CharField(
        label=gettext_lazy("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )


def _client_address(request) -> str:
    header = settings.RECRUITING_CLIENT_ADDRESS_HEADER
    if header and request.META.get(header):
        return request.META[header].split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def _too_many_posts(request) -> bool:
    """Counts every post of the form per client address and hour, whatever its outcome."""
    hour = timezone.now().strftime("%Y%m%d%H")
    key = f"careers-posts:{services.client_hash(_client_address(request))}:{hour}"
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        count = 1
    return count > settings.RECRUITING_POSTS_PER_HOUR


@require_GET
def careers(request):
    return render(
        request, "hr/recruiting/careers.html", {"openings": list(selectors.careers_openings())}
    )


def _opening_page(request, opening, form, *, status=200, refusal: str = ""):
    return render(
        request,
        "hr/recruiting/careers_opening.html",
        {"opening": opening, "form": form, "refusal": refusal},
        status=status,
    )


@upload_limit("RECRUITING_RESUME_MAX_BYTES")
@require_http_methods(["GET", "POST"])
def careers_opening(request, pk: int):
    """GET: the opening and the form. POST: apply (checked in the order the module says)."""
    opening = selectors.careers_opening(pk=pk)
    if opening is None:
        raise Http404
    if request.method == "GET":
        return _opening_page(request, opening, ApplicationForm())
    if _too_many_posts(request):
        return _opening_page(
            request,
            opening,
            ApplicationForm(),
            status=429,
            refusal=_("Too many applications from your address: please try again in an hour."),
        )
    form = ApplicationForm(request.POST, request.FILES)
    if request.POST.get("website"):
        # A bot filled the hidden field: it sees the usual thanks, nothing is kept or sent.
        return redirect("careers:thanks")
    if getattr(request, "upload_too_large", False):
        form.is_valid()
        form.add_error(
            "resume",
            _("The resume is too large: at most %(mb)s MB.")
            % {"mb": settings.RECRUITING_RESUME_MAX_BYTES // 2**20},
        )
        return _opening_page(request, opening, form, status=400)
    if not form.is_valid():
        return _opening_page(request, opening, form, status=400)
    upload = form.cleaned_data["resume"]
    data = None
    if upload:
        upload.seek(0)
        data = upload.read(settings.RECRUITING_RESUME_MAX_BYTES + 1)
    try:
        services.application_submit(
            opening_id=opening.pk,
            name=form.cleaned_data["name"],
            email=form.cleaned_data["email"],
            phone=form.cleaned_data["phone"],
            cover_letter=form.cleaned_data["cover_letter"],
            consent=form.cleaned_data["consent"],
            language=translation.get_language() or settings.LANGUAGE_CODE,
            resume_data=data,
            resume_name=getattr(upload, "name", "") if upload else "",
            client_address=_client_address(request),
        )
    except services.RateLimited:
        return _opening_page(
            request,
            opening,
            form,
            status=429,
            refusal=_("Too many applications from your address: please try again in an hour."),
        )
    except Opening.DoesNotExist:
        raise Http404 from None
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
        return _opening_page(request, opening, form, status=400)
    return redirect("careers:thanks")


@require_GET
def careers_thanks(request):
    return render(request, "hr/recruiting/careers_thanks.html")


@require_http_methods(["GET", "POST"])
def careers_application_delete(request, token: str):
    """The link of the confirmation mail: GET asks to confirm, POST deletes everything."""
    application_id = services.application_from_delete_token(token)
    if application_id is None:
        raise Http404
    done = False
    if request.method == "POST":
        done = services.application_withdraw(application_id=application_id)
    exists = not done and selectors.application_exists(pk=application_id)
    return render(
        request,
        "hr/recruiting/careers_delete.html",
        {"token": token, "exists": exists, "done": done},
    )
