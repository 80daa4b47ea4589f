"""Your data: export, import and leaving. Included by stories/urls.py under "data/",
so the names live in the "stories" namespace (stories:data, stories:export_json…)."""

from django.urls import path

from stories import transfer_views as views

urlpatterns = [
    path("", views.data_home, name="data"),
    path("export.json", views.export_json, name="export_json"),
    path("export.md", views.export_markdown, name="export_markdown"),
    path("cheat-sheet/", views.cheat_sheet, name="cheat_sheet"),
    path("import/", views.import_json, name="import_json"),
    path("import/csv/", views.import_csv, name="import_csv"),
    path("delete-account/", views.account_delete_view, name="account_delete"),
]
