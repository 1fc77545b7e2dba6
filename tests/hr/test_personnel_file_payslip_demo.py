"""The payslip takes its personal fields from the personnel file (through hr.selectors); the
demo seeder fills every demo employee's file with valid numbers, idempotently."""

import pytest
from django.utils import translation

from hr.demo import seed_hr
from hr.demo_personnel import seed_personnel_files
from hr.models import Employee, PersonnelChangeRequest, PersonnelFile
from payroll import pdf
from payroll.models import Payslip
from tests.hr.personnel_file_helpers import personnel_file
from tests.payroll.test_pdf import run_paid  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def test_payslip_shows_address_tax_class_tax_id_and_social_insurance_number(run_paid):  # noqa: F811
    """Both numbers in full: § 1 (1) Nr. 3 and 7 EBV require them on the payslip."""
    run = run_paid(cheques=0)
    slip = Payslip.objects.select_related("employee").get(run=run)
    file = personnel_file(slip.employee, tax_class=PersonnelFile.TaxClass.III)
    with translation.override("en"):
        html = pdf.payslip_html(slip)
    assert "Lindenstraße 5, 10115 Berlin" in html
    assert '<dd class="tax-class">III' in html
    assert f'<dd class="tax-id">{file.tax_id}</dd>' in html
    assert file.social_insurance_number in html


def test_demo_fills_every_file_validly_and_twice_changes_nothing():
    seed_hr(employees=40)
    seed_personnel_files(employees=40)
    assert PersonnelFile.objects.count() == Employee.objects.count() == 40
    for file in PersonnelFile.objects.all():
        file.full_clean()
    pending = PersonnelChangeRequest.objects.filter(status="pending").count()
    assert pending >= 1
    seed_personnel_files(employees=40)
    assert PersonnelFile.objects.count() == 40
    assert PersonnelChangeRequest.objects.count() == pending
