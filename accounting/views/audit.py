"""Views of accounting: audit. Each module lists its own URL patterns."""

urlpatterns: list = []
