"""Views of accounting: reports. Each module lists its own URL patterns."""

urlpatterns: list = []
