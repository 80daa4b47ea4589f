from django.urls import include, path

from stories import views

app_name = "stories"

urlpatterns = [
    path("", views.bank, name="bank"),
    path("coverage/", views.coverage, name="coverage"),
    path("new/", views.template_picker, name="new"),
    path("new/<slug:template_slug>/", views.story_create, name="create"),
    path("review/", views.story_review, name="review"),
    path("autosave/", views.story_autosave, name="autosave"),
    path("drafts/discard/", views.draft_discard, name="draft_discard"),
    path("trash/", views.trash, name="trash"),
    path("trash/<int:pk>/restore/", views.story_untrash_view, name="untrash"),
    path("<int:pk>/", views.story_detail, name="detail"),
    path("<int:pk>/edit/", views.story_edit, name="edit"),
    path("<int:pk>/tags/", views.story_tag, name="tag"),
    path("<int:pk>/duplicate/", views.story_duplicate_view, name="duplicate"),
    path("<int:pk>/delete/", views.story_delete, name="delete"),
    path("<int:pk>/history/", views.story_history, name="history"),
    path("<int:pk>/history/<int:revision_pk>/", views.story_revision, name="revision"),
    path("<int:pk>/history/<int:revision_pk>/restore/", views.story_restore, name="restore"),
    path("data/", include("stories.transfer_urls")),
]
