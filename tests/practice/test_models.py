"""Practice models: settings validation and the constraints that keep data honest."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from practice.models import Answer, PracticeSession, PracticeSettings
from principles.models import Level, Principle, Question
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


BAD_BANDS = [(200, 100), (150, 150), (29, 180), (120, 901), (0, 32767)]


@pytest.mark.parametrize("factory", [PracticeSettingsFactory, PracticeSessionFactory])
def test_database_keeps_every_band_to_the_rule(factory):
    row = factory(band_min_seconds=30, band_max_seconds=900)  # both ends of the range are allowed
    assert factory._meta.model.objects.filter(pk=row.pk, band_max_seconds=900).exists()
    for low, high in BAD_BANDS:
        with pytest.raises(IntegrityError), transaction.atomic():
            factory._meta.model.objects.filter(pk=row.pk).update(
                band_min_seconds=low, band_max_seconds=high
            )
    row.refresh_from_db()
    assert (row.band_min_seconds, row.band_max_seconds) == (30, 900)


@pytest.mark.parametrize(("low", "high"), BAD_BANDS)
def test_a_session_validates_its_band_like_the_settings(low, high):
    good = PracticeSessionFactory.build(owner=UserFactory(), band_min_seconds=120)
    good.full_clean(exclude=["level"])
    session = PracticeSessionFactory.build(
        owner=good.owner, band_min_seconds=low, band_max_seconds=high
    )
    with pytest.raises(ValidationError) as refused:
        session.full_clean(exclude=["level"])
    assert set(refused.value.message_dict) <= {"band_min_seconds", "band_max_seconds"}


def test_a_session_judges_times_against_its_own_band():
    session = PracticeSessionFactory.build(band_min_seconds=60, band_max_seconds=90)
    assert [session.band_verdict(s) for s in (59, 60, 90, 91)] == [
        "under",
        "inside",
        "inside",
        "over",
    ]
    assert [session.is_within_band(s) for s in (59, 60, 90, 91)] == [False, True, True, False]


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


def test_filtered_answers_and_sessions_follow_the_question_tags():
    ownership = Principle.objects.get(slug="ownership")
    tagged = ownership.questions.first()
    other = Question.objects.exclude(principles=ownership).first()
    hit = AnswerFactory(question=tagged, answered=True)
    AnswerFactory(question=other, answered=True)
    unstarted = AnswerFactory(question=tagged)
    answers = Answer.objects.all()
    assert set(answers.filtered({})) == set(answers)
    assert set(answers.filtered({"principle": ownership})) == {hit, unstarted}
    assert list(answers.started().filtered({"principle": ownership})) == [hit]
    same_level = {"principle": ownership, "level": tagged.level}
    assert set(answers.filtered(same_level)) == {hit, unstarted}
    elsewhere = Level.objects.exclude(pk=tagged.level_id).first()
    assert not answers.filtered({"principle": ownership, "level": elsewhere}).exists()
    # A session counts when an answer to a matching question was started.
    assert list(PracticeSession.objects.filtered({"principle": ownership})) == [hit.session]
    assert PracticeSession.objects.filtered({}).count() == 3
