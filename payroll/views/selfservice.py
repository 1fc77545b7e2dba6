"""Views of payroll: selfservice. Each module lists its own URL patterns."""

urlpatterns: list = []
