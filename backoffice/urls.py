"""The root URLconf. Apps are included by dotted path, so this module imports none of them."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from backoffice import views
from backoffice.two_factor import views as two_factor_views

# The friendly 400 page for refused input (backoffice.middleware.RequestInputMiddleware).
handler400 = views.bad_request

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("inbox/read-all/", views.notification_read_all, name="notification_read_all"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/two-factor/", two_factor_views.verify, name="two_factor_verify"),
    path("accounts/two-factor/setup/", two_factor_views.enroll, name="two_factor_enroll"),
    path("accounts/security/", two_factor_views.security, name="security"),
    path("accounts/security/language/", views.account_language, name="account_language"),
    path(
        "accounts/security/recovery-codes/",
        two_factor_views.recovery_codes_regenerate,
        name="security_recovery_codes",
    ),
    path(
        "accounts/password/change/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("accounts/password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/password/reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    # The language switch keeps a signed-in user's choice (backoffice.views.language_set).
    path("i18n/setlang/", views.language_set, name="set_language"),
    path("hr/", include("hr.urls")),
    path("careers/", include("hr.urls_careers")),
    path("accounting/", include("accounting.urls")),
    path("payroll/", include("payroll.urls")),
    path("admin/", admin.site.urls),
]
