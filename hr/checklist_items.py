"""HR's own onboarding and offboarding checklist items (``hr.registry``); other apps register
theirs in their ``AppConfig.ready()``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from backoffice import roles
from hr.registry import OFFBOARDING, ONBOARDING, ChecklistItemSpec, checklist_item_register


def personnel_file_complete(employee) -> bool:
    """Address, birth date, tax ID, social-insurance number and tax class are filled in."""
    from hr.models import PersonnelFile

    return (
        PersonnelFile.objects.filter(employee=employee, tax_class__isnull=False)
        .exclude(street="")
        .exclude(city="")
        .exclude(birth_date=None)
        .exclude(tax_id="")
        .exclude(social_insurance_number="")
        .exists()
    )


def register() -> None:
    for spec in (
        ChecklistItemSpec(
            key="hr.contract_signed",
            kind=ONBOARDING,
            title=_("Contract signed by both sides"),
            owner=roles.HR_MANAGER,
            order=10,
        ),
        ChecklistItemSpec(
            key="hr.personnel_file",
            kind=ONBOARDING,
            title=_("Personnel file complete (address, birth date, tax and insurance data)"),
            owner=roles.HR_MANAGER,
            order=20,
            done=personnel_file_complete,
        ),
        ChecklistItemSpec(
            key="hr.team_welcome",
            kind=ONBOARDING,
            title=_("Welcomed to the team, workplace shown"),
            owner=roles.DEPARTMENT_HEAD,
            order=90,
        ),
        ChecklistItemSpec(
            key="hr.return_documents",
            kind=OFFBOARDING,
            title=_("Company documents returned"),
            owner=roles.HR_MANAGER,
            order=10,
        ),
        ChecklistItemSpec(
            key="hr.final_certificate",
            kind=OFFBOARDING,
            title=_("Final reference (Arbeitszeugnis) issued"),
            owner=roles.HR_MANAGER,
            order=20,
        ),
        ChecklistItemSpec(
            key="hr.handover",
            kind=OFFBOARDING,
            title=_("Work handed over within the team"),
            owner=roles.DEPARTMENT_HEAD,
            order=90,
        ),
    ):
        checklist_item_register(spec)
