"""Staff pages under /<alliance>/staff/emissions/ (namespace `emissions`)."""

from django.urls import path

from .views import dashboard, documents, inventories, reporting, results

app_name = "emissions"

urlpatterns = [
    # --- Climate accounts (inventories) ----------------------------------------------------
    path("companies/<int:pk>/", inventories.staff_inventory_list, name="inventory-list"),
    path(
        "companies/<int:pk>/<int:year>/",
        inventories.staff_inventory_detail,
        name="inventory-detail",
    ),
    path(
        "companies/<int:pk>/<int:year>/verify/",
        inventories.inventory_verify,
        name="inventory-verify",
    ),
    path(
        "companies/<int:pk>/<int:year>/export.<str:fmt>",
        inventories.staff_inventory_export,
        name="inventory-export",
    ),
    path(
        "companies/<int:pk>/<int:year>/report.pdf",
        inventories.staff_attachment_download,
        name="attachment-download",
    ),
    # --- The yearly reporting round (helper h5b) -------------------------------------------
    path("rounds/", reporting.round_list, name="round-list"),
    path("rounds/new/", reporting.round_open, name="round-open"),
    path("rounds/<int:pk>/", reporting.round_detail, name="round-detail"),
    path("rounds/<int:pk>/close/", reporting.round_close, name="round-close"),
    path("reports/<int:pk>/", reporting.report_review, name="report-review"),
    path("reports/<int:pk>/approve/", reporting.report_approve, name="report-approve"),
    path("reports/<int:pk>/return/", reporting.report_return, name="report-return"),
    path("reports/<int:pk>/extend/", reporting.report_extend, name="report-extend"),
    # --- Dashboard, charts, exports and PDFs (helper h5c) ----------------------------------
    path("", dashboard.dashboard, name="dashboard"),
    path("chart.svg", dashboard.alliance_chart, name="alliance-chart"),
    path("companies/<int:pk>/chart.svg", dashboard.company_chart, name="company-chart"),
    path("export.<str:fmt>", dashboard.export, name="export"),
    path("rounds/<int:pk>/pdfs/", documents.round_pdfs, name="round-pdfs"),
    path("rounds/<int:pk>/pdfs/start/", documents.batch_start, name="batch-start"),
    path("batches/<int:pk>/progress/", documents.batch_progress, name="batch-progress"),
    path("batches/<int:pk>/requeue/", documents.batch_requeue, name="batch-requeue"),
    path("reports/<int:pk>/pdf/", documents.report_pdf, name="report-pdf"),
    path(
        "reports/<int:pk>/pdf/regenerate/",
        documents.report_pdf_regenerate,
        name="report-pdf-regenerate",
    ),
    path(
        "annual/<int:year>/generate/",
        documents.annual_report_generate,
        name="annual-report-generate",
    ),
    path("annual/<int:year>/status/", documents.annual_report_status, name="annual-report-status"),
    path("annual/<int:year>/pdf/", documents.annual_report_pdf, name="annual-report-pdf"),
    # --- The published results (the public progress as PDF) --------------------------------
    path("results/", results.results_page, name="results"),
    path("results/status/", results.results_status, name="results-status"),
    path("results/publish/", results.results_publish, name="results-publish"),
]
