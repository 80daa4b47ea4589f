"""Stories <-> questions in the browser: a story's graded questions, a question's best
stories, and "Practise this question" opening a one-question session."""

import re

import pytest

from tests.e2e.helpers import log_in

pytestmark = pytest.mark.e2e


def ownership_story(user, title):
    from principles.models import Principle
    from tests.factories import StoryFactory

    return StoryFactory(
        owner=user, title=title, principles=[Principle.objects.get(slug="ownership")]
    )


def test_the_story_page_grades_questions_and_practises_one(page):
    user = log_in(page)
    story = ownership_story(user, "Payments fallback")
    page.goto(story.get_absolute_url())
    card = page.locator("#story-questions")
    card.get_by_test_id("story-question").first.wait_for()
    first = card.get_by_test_id("story-question").first
    assert first.get_by_test_id("grade").inner_text() in {"Strong", "Partial", "Stretch"}
    assert "Ownership" in first.get_by_test_id("grade-reason").inner_text()
    text = first.get_by_test_id("question-text").inner_text()
    first.get_by_role("button", name="Practise this question").click()
    page.wait_for_url(re.compile(r"/practice/sessions/\d+/$"))
    page.get_by_text(text).first.wait_for()
    assert page.console_errors == []


def test_the_question_bank_shows_the_best_stories_and_practises_the_question(page):
    from principles.models import Question

    user = log_in(page)
    ownership_story(user, "Payments fallback")
    question = Question.objects.active().filter(principles__slug="ownership").first()
    page.goto(f"/catalogue/questions/?q={question.text.split()[-1].strip('.?')}")
    item = page.get_by_test_id("question").filter(has_text=question.text)
    item.get_by_test_id("question-story").first.wait_for()
    assert item.get_by_role("link", name="Payments fallback").count() == 1
    item.get_by_role("button", name="Practise this question").click()
    page.wait_for_url(re.compile(r"/practice/sessions/\d+/$"))
    page.get_by_text(question.text).first.wait_for()
    assert page.console_errors == []
