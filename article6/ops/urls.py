from django.urls import path

from article6.ops import views

app_name = "ops"

urlpatterns = [
    path("jobs/<uuid:pk>/", views.job, name="job"),
    path("jobs/<uuid:pk>/file", views.job_file, name="job_file"),
    path("work/tasks/", views.tasks, name="tasks"),
    path("work/tasks/<uuid:pk>/try-again/", views.task_try_again, name="task_try_again"),
]
