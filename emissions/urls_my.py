"""A representative's climate pages under /my/emissions/ (namespace `my-emissions`)."""

from django.urls import path

from .views import dashboard, documents, inventories, reporting

app_name = "my-emissions"

urlpatterns = [
    # --- Climate accounts (inventories) ----------------------------------------------------
    path("companies/<int:pk>/", inventories.inventory_list, name="inventory-list"),
    path("companies/<int:pk>/new/", inventories.inventory_create, name="inventory-create"),
    path("companies/<int:pk>/<int:year>/", inventories.inventory_detail, name="inventory-detail"),
    path(
        "companies/<int:pk>/<int:year>/baseline/",
        inventories.inventory_baseline,
        name="inventory-baseline",
    ),
    path("companies/<int:pk>/<int:year>/lines/new/", inventories.line_create, name="line-create"),
    path(
        "companies/<int:pk>/<int:year>/lines/<int:line_id>/",
        inventories.line_edit,
        name="line-edit",
    ),
    path(
        "companies/<int:pk>/<int:year>/lines/<int:line_id>/delete/",
        inventories.line_delete,
        name="line-delete",
    ),
    path(
        "companies/<int:pk>/<int:year>/export.<str:fmt>",
        inventories.inventory_export,
        name="inventory-export",
    ),
    path(
        "companies/<int:pk>/<int:year>/import/",
        inventories.inventory_import,
        name="inventory-import",
    ),
    path(
        "companies/<int:pk>/<int:year>/report/",
        inventories.attachment_upload,
        name="attachment-upload",
    ),
    path(
        "companies/<int:pk>/<int:year>/report.pdf",
        inventories.attachment_download,
        name="attachment-download",
    ),
    # --- The yearly report (helper h5b) ----------------------------------------------------
    path("reports/<int:pk>/", reporting.report_edit, name="report-edit"),
    path("reports/<int:pk>/preview/", reporting.report_preview, name="report-preview"),
    path("reports/<int:pk>/submit/", reporting.report_submit, name="report-submit"),
    # --- Charts and PDFs (helper h5c) -------------------------------------------------------
    path("companies/<int:pk>/chart.svg", dashboard.my_company_chart, name="company-chart"),
    path("reports/<int:pk>/pdf/", documents.my_report_pdf, name="report-pdf"),
]
