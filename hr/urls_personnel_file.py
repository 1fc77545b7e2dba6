from django.urls import path

from hr.views import personnel_file as views

urlpatterns = [
    path("employees/<int:pk>/file/", views.personnel_file, name="personnel_file"),
    path(
        "employees/<int:pk>/file/documents/",
        views.personnel_document_upload,
        name="personnel_document_upload",
    ),
    path(
        "employees/<int:pk>/file/documents/<int:document_pk>/",
        views.personnel_document_download,
        name="personnel_document_download",
    ),
    path(
        "me/file/change/<str:kind>/",
        views.personnel_change_request_new,
        name="personnel_change_request_new",
    ),
    path(
        "personnel-changes/",
        views.personnel_change_request_list,
        name="personnel_change_request_list",
    ),
    path(
        "personnel-changes/<int:pk>/approve/",
        views.personnel_change_request_approve,
        name="personnel_change_request_approve",
    ),
    path(
        "personnel-changes/<int:pk>/refuse/",
        views.personnel_change_request_refuse,
        name="personnel_change_request_refuse",
    ),
    path(
        "personnel-access-log/",
        views.personnel_file_access_log,
        name="personnel_file_access_log",
    ),
]
