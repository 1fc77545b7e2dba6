"""The user admin gains "Reset second factor" (superusers; HR managers for others than
superusers and themselves). The device models themselves are django-otp's admin, which no role
is given permissions for: only superusers see them."""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from backoffice.roles import HR_MANAGER, user_has_role
from backoffice.two_factor.services import second_factor_may_reset, second_factor_reset

User = get_user_model()


class SecondFactorUserAdmin(UserAdmin):
    actions = [*(UserAdmin.actions or []), "reset_second_factor"]

    def has_reset_second_factor_permission(self, request) -> bool:
        return request.user.is_superuser or user_has_role(request.user, HR_MANAGER)

    @admin.action(
        description=_("Reset second factor (set up a new authenticator at next login)"),
        permissions=["reset_second_factor"],
    )
    def reset_second_factor(self, request, queryset):
        done, refused = 0, []
        for user in queryset:
            if not second_factor_may_reset(by=request.user, user=user):
                refused.append(user.get_username())
                continue
            second_factor_reset(user=user, by=request.user)
            done += 1
        if done:
            self.message_user(
                request,
                ngettext(
                    "The second factor of %(count)d user was reset.",
                    "The second factor of %(count)d users was reset.",
                    done,
                )
                % {"count": done},
                messages.SUCCESS,
            )
        if refused:
            self.message_user(
                request,
                _("You may not reset the second factor of: %(names)s.")
                % {"names": ", ".join(refused)},
                messages.ERROR,
            )


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, SecondFactorUserAdmin)
