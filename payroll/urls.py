"""Payroll URLs. Each views module (by sub-domain) lists its own patterns."""

from payroll.views import dashboard, hours, offcycle, reports, selfservice

app_name = "payroll"

urlpatterns = [
    *dashboard.urlpatterns,
    *offcycle.urlpatterns,
    *hours.urlpatterns,
    *selfservice.urlpatterns,
    *reports.urlpatterns,
]
