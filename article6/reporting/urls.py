from django.urls import path

from article6.reporting import views, views_files, views_transparency

app_name = "reporting"

urlpatterns = [
    # Public figures (Art. 7), as of any date.
    path("transparency/", views_transparency.transparency, name="transparency"),
    path("transparency/reports.csv", views_files.published_csv, name="published_csv"),
    # A State's reports: filing online and offline.
    path("states/<str:iso3>/reports/", views.state_reports, name="state_reports"),
    path("states/<str:iso3>/reports/new/", views.start, name="start"),
    path("states/<str:iso3>/reports/workbook.xlsx", views_files.workbook, name="workbook"),
    path("states/<str:iso3>/reports/upload/", views_files.upload, name="upload"),
    # One report.
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("reports/<int:pk>/edit/", views.edit, name="edit"),
    path("reports/<int:pk>/autosave/", views.autosave, name="autosave"),
    path("reports/<int:pk>/submit/", views.submit, name="submit"),
    path("reports/<int:pk>/publish/", views.publish, name="publish"),
    path("reports/<int:pk>/correct/", views.correct, name="correct"),
    path("reports/<int:pk>/discard/", views.discard, name="discard"),
    path("reports/<int:pk>/needs/", views.file_needs, name="file_needs"),
    path("reports/<int:pk>/history/", views.history, name="history"),
    path("reports/<int:pk>/report.xlsx", views_files.report_xlsx, name="report_xlsx"),
    path("reports/<int:pk>/report.csv", views_files.report_csv, name="report_csv"),
    path("reports/<int:pk>/report.pdf", views_files.report_pdf, name="report_pdf"),
    # ISU: reports awaiting publication, and past reports recorded from their documents.
    path("isu/reports/", views.isu_reports, name="isu_reports"),
    path("isu/reports/complete/", views.records_complete, name="records_complete"),
]
