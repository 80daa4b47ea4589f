from django.urls import path

from practice import views

app_name = "practice"

answer = "sessions/<int:pk>/answers/<int:answer_pk>"
recording = "recordings/<uuid:uuid>"

urlpatterns = [
    path("", views.home, name="home"),
    path("settings/", views.practice_settings, name="settings"),
    path("start/", views.start, name="start"),
    path("history/", views.history, name="history"),
    path("sessions/<int:pk>/", views.session_detail, name="session"),
    path(f"{answer}/start/", views.answer_start, name="answer-start"),
    path(f"{answer}/stop/", views.answer_stop, name="answer-stop"),
    path(f"{answer}/rate/", views.answer_rate, name="answer-rate"),
    path("sessions/<int:pk>/finish/", views.session_finish, name="finish"),
    path("sessions/<int:pk>/abandon/", views.session_abandon, name="abandon"),
    path("stories/<int:pk>/", views.story_practice, name="story"),
    path(f"{answer}/recording/", views.recording_open, name="recording-open"),
    path(
        f"{recording}/chunks/<int:segment>/<int:sequence>/",
        views.recording_chunk,
        name="recording-chunk",
    ),
    path(f"{recording}/marks/", views.recording_mark, name="recording-mark"),
    path(f"{recording}/close/", views.recording_close, name="recording-close"),
    path(f"{recording}/", views.recording_detail, name="recording"),
    path(f"{recording}/audio/", views.recording_audio, name="recording-audio"),
    path(f"{recording}/chapters.vtt", views.recording_chapters, name="recording-chapters"),
    path(f"{recording}/best-take/", views.recording_best_take, name="recording-best-take"),
    path(f"{recording}/delete/", views.recording_delete, name="recording-delete"),
    path("stories/<int:pk>/questions/", views.story_questions, name="story-questions"),
    path("questions/<int:pk>/stories/", views.question_stories, name="question-stories"),
    path("questions/<int:pk>/start/", views.question_start, name="question-start"),
    # Loops: plan which story to tell to whom
    path("loops/", views.loops, name="loops"),
    path("loops/new/", views.loop_create, name="loop-create"),
    path("loops/<int:pk>/", views.loop_detail, name="loop"),
    path("loops/<int:pk>/edit/", views.loop_edit, name="loop-edit"),
    path("loops/<int:pk>/delete/", views.loop_delete, name="loop-delete"),
    path("loops/<int:pk>/pin/", views.loop_pin, name="loop-pin"),
    path("loops/<int:pk>/exclude/", views.loop_exclude, name="loop-exclude"),
    path("loops/<int:pk>/sheet/", views.loop_sheet, name="loop-sheet"),
]
