"""Views of payroll: reports. Each module lists its own URL patterns."""

urlpatterns: list = []
