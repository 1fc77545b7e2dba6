"""Home, health, inbox and login: thin views over the services and selectors."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language

from backoffice import services
from backoffice.celery import app as celery_app
from backoffice.forms import LanguageForm, PasswordResetForm
from backoffice.language import language_cookie_set
from backoffice.registry import home_links_for
from backoffice.selectors import notification_list

INBOX_PAGE_SIZE = 25


def bad_request(request, exception=None):
    """The friendly 400 page (handler400), in the user's language. Rendered without the
    request's context: it runs for requests refused before the session and the user are loaded
    (backoffice.middleware), and must not touch the database they were refused for."""
    with translation.override(translation.get_language_from_request(request)):
        return HttpResponseBadRequest(loader.render_to_string("400.html"))


@require_POST
def language_set(request):
    """Django's language switch (cookie and redirect), and for a signed-in user the choice is
    kept as their preference: documents rendered for them later (payslips, cheques), their
    mail, and the interface after their next login use it."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        services.user_language_set(user=request.user, language=language)
    return response


@never_cache
@login_required
@require_POST
def account_language(request):
    """The language chosen on the security page: kept as the user's preference (like the
    header's switch) and the interface follows at once (the language cookie)."""
    form = LanguageForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the languages offered."))
        return redirect("security")
    language = form.cleaned_data["language"]
    services.user_language_set(user=request.user, language=language)
    with translation.override(language):
        messages.success(
            request,
            _("Your language is now %(language)s.")
            % {"language": dict(settings.LANGUAGES)[language]},
        )
    response = redirect("security")
    language_cookie_set(response, language)
    return response


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True


class PasswordResetView(auth_views.PasswordResetView):
    """The mail names the site by its configured name and links from SITE_URL
    (templates/registration/password_reset_email.html), never from the Host header of
    whoever asked for the reset."""

    form_class = PasswordResetForm

    @property
    def extra_email_context(self) -> dict:
        return {"site_name": settings.BACKOFFICE_SITE_NAME}


@login_required
@require_GET
def home(request):
    return render(request, "backoffice/home.html", {"links": home_links_for(request.user)})


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


def _broker_ok() -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        return False


@never_cache
@require_GET
def healthz(request):
    """Liveness and readiness for load balancers and `docker compose`: 200 or 503 as JSON."""
    database = _database_ok()
    broker = _broker_ok()
    healthy = database and broker
    return JsonResponse(
        {
            "status": "ok" if healthy else "error",
            "database": "ok" if database else "error",
            "broker": "ok" if broker else "error",
        },
        status=200 if healthy else 503,
    )


@login_required
@require_GET
def inbox(request):
    paginator = Paginator(notification_list(user=request.user), INBOX_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "backoffice/inbox.html", {"page": page})


@login_required
@require_POST
def notification_read(request, pk: int):
    marked = services.notification_mark_read(user=request.user, notification_id=pk)
    if not marked and not notification_list(user=request.user).filter(pk=pk).exists():
        raise Http404
    return redirect("inbox")


@login_required
@require_POST
def notification_read_all(request):
    count = services.notification_mark_all_read(user=request.user)
    text = ngettext(
        "%(count)d message marked as read.", "%(count)d messages marked as read.", count
    )
    messages.success(request, text % {"count": count})
    return redirect("inbox")
