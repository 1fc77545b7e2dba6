"""Recruiting pages of recruiters and hiring heads (issue #10), under /hr/."""

from django.urls import path

from hr.views import recruiting as views

urlpatterns = [
    path("recruiting/", views.recruiting_openings, name="recruiting_openings"),
    path("recruiting/openings/<int:pk>/", views.recruiting_opening, name="recruiting_opening"),
    path(
        "recruiting/applications/<int:pk>/",
        views.recruiting_application,
        name="recruiting_application",
    ),
    path(
        "recruiting/applications/<int:pk>/resume/",
        views.recruiting_resume_download,
        name="recruiting_resume",
    ),
]
