from django.urls import path

from hr.views import absences as views

urlpatterns = [
    path("absences/", views.absence_mine, name="absence_mine"),
    path("absences/<int:pk>/", views.absence_detail, name="absence_detail"),
    path("absences/<int:pk>/decide/", views.absence_decide, name="absence_decide"),
    path("absences/<int:pk>/cancel/", views.absence_cancel, name="absence_cancel"),
    path("absences/approvals/", views.absence_approvals, name="absence_approvals"),
    path("absences/sick/", views.absence_sick_record, name="absence_sick_record"),
    path("absences/calendar/", views.absence_calendar, name="absence_calendar"),
]
