from django.urls import path

from hr import urls_absences, views

app_name = "hr"

urlpatterns = [
    path("me/", views.my_profile, name="my_profile"),
    path("employees/", views.employee_list, name="employee_list"),
    path("employees/<int:pk>/", views.employee_detail, name="employee_detail"),
    *urls_absences.urlpatterns,
]
