"""Payroll's items on hr's onboarding checklist (``hr.registry``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from backoffice import roles
from hr.registry import ONBOARDING, ChecklistItemSpec, checklist_item_register


def pay_profile_exists(employee) -> bool:
    from payroll.models import PayProfile

    return PayProfile.objects.filter(employee=employee).exists()


def register() -> None:
    checklist_item_register(
        ChecklistItemSpec(
            key="payroll.pay_profile",
            kind=ONBOARDING,
            title=_("Pay profile set up (pay, schedule, bank details)"),
            owner=roles.PAYROLL_CLERK,
            order=30,
            done=pay_profile_exists,
        )
    )
