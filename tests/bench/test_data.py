"""The load benchmark's data generator (bench/data.py, through its `bench_data` command):
real stories, real history, a cookie that signs in."""

import io
import json

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from bench.management.commands.bench_data import Command
from practice.models import Answer, PracticeSession
from stories.models import Story, StoryRevision

pytestmark = pytest.mark.django_db

USERS, STORIES = 2, 3


def bench_data() -> dict:
    # The command itself, though the product's settings do not install its app: call_command
    # takes the command object, and its printed JSON is what bench/run.py reads.
    out = io.StringIO()
    call_command(Command(), users=USERS, stories=STORIES, stdout=out, stderr=io.StringIO())
    return json.loads(out.getvalue())


def signed_in(data: dict, **kwargs) -> Client:
    client = Client(**kwargs)
    client.cookies[data["session_cookie"]["name"]] = data["session_cookie"]["value"]
    client.cookies[data["csrf_cookie"]["name"]] = data["csrf_cookie"]["value"]
    return client


def test_makes_real_stories_and_practice_history_once():
    data = bench_data()

    stories = Story.objects.filter(owner__email__endswith="@bench.example")
    assert stories.count() == USERS * STORIES
    for story in stories.prefetch_related("principles", "themes", "levels"):
        assert 250 <= story.word_count <= 480, story.word_count
        assert story.action and story.result and story.search_vector
        assert story.principles.all() and story.themes.all() and story.levels.all()
    assert StoryRevision.objects.filter(story__in=stories).count() == USERS * STORIES
    rated = Answer.objects.filter(session__owner__email__endswith="@bench.example").rated()
    assert rated.count() == USERS * 4 * 5
    assert rated.filter(duration_seconds__gte=80).count() == rated.count()
    open_session = PracticeSession.objects.get(pk=data["practice_session_id"])
    assert open_session.is_active and open_session.owner.email == data["email"]
    assert Story.objects.get(pk=data["story_id"]).owner.email == data["email"]

    # A benchmark run opens sessions with POST /practice/start/; the next run removes them.
    client = signed_in(data)
    assert client.post(reverse("practice:start"), {"mode": "level"}).status_code == 302
    again = bench_data()
    assert again["created"] == {"stories": 0, "practice_sessions": 0}
    assert stories.count() == USERS * STORIES
    assert rated.count() == USERS * 4 * 5
    assert again["practice_session_id"] == data["practice_session_id"]
    owner_sessions = PracticeSession.objects.filter(owner__email=data["email"])
    assert owner_sessions.active().count() == 1


def test_printed_cookies_sign_in_and_pass_csrf():
    data = bench_data()
    story = Story.objects.get(pk=data["story_id"])
    client = signed_in(data, enforce_csrf_checks=True)

    bank = client.get(reverse("stories:bank"))
    assert bank.status_code == 200 and story.title in bank.content.decode()
    session = client.get(reverse("practice:session", args=[data["practice_session_id"]]))
    assert session.status_code == 200 and "Question 1 of" in session.content.decode()

    review = client.post(
        reverse("stories:review"),
        data["review_form"],
        headers={"X-CSRFToken": data["csrf_cookie"]["value"]},
    )
    assert review.status_code == 200
    assert f"{story.word_count} words" in review.content.decode()
