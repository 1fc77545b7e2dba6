"""Views of accounting: bank. Each module lists its own URL patterns."""

urlpatterns: list = []
