from django.http import Http404
from django.urls import path

from practice import views

app_name = "practice"

answer = "sessions/<int:pk>/answers/<int:answer_pk>"

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
]


# PLACEHOLDER: helper B — the recording page and the best take are B's views; these
# stand-ins only let the story page's links reverse on this branch (the lead drops them).
def placeholder(request, uuid):  # pragma: no cover - replaced by helper B's views
    raise Http404("PLACEHOLDER: helper B")


urlpatterns += [
    path("recordings/<uuid:uuid>/", placeholder, name="recording"),
    path("recordings/<uuid:uuid>/best-take/", placeholder, name="recording-best-take"),
]
