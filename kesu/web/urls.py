"""The workbench pages. Each area has its own view module; every mutation is a POST with CSRF."""

from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.generic import RedirectView

from kesu.web import views_attachments, views_case, views_intake, views_lists, views_tasks

urlpatterns = [
    path("", RedirectView.as_view(url="/cases/", permanent=False)),
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # lists, filters, search, export (views_lists)
    path("cases/", views_lists.case_list, name="case_list"),
    path("cases/export.xlsx", views_lists.case_export, name="case_export"),
    # intake (views_intake)
    path("cases/new/", views_intake.case_new, name="case_new"),
    # the case page and its actions (views_case)
    path("cases/<int:case_id>/", views_case.case_detail, name="case_detail"),
    path("cases/<int:case_id>/act/<str:action>/", views_case.case_act, name="case_act"),
    path("cases/<int:case_id>/attachments/", views_attachments.attachment_upload, name="attachment_upload"),
    path(
        "cases/<int:case_id>/attachments/<int:attachment_id>/",
        views_attachments.attachment_download,
        name="attachment_download",
    ),
    # the task list and the clock rules (views_tasks)
    path("tasks/", views_tasks.tasks, name="tasks"),
    path("tasks/<int:alert_id>/done/", views_tasks.task_done, name="task_done"),
    path("rules/", views_tasks.rules_page, name="rules"),
]
