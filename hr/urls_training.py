from django.urls import path

from hr.views import compliance, training

urlpatterns = [
    path("trainings/due/", training.training_due, name="training_due"),
    path("trainings/mine/", training.my_trainings, name="my_trainings"),
    path("trainings/sessions/", training.training_sessions, name="training_sessions"),
    path(
        "trainings/sessions/<int:pk>/",
        training.training_session_detail,
        name="training_session_detail",
    ),
    path("trainings/sessions/<int:pk>/enrol/", training.training_enrol, name="training_enrol"),
    path(
        "trainings/enrolments/<int:pk>/status/",
        training.training_enrolment_status,
        name="training_enrolment_status",
    ),
    path("compliance/", compliance.compliance_dashboard, name="compliance_dashboard"),
    path("compliance/<str:code>/", compliance.compliance_check, name="compliance_check"),
]
