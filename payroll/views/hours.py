"""Views of payroll: hours. Each module lists its own URL patterns."""

urlpatterns: list = []
