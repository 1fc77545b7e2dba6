"""Views of accounting: payments. Each module lists its own URL patterns."""

urlpatterns: list = []
