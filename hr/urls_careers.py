"""The public careers page (issue #10, item 2), at /careers/: no login."""

from django.urls import path

from hr.views import recruiting_careers as views

app_name = "careers"

urlpatterns = [
    path("", views.careers, name="list"),
    path("<int:pk>/", views.careers_opening, name="opening"),
    path("thanks/", views.careers_thanks, name="thanks"),
    path("withdraw/<str:token>/", views.careers_application_delete, name="application_delete"),
]
