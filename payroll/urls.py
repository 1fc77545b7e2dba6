"""Payroll URLs. Each views module (by sub-domain) lists its own patterns."""

from payroll.views import dashboard, hours, reports, selfservice

app_name = "payroll"

urlpatterns = [
    *dashboard.urlpatterns,
    *hours.urlpatterns,
    *selfservice.urlpatterns,
    *reports.urlpatterns,
]
