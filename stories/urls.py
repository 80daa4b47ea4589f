"""The story bank's URLs. Views live in stories/views/, one module per topic."""

from django.urls import path

from stories.views import bank, data, editing, history, story

app_name = "stories"

urlpatterns = [
    # The bank and its coverage (views/bank.py)
    path("", bank.bank, name="bank"),
    path("coverage/", bank.coverage, name="coverage"),
    path("principles/<slug:slug>/", bank.principle_stories, name="principle"),
    # Writing (views/editing.py)
    path("new/", editing.template_picker, name="new"),
    path("new/<slug:template_slug>/", editing.story_create, name="create"),
    path("<int:pk>/edit/", editing.story_edit, name="edit"),
    path("review/", editing.story_review, name="review"),
    path("autosave/", editing.story_autosave, name="autosave"),
    path("drafts/discard/", editing.draft_discard, name="draft_discard"),
    # One story (views/story.py)
    path("<int:pk>/", story.story_detail, name="detail"),
    path("<int:pk>/tags/", story.story_tag, name="tag"),
    path("<int:pk>/duplicate/", story.story_duplicate_view, name="duplicate"),
    path("<int:pk>/delete/", story.story_delete, name="delete"),
    # History and the Trash (views/history.py)
    path("<int:pk>/history/", history.story_history, name="history"),
    path("<int:pk>/history/<int:revision_pk>/", history.story_revision, name="revision"),
    path("<int:pk>/history/<int:revision_pk>/restore/", history.story_restore, name="restore"),
    path("trash/", history.trash, name="trash"),
    path("trash/<int:pk>/restore/", history.story_untrash_view, name="untrash"),
    # Your data: export, import, leaving (views/data.py)
    path("data/", data.data_home, name="data"),
    path("data/export.json", data.export_json, name="export_json"),
    path("data/export.md", data.export_markdown, name="export_markdown"),
    path("data/cheat-sheet/", data.cheat_sheet, name="cheat_sheet"),
    path("data/import/", data.import_json, name="import_json"),
    path("data/import/csv/", data.import_csv, name="import_csv"),
    path("data/delete-account/", data.account_delete_view, name="account_delete"),
]
