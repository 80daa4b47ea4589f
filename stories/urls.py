"""The story bank's URLs. Views live in stories/views/, one module per topic."""

from django.urls import path

from stories.views import bank, editing, history, story, transfer

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
    path("<int:pk>/cue-card/", story.story_cue_card, name="cue_card"),
    path("<int:pk>/duplicate/", story.story_duplicate_view, name="duplicate"),
    path("<int:pk>/delete/", story.story_delete, name="delete"),
    # History and the Trash (views/history.py)
    path("<int:pk>/history/", history.story_history, name="history"),
    path("<int:pk>/history/<int:revision_pk>/", history.story_revision, name="revision"),
    path("<int:pk>/history/<int:revision_pk>/restore/", history.story_restore, name="restore"),
    path("trash/", history.trash, name="trash"),
    path("trash/<int:pk>/restore/", history.story_untrash_view, name="untrash"),
    # Transfer: export and import, the "Your data" page (views/transfer.py)
    path("transfer/", transfer.transfer_home, name="transfer"),
    path("transfer/export.json", transfer.transfer_export_json, name="transfer_export_json"),
    path("transfer/export.zip", transfer.transfer_export_archive, name="transfer_export_archive"),
    path("transfer/export.md", transfer.transfer_export_markdown, name="transfer_export_markdown"),
    path("transfer/cheat-sheet/", transfer.transfer_cheat_sheet, name="transfer_cheat_sheet"),
    path(
        "transfer/import/",
        transfer.transfer_import,
        {"kind": "json"},
        name="transfer_import_json",
    ),
    path(
        "transfer/import/csv/",
        transfer.transfer_import,
        {"kind": "csv"},
        name="transfer_import_csv",
    ),
]
