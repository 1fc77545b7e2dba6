"""Views of accounting: budgets. Each module lists its own URL patterns."""

urlpatterns: list = []
