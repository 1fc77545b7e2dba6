from django.urls import path

from hr.views import lifecycle as views

urlpatterns = [
    path("checklists/", views.checklist_list, name="checklist_list"),
    path("checklists/<int:pk>/", views.checklist, name="checklist"),
    path(
        "checklists/<int:pk>/items/<int:item_pk>/",
        views.checklist_item_tick,
        name="checklist_item_tick",
    ),
    path("hire/", views.hire, name="hire"),
    path("employees/<int:pk>/transfer/", views.employee_transfer, name="employee_transfer"),
    path("employees/<int:pk>/terminate/", views.employee_terminate, name="employee_terminate"),
    path("org/", views.org_chart, name="org_chart"),
    path("org/departments/<int:pk>/", views.org_department, name="org_department"),
]
