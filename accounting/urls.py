"""Accounting URLs. Each views module (by sub-domain) lists its own patterns."""

from accounting.views import audit, bank, budgets, payments, reports

app_name = "accounting"

urlpatterns = [
    *reports.urlpatterns,
    *budgets.urlpatterns,
    *payments.urlpatterns,
    *bank.urlpatterns,
    *audit.urlpatterns,
]
