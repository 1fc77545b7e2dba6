from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ItSupportConfig(AppConfig):
    name = "itsupport"
    verbose_name = _("IT support")
    default_auto_field = "django.db.models.BigAutoField"
