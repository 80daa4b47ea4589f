"""Practice models: settings validation and the constraints that keep data honest."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from practice.models import Answer, PracticeSettings
from principles.models import Level
from tests.factories import (
    AnswerFactory,
    PracticeSessionFactory,
    PracticeSettingsFactory,
    QuestionFactory,
    ReviewScheduleFactory,
    StoryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_default_settings_are_senior_two_to_three_minutes_five_questions():
    settings = PracticeSettings(user=UserFactory())
    assert settings.target_level == Level.objects.get(slug="senior")
    assert (settings.band_min_seconds, settings.band_max_seconds) == (120, 180)
    assert settings.questions_per_session == 5 and settings.target_company == ""
    settings.full_clean()


@pytest.mark.parametrize(
    "changes",
    [
        {"band_min_seconds": 180, "band_max_seconds": 120},
        {"band_min_seconds": 29},
        {"band_max_seconds": 901},
        {"questions_per_session": 21},
        {"questions_per_session": 0},
        {"target_company": "x" * 201},
    ],
)
def test_settings_validation(changes):
    settings = PracticeSettings(user=UserFactory(), **changes)
    with pytest.raises(ValidationError):
        settings.full_clean()


def test_database_refuses_a_band_that_ends_before_it_starts():
    with pytest.raises(IntegrityError):
        PracticeSettingsFactory(band_min_seconds=200, band_max_seconds=100)


def test_one_answer_per_question_per_session():
    answer = AnswerFactory(position=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        AnswerFactory(session=answer.session, question=answer.question, position=2)


def test_one_schedule_per_user_and_question():
    schedule = ReviewScheduleFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewScheduleFactory(user=schedule.user, question=schedule.question)


@pytest.mark.parametrize(
    "changes",
    [
        {"rating": 6},
        {"rating": 3},  # a rating needs a stopped clock
        {"stopped_at": "before"},
    ],
)
def test_answers_refuse_impossible_values(changes):
    answer = AnswerFactory(position=1)
    now = timezone.now()
    if changes.get("stopped_at") == "before":
        changes = {"started_at": now, "stopped_at": now - timedelta(seconds=1)}
    elif changes["rating"] == 6:
        changes = {**changes, "started_at": now, "stopped_at": now}
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.filter(pk=answer.pk).update(**changes)


def test_answer_states_follow_the_clock():
    answer = AnswerFactory.build(
        session=PracticeSessionFactory.build(), question=QuestionFactory.build()
    )
    assert answer.state == "pending"
    answer.started_at = timezone.now()
    assert answer.state == "running"
    answer.stopped_at = answer.started_at + timedelta(seconds=200)
    answer.duration_seconds = 200
    assert answer.state == "stopped" and answer.band_verdict == "over"
    answer.rating = 3
    assert answer.state == "rated"


def test_story_deletion_keeps_the_answer():
    answer = AnswerFactory(position=1, answered=True)
    story = StoryFactory(owner=answer.session.owner)
    answer.story = story
    answer.save()
    assert list(story.practice_answers.all()) == [answer]
    type(story).objects.filter(pk=story.pk).delete()
    answer.refresh_from_db()
    assert answer.story is None and answer.duration_seconds == 150


def test_story_practice_stats_count_only_answers_the_user_timed():
    story = StoryFactory()
    assert story.practice_answers.stats() == {
        "last_practised": None,
        "times": 0,
        "average_seconds": None,
    }
    first = AnswerFactory(position=1, answered=True, story=story, duration_seconds=100)
    second = AnswerFactory(position=1, answered=True, story=story, duration_seconds=200)
    AnswerFactory(
        position=1, answered=True, story=story, duration_seconds=5000, closed_automatically=True
    )
    AnswerFactory(position=1, story=story, started_at=timezone.now())  # still running
    stats = story.practice_answers.stats()
    assert stats["times"] == 2 and stats["average_seconds"] == 150
    assert stats["last_practised"] == max(first.stopped_at, second.stopped_at)
