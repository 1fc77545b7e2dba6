"""Views of payroll: dashboard. Each module lists its own URL patterns."""

urlpatterns: list = []
