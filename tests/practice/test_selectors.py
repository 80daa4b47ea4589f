"""Reads for the practice pages and the draw, straight from the database."""

import pytest

from practice import selectors
from practice.drawing import DRAFTS_ONLY
from principles.models import Principle, Theme
from stories.review import READY_SCORE
from tests.factories import (
    AnswerFactory,
    PracticeSessionFactory,
    QuestionFactory,
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


# --- Suggestions ---------------------------------------------------------------------------


def principles(*slugs):
    return [Principle.objects.get(slug=slug) for slug in slugs]


WEAK_DRAFT = {
    "situation": "Builds were slow.",
    "task": "",
    "action": "We made them faster together.",
    "result": "It went well.",
    "learning": "",
}


def test_suggestions_rank_a_ready_story_above_a_weak_draft_of_equal_fit_and_say_why():
    ownership, results = principles("ownership", "deliver-results")
    question = QuestionFactory(
        text="Tell me about a time you delivered a hard migration.",
        principles=[ownership, results],
    )
    user = UserFactory()
    # The draft is older, so on the old tie-break (lower id) it would come first.
    draft = StoryFactory(
        owner=user, title="Faster builds", principles=[ownership, results], **WEAK_DRAFT
    )
    ready = StoryFactory(owner=user, title="Checkout fallback", principles=[ownership, results])
    draft.refresh_from_db(), ready.refresh_from_db()
    assert draft.score < READY_SCORE <= ready.score
    ranked = selectors.suggestions(user=user, question=question)
    assert [s.story for s in ranked] == [ready, draft]
    assert ranked[0].ranking.score == ranked[1].ranking.score  # equal fit
    in_order = " and ".join(
        p.name for p in Principle.objects.filter(pk__in=[ownership.pk, results.pk])
    )
    assert ranked[0].reason == f"shares {in_order}"
    assert "ownership" not in ranked[0].reason  # the name, not the slug


def test_a_draft_that_clearly_fits_better_still_comes_first():
    """Positive control for the test above: readiness breaks near ties, not real gaps."""
    ownership, results = principles("ownership", "deliver-results")
    migration = Theme.objects.get(slug="technical-complexity")
    question = QuestionFactory(
        text="Tell me about a time you delivered a hard migration.",
        principles=[ownership, results],
        themes=[migration],
    )
    user = UserFactory()
    ready = StoryFactory(owner=user, title="Checkout fallback", principles=[ownership])
    draft = StoryFactory(
        owner=user,
        title="The migration",
        principles=[ownership, results],
        themes=[migration],
        **WEAK_DRAFT,
    )
    ranked = selectors.suggestions(user=user, question=question)
    assert [s.story for s in ranked] == [draft, ready]
    assert "mentions \u2018migration\u2019" in ranked[0].reason
    assert migration.name in ranked[0].reason
