"""Reads for the practice pages and the draw, straight from the database."""

import pytest

from practice import selectors
from practice.drawing import DRAFTS_ONLY
from principles.models import Theme
from tests.factories import (
    AnswerFactory,
    PracticeSessionFactory,
    StoryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_story_practice_counts_the_timed_answers_of_that_story_only():
    story = StoryFactory()
    assert selectors.story_practice(story=story)["times"] == 0
    session = PracticeSessionFactory(owner=story.owner)
    AnswerFactory(session=session, story=story, answered=True, duration_seconds=100)
    AnswerFactory(session=session, story=StoryFactory(owner=story.owner), answered=True)
    practice = selectors.story_practice(story=story)
    assert practice["times"] == 1 and practice["average_seconds"] == 100


def test_bank_coverage_reads_only_the_users_stories():
    mentorship = Theme.objects.get(slug="mentorship")
    user = UserFactory()
    StoryFactory(owner=UserFactory(), status="polished", themes=[mentorship])
    assert f"theme:{mentorship.pk}" not in selectors.bank_coverage(user=user)
    StoryFactory(owner=user, status="draft", themes=[mentorship])
    assert selectors.bank_coverage(user=user)[f"theme:{mentorship.pk}"] == DRAFTS_ONLY


def test_recent_question_ids_are_the_started_answers_of_recent_sessions():
    session = PracticeSessionFactory()
    told = AnswerFactory(session=session, position=1, answered=True)
    AnswerFactory(session=session, position=2)  # drawn, never started
    assert selectors.recent_question_ids(user=session.owner) == {told.question_id}
