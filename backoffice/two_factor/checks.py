from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def second_factor_required_check(app_configs, **kwargs):
    """`check --deploy` fails when the second factor is switched off."""
    if getattr(settings, "TWO_FACTOR_REQUIRED", False):
        return []
    return [
        Error(
            "TWO_FACTOR_REQUIRED is off: payroll clerks, accountants, auditors, HR managers and "
            "superusers would log in with a password alone.",
            hint="Remove TWO_FACTOR_REQUIRED from the environment (it is on by default).",
            id="backoffice.E001",
        )
    ]
