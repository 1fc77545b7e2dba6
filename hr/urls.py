from django.urls import include, path

from hr import urls_absences, views

app_name = "hr"

urlpatterns = [
    path("me/", views.my_profile, name="my_profile"),
    path("employees/", views.employee_list, name="employee_list"),
    path("employees/<int:pk>/", views.employee_detail, name="employee_detail"),
    path("", include("hr.urls_personnel_file")),
    path("", include("hr.urls_lifecycle")),
    # Discipline, training and compliance (issue #8, items 4-6).
    path("", include("hr.urls_discipline")),
    path("", include("hr.urls_training")),
    *urls_absences.urlpatterns,
    # Recruiting (issue #10); the public careers page is hr.urls_careers at /careers/.
    path("", include("hr.urls_recruiting")),
]
