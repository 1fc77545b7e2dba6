from django.urls import path

from hr.views import discipline as views

urlpatterns = [
    path("discipline/", views.discipline_list, name="discipline_list"),
    path("discipline/mine/", views.discipline_mine, name="discipline_mine"),
    path("discipline/new/", views.discipline_create, name="discipline_create"),
    path("discipline/<int:pk>/", views.discipline_detail, name="discipline_detail"),
    path(
        "discipline/<int:pk>/acknowledge/",
        views.discipline_acknowledge,
        name="discipline_acknowledge",
    ),
    path(
        "discipline/<int:pk>/documents/",
        views.discipline_document_add,
        name="discipline_document_add",
    ),
    path(
        "discipline/<int:pk>/documents/<int:document_pk>/",
        views.discipline_document_download,
        name="discipline_document_download",
    ),
]
